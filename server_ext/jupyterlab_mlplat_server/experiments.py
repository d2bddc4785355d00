"""Handlers of the Experiments tab: parse the query, call the person's ExperimentService, write
JSON. MLflow is called as the person, with the server's hub token (MLFLOW_TRACKING_TOKEN)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import tornado.web
from pydantic import BaseModel, ValidationError

from jupyterlab_mlplat.core.experiments import Columns, ExperimentService, Sort

from .handlers import NAMESPACE, SidebarHandler

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
        service = self.settings.get("mlplat_experiments")
        if service is None:
            raise tornado.web.HTTPError(
                404, "MLflow is not configured for this server (no MLFLOW_TRACKING_URI)."
            )
        return service  # type: ignore[no-any-return]

    def write_json(self, value: Any) -> None:
        self.finish(json.dumps(value))

    def int_argument(self, name: str, default: int) -> int:
        raw = self.get_argument(name, str(default))
        try:
            return int(raw)
        except ValueError:
            raise tornado.web.HTTPError(
                400, f"{name} must be a whole number, not {raw!r}"
            ) from None


class ConfigHandler(ExperimentsHandler):
    @tornado.web.authenticated
    def get(self) -> None:
        self.write_json(
            {
                "enabled": self.settings.get("mlplat_experiments") is not None,
                "ui_url": self.settings.get("mlplat_mlflow_ui_url"),
                "user": self.settings.get("mlplat_user"),
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
        me = self.settings.get("mlplat_user")
        experiments = [{**asdict(e), "can_write": e.owner == me} for e in page.items]
        self.write_json({"experiments": experiments, "next_page_token": page.next_page_token})


class PrivacyHandler(ExperimentsHandler):
    @tornado.web.authenticated
    async def post(self, experiment_id: str) -> None:
        try:
            request = PrivacyRequest.model_validate_json(self.request.body or b"{}")
        except ValidationError:
            raise tornado.web.HTTPError(
                400, 'send {"private": true} or {"private": false}'
            ) from None
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
        base = self.settings.get("mlplat_mlflow_ui_url")
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
        try:
            request = NotebookRequest.model_validate_json(self.request.body or b"{}")
        except ValidationError:
            raise tornado.web.HTTPError(400, 'send {"path": "<notebook path>"}') from None
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


_M = rf"/{NAMESPACE}/mlflow"
_RUN = r"(?P<run_id>[^/]+)"
EXPERIMENT_HANDLERS: list[tuple[str, type[SidebarHandler]]] = [
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
