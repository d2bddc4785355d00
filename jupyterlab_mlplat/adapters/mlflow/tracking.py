"""The experiment tracker on MLflow's REST API, called as one person (their hub token).

Async and minimal on purpose: the sidebar's reads go out concurrently and ask only for one page,
which MLflow's synchronous Python client cannot do. MLflow's answers are mapped to the core's
typed errors in one table (``rest.py``, shared with the model registry).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from jupyterlab_mlplat.core.experiments.errors import (
    ArtifactNotFound,
    ArtifactStoreNotWritable,
    ExperimentNotFound,
    RunNotFound,
)
from jupyterlab_mlplat.core.experiments.ports import Tracker
from jupyterlab_mlplat.core.experiments.records import (
    TAG_OWNER,
    ArtifactFile,
    Experiment,
    MetricPoint,
    RunData,
)
from jupyterlab_mlplat.core.experiments.rules import is_private
from jupyterlab_mlplat.core.kernel.paging import Page

from .rest import (
    HISTORY_PAGE,
    MlflowRest,
    from_mlflow_token,
    int_or_none,
    to_mlflow_token,
)


def _run_missing(run_id: str) -> RunNotFound:
    return RunNotFound(
        f"run {run_id} does not exist, or is not visible to you", params={"run_id": run_id}
    )


def _run(payload: dict[str, Any]) -> RunData:
    info = payload.get("info", {})
    data = payload.get("data", {})
    return RunData(
        id=info["run_id"],
        name=info.get("run_name", ""),
        experiment_id=str(info.get("experiment_id", "")),
        status=info.get("status", "RUNNING"),
        start_time=int_or_none(info.get("start_time")),
        end_time=int_or_none(info.get("end_time")),
        user=info.get("user_id", ""),
        artifact_uri=info.get("artifact_uri", ""),
        params={p["key"]: p.get("value", "") for p in data.get("params", [])},
        metrics={m["key"]: float(m["value"]) for m in data.get("metrics", [])},
        tags={t["key"]: t.get("value", "") for t in data.get("tags", [])},
    )


def _experiment(payload: dict[str, Any]) -> Experiment:
    tags = {t["key"]: t.get("value", "") for t in payload.get("tags", [])}
    return Experiment(
        id=str(payload["experiment_id"]),
        name=payload.get("name", ""),
        owner=tags.get(TAG_OWNER),
        private=is_private(tags),
        lifecycle_stage=payload.get("lifecycle_stage", "active"),
        creation_time=int_or_none(payload.get("creation_time")),
        last_update_time=int_or_none(payload.get("last_update_time")),
    )


def _sql_literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


class MlflowTracker(MlflowRest, Tracker):
    """``core.experiments.ports.Tracker`` on an MLflow tracking server (here: the workbench's
    gateway)."""

    async def search_experiments(
        self, name_contains: str, *, max_results: int, page_token: str | None
    ) -> Page[Experiment]:
        payload: dict[str, Any] = {
            "max_results": max_results,
            "order_by": ["last_update_time DESC"],
            "view_type": "ACTIVE_ONLY",
        }
        if name_contains:
            payload["filter"] = f"name ILIKE {_sql_literal('%' + name_contains + '%')}"
        if page_token:
            payload["page_token"] = to_mlflow_token(page_token)
        answer = await self._json("POST", "experiments/search", payload=payload)
        return Page(
            [_experiment(e) for e in answer.get("experiments", [])],
            from_mlflow_token(answer.get("next_page_token")),
        )

    async def search_runs(
        self,
        experiment_id: str,
        *,
        max_results: int,
        page_token: str | None,
        order_by: list[str],
        filter_string: str | None = None,
    ) -> Page[RunData]:
        payload: dict[str, Any] = {
            "experiment_ids": [experiment_id],
            "max_results": max_results,
            "order_by": order_by,
            "run_view_type": "ACTIVE_ONLY",
        }
        if page_token:
            payload["page_token"] = to_mlflow_token(page_token)
        if filter_string:
            payload["filter"] = filter_string
        answer = await self._json(
            "POST",
            "runs/search",
            payload=payload,
            missing=ExperimentNotFound(
                f"experiment {experiment_id} does not exist, or is not visible to you",
                params={"experiment_id": experiment_id},
            ),
        )
        return Page(
            [_run(r) for r in answer.get("runs", [])],
            from_mlflow_token(answer.get("next_page_token")),
        )

    async def get_run(self, run_id: str) -> RunData:
        answer = await self._json(
            "GET", "runs/get", query={"run_id": run_id}, missing=_run_missing(run_id)
        )
        return _run(answer["run"])

    async def metric_history(self, run_id: str, key: str) -> list[MetricPoint]:
        points: list[MetricPoint] = []
        token: str | None = None
        while True:
            query = {"run_id": run_id, "metric_key": key, "max_results": HISTORY_PAGE}
            if token:
                query["page_token"] = token
            answer = await self._json(
                "GET", "metrics/get-history", query=query, missing=_run_missing(run_id)
            )
            points += [
                MetricPoint(int(m.get("step", 0)), float(m["value"]), int(m.get("timestamp", 0)))
                for m in answer.get("metrics", [])
            ]
            token = answer.get("next_page_token")
            if not token:
                return points

    async def metric_histories(self, run_ids: list[str], key: str) -> dict[str, list[MetricPoint]]:
        """MLflow's bulk history (what its own compare page calls): one request for all the
        runs instead of one per run. It caps the points of all runs together, so a history cut
        by the cap is fetched run by run instead; the runs were read first, so a refusal here
        is told per run by the same way round."""
        ids = list(dict.fromkeys(run_ids))
        query: list[tuple[str, str | int]] = [("run_id", r) for r in ids]
        query += [("metric_key", key), ("max_results", HISTORY_PAGE)]
        answer = await self._json(
            "GET",
            "metrics/get-history-bulk",
            query=query,
            root="ajax-api",
            missing=_run_missing(ids[0]) if len(ids) == 1 else None,
        )
        rows = answer.get("metrics", [])
        if len(rows) >= HISTORY_PAGE:
            return {r: await self.metric_history(r, key) for r in ids}
        found: dict[str, list[MetricPoint]] = {r: [] for r in ids}
        for m in rows:
            found.setdefault(m["run_id"], []).append(
                MetricPoint(int(m.get("step", 0)), float(m["value"]), int(m.get("timestamp", 0)))
            )
        return found

    async def list_artifacts(self, run_id: str, path: str) -> list[ArtifactFile]:
        query = {"run_id": run_id, **({"path": path} if path else {})}
        answer = await self._json(
            "GET", "artifacts/list", query=query, missing=_run_missing(run_id)
        )
        return [
            ArtifactFile(f["path"], bool(f.get("is_dir")), int_or_none(f.get("file_size")))
            for f in answer.get("files", [])
        ]

    async def read_artifact(self, run_id: str, path: str) -> tuple[bytes, str]:
        return await self._call(
            "GET",
            "get-artifact",
            query={"run_uuid": run_id, "path": path},
            missing=ArtifactNotFound(
                f"artifact {path!r} of run {run_id} does not exist, or is not visible to you",
                params={"run_id": run_id, "path": path},
            ),
        )

    async def upload_artifact(
        self, run: RunData, path: str, data: bytes, content_type: str
    ) -> None:
        prefix = "mlflow-artifacts:/"
        if not run.artifact_uri.startswith(prefix):
            raise ArtifactStoreNotWritable(
                f"run {run.id} stores its artifacts where the workbench cannot write through "
                "MLflow's artifact proxy",
                params={"run_id": run.id},
            )
        location = run.artifact_uri[len(prefix) :].strip("/")
        await self._call(
            "PUT",
            f"api/2.0/mlflow-artifacts/artifacts/{quote(location)}/{quote(path)}",
            body=data,
            content_type=content_type,
        )

    async def set_tag(self, run_id: str, key: str, value: str) -> None:
        await self._json(
            "POST", "runs/set-tag", payload={"run_id": run_id, "key": key, "value": value}
        )

    async def set_experiment_tag(self, experiment_id: str, key: str, value: str) -> None:
        await self._json(
            "POST",
            "experiments/set-experiment-tag",
            payload={"experiment_id": experiment_id, "key": key, "value": value},
        )
