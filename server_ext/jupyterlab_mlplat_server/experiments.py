"""Handlers of the Experiments tab: parse the query, call the person's ExperimentService, write
JSON. MLflow is called as the person, with the server's hub token (MLFLOW_TRACKING_TOKEN)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import tornado.web
from pydantic import BaseModel

from jupyterlab_mlplat.core.experiments.records import Columns, Sort
from jupyterlab_mlplat.core.experiments.service import ExperimentService

from .base import SidebarHandler

#: content types a preview may render; anything else (HTML, SVG, scripts) downloads as bytes
PREVIEWABLE = (
    "text/plain",
    "text/csv",
    "text/markdown",
    "application/json",
    "image/png",
    "image/jpeg",
    "image/gif",
)


class NotebookRequest(BaseModel):
    path: str


class PrivacyRequest(BaseModel):
    private: bool


class ExperimentsHandler(SidebarHandler):
    @property
    def service(self) -> ExperimentService:
        return self.services.experiments

    def write_json(self, value: Any) -> None:
        self.finish(json.dumps(value))


class ConfigHandler(ExperimentsHandler):
    @tornado.web.authenticated
    def get(self) -> None:
        self.write_json(
            {
                "enabled": self.services.experiments_service is not None,
                "ui_url": self.services.mlflow_ui_url,
                "user": self.services.user,
            }
        )


class ExperimentListHandler(ExperimentsHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        page = await self.core(
            self.service.experiments(
                self.get_argument("filter", ""),
                max_results=self.int_argument("max_results", 50),
                page_token=self.get_argument("page_token", None),
            )
        )
        me = self.services.user
        experiments = [{**asdict(e), "can_write": e.owner == me} for e in page.items]
        self.write_json({"experiments": experiments, "next_page_token": page.next_page_token})


class PrivacyHandler(ExperimentsHandler):
    @tornado.web.authenticated
    async def post(self, experiment_id: str) -> None:
        request = self.parse(PrivacyRequest)
        await self.core(self.service.set_private(experiment_id, request.private))
        self.write_json({"id": experiment_id, "private": request.private})


class RunListHandler(ExperimentsHandler):
    @tornado.web.authenticated
    async def get(self, experiment_id: str) -> None:
        page = await self.core(self._runs(experiment_id))
        self.write_json(
            {
                "runs": [asdict(run) for run in page.runs],
                "next_page_token": page.next_page_token,
                "columns": {"params": page.params, "metrics": page.metrics},
                "active": page.active,
            }
        )

    async def _runs(self, experiment_id: str) -> Any:
        sort = Sort.parse(
            self.get_argument("sort_kind", "attribute"),
            self.get_argument("sort_key", "start_time"),
            self.get_argument("sort_dir", "desc"),
        )
        return await self.service.runs(
            experiment_id,
            sort=sort,
            columns=Columns.parse(self.get_arguments("column")),
            max_results=self.int_argument("max_results", 25),
            page_token=self.get_argument("page_token", None),
        )


class RunHandler(ExperimentsHandler):
    @tornado.web.authenticated
    async def get(self, run_id: str) -> None:
        run = await self.core(self.service.run(run_id))
        self.write_json({"run": {**asdict(run), "ui_url": self._ui_url(run)}})

    def _ui_url(self, run: Any) -> str | None:
        base = self.services.mlflow_ui_url
        return f"{base}#/experiments/{run.experiment_id}/runs/{run.id}" if base else None


class MetricHistoryHandler(ExperimentsHandler):
    @tornado.web.authenticated
    async def get(self, run_id: str) -> None:
        key = self.get_argument("key", "")
        history = await self.core(self.service.metric_history(run_id, key))
        self.write_json({"key": key, "history": [asdict(p) for p in history]})


class ArtifactListHandler(ExperimentsHandler):
    @tornado.web.authenticated
    async def get(self, run_id: str) -> None:
        path = self.get_argument("path", "")
        files = await self.core(self.service.artifacts(run_id, path))
        self.write_json({"path": path, "files": [asdict(f) for f in files]})


class ArtifactHandler(ExperimentsHandler):
    @tornado.web.authenticated
    async def get(self, run_id: str) -> None:
        path = self.get_argument("path", "")
        data, content_type = await self.core(self.service.artifact(run_id, path))
        kind = content_type.split(";")[0].strip().lower()
        if kind not in PREVIEWABLE:
            kind = "application/octet-stream"
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Security-Policy", "sandbox; default-src 'none'")
        if self.get_argument("download", "") == "1" or kind == "application/octet-stream":
            name = Path(path).name.replace('"', "")
            self.set_header("Content-Disposition", f'attachment; filename="{name}"')
        self.finish(data, set_content_type=kind)


class NotebookHandler(ExperimentsHandler):
    @tornado.web.authenticated
    async def post(self, run_id: str) -> None:
        request = self.parse(NotebookRequest)
        artifact, commit = await self.core(self.service.log_notebook(run_id, request.path))
        self.write_json({"artifact_path": artifact, "git_commit": commit})


class CompareHandler(ExperimentsHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        result = await self.core(self.service.compare(self.get_arguments("run_id")))
        self.write_json(
            {
                "runs": [asdict(run) for run in result.runs],
                "param_keys": result.param_keys,
                "metric_keys": result.metric_keys,
                "histories": {
                    key: {rid: [asdict(p) for p in points] for rid, points in by_run.items()}
                    for key, by_run in result.histories.items()
                },
            }
        )


_M = "mlflow"
_RUN = r"(?P<run_id>[^/]+)"
ROUTES: list[tuple[str, type[SidebarHandler]]] = [
    (rf"{_M}/config", ConfigHandler),
    (rf"{_M}/experiments", ExperimentListHandler),
    (rf"{_M}/experiments/(?P<experiment_id>[^/]+)/runs", RunListHandler),
    (rf"{_M}/experiments/(?P<experiment_id>[^/]+)/private", PrivacyHandler),
    (rf"{_M}/runs/{_RUN}", RunHandler),
    (rf"{_M}/runs/{_RUN}/metric-history", MetricHistoryHandler),
    (rf"{_M}/runs/{_RUN}/artifacts", ArtifactListHandler),
    (rf"{_M}/runs/{_RUN}/artifact", ArtifactHandler),
    (rf"{_M}/runs/{_RUN}/notebook", NotebookHandler),
    (rf"{_M}/compare", CompareHandler),
]
