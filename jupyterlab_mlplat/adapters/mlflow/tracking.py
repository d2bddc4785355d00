"""The experiment tracker on MLflow's REST API, called as one person (their hub token).

Async and minimal on purpose: the sidebar's reads go out concurrently and ask only for one page,
which MLflow's synchronous Python client cannot do. MLflow's answers are mapped to the core's
typed errors in one table.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import quote, urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from jupyterlab_mlplat.core.experiments.errors import (
    ArtifactNotFound,
    ArtifactStoreNotWritable,
    ExperimentNotFound,
    MLflowFailed,
    MLflowForbidden,
    MLflowNotFound,
    MLflowRefused,
    MLflowTokenRefused,
    MLflowUnavailable,
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
from jupyterlab_mlplat.core.kernel.errors import NotFound, PlatformError
from jupyterlab_mlplat.core.kernel.paging import Page

#: MLflow error codes → the core's errors (HTTP status decides when the code is unknown)
ERROR_TABLE: dict[str, type[PlatformError]] = {
    "RESOURCE_DOES_NOT_EXIST": MLflowNotFound,
    "NOT_FOUND": MLflowNotFound,
    "ENDPOINT_NOT_FOUND": MLflowNotFound,
    "INVALID_PARAMETER_VALUE": MLflowRefused,
    "BAD_REQUEST": MLflowRefused,
    "MALFORMED_REQUEST": MLflowRefused,
    "RESOURCE_ALREADY_EXISTS": MLflowRefused,
    "PERMISSION_DENIED": MLflowForbidden,
    "UNAUTHENTICATED": MLflowTokenRefused,
    "TEMPORARILY_UNAVAILABLE": MLflowUnavailable,
}
STATUS_TABLE: dict[int, type[PlatformError]] = {
    400: MLflowRefused,
    401: MLflowTokenRefused,
    403: MLflowForbidden,
    404: MLflowNotFound,
    503: MLflowUnavailable,
}
HISTORY_PAGE = 25_000
#: how much of MLflow's own message travels as ``params.said``
SAID_LIMIT = 300


def _error(status: int, body: bytes, *, missing: NotFound | None) -> PlatformError:
    """The core error for an MLflow answer; ``missing`` is what a read reports when the object
    is absent or hidden."""
    try:
        payload = json.loads(body)
        code = str(payload.get("error_code", ""))
        message = str(payload.get("message", "")) or f"MLflow answered {status}"
    except (ValueError, AttributeError):
        code, message = "", f"MLflow answered {status}"
    kind = ERROR_TABLE.get(code) or STATUS_TABLE.get(status)
    if kind is None:
        return MLflowFailed(
            f"MLflow failed ({status}); try again in a moment", params={"status": status}
        )
    if missing is not None and kind in (MLflowNotFound, MLflowForbidden):
        # MLflow's auth answers 403 for a run that does not exist, so an id cannot be probed.
        return missing
    if kind is MLflowRefused:
        return MLflowRefused(message, params={"said": message[:SAID_LIMIT]})
    if kind is MLflowUnavailable:
        return MLflowUnavailable("MLflow is temporarily unavailable; try again in a moment.")
    return kind(message)


def _to_mlflow_token(token: str) -> str:
    """The core's page token (rows before the page) as MLflow writes one
    (``SearchUtils.create_page_token``: base64 of ``{"offset": n}``)."""
    return base64.b64encode(json.dumps({"offset": int(token)}).encode()).decode()


def _from_mlflow_token(token: str | None) -> str | None:
    """MLflow's ``next_page_token`` as the core's: its offset in decimal digits."""
    if not token:
        return None
    try:
        offset = json.loads(base64.b64decode(token, validate=True)).get("offset")
    except (binascii.Error, ValueError, AttributeError):
        offset = None
    if type(offset) is not int or offset < 1:
        raise MLflowFailed(
            "MLflow handed out a page token of a form this workbench does not know.",
            params={"status": 200},
        )
    return str(offset)


def _run_missing(run_id: str) -> RunNotFound:
    return RunNotFound(
        f"run {run_id} does not exist, or is not visible to you", params={"run_id": run_id}
    )


def _int(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


def _run(payload: dict[str, Any]) -> RunData:
    info = payload.get("info", {})
    data = payload.get("data", {})
    return RunData(
        id=info["run_id"],
        name=info.get("run_name", ""),
        experiment_id=str(info.get("experiment_id", "")),
        status=info.get("status", "RUNNING"),
        start_time=_int(info.get("start_time")),
        end_time=_int(info.get("end_time")),
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
        creation_time=_int(payload.get("creation_time")),
        last_update_time=_int(payload.get("last_update_time")),
    )


def _sql_literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


class MlflowTracker(Tracker):
    """``core.experiments.ports.Tracker`` on an MLflow tracking server (here: the workbench's
    gateway)."""

    def __init__(self, tracking_uri: str, token: str, *, timeout: float = 30.0) -> None:
        self.base = tracking_uri.rstrip("/")
        self._token = token
        self._timeout = timeout

    def __repr__(self) -> str:  # never show the token
        return f"MlflowTracker({self.base!r})"

    async def _call(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | list[tuple[str, Any]] | None = None,
        payload: dict[str, Any] | None = None,
        body: bytes | None = None,
        content_type: str = "application/json",
        missing: NotFound | None = None,
    ) -> tuple[bytes, str]:
        url = f"{self.base}/{path}" + (f"?{urlencode(query, doseq=True)}" if query else "")
        headers = {"Authorization": f"Bearer {self._token}"}
        if payload is not None:
            body = json.dumps(payload).encode()
        if body is not None:
            headers["Content-Type"] = content_type
        request = HTTPRequest(
            url,
            method=method,
            headers=headers,
            body=body,
            connect_timeout=self._timeout,
            request_timeout=self._timeout,
            follow_redirects=False,
        )
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except (OSError, TimeoutError, HTTPClientError):
            # tornado raises its own HTTPTimeoutError (an HTTPClientError, not a TimeoutError)
            # when MLflow, or the queue before it, does not answer in time: busy, not broken
            response = None
        if response is None or response.code == 599:
            raise MLflowUnavailable(
                "MLflow is not reachable right now; the workbench retries by itself."
            )
        if response.code >= 300:
            raise _error(response.code, response.body or b"", missing=missing)
        return response.body or b"", response.headers.get("Content-Type", "")

    async def _json(
        self, method: str, path: str, *, root: str = "api", **kwargs: Any
    ) -> dict[str, Any]:
        body, _ = await self._call(method, f"{root}/2.0/mlflow/{path}", **kwargs)
        return json.loads(body or b"{}")  # type: ignore[no-any-return]

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
            payload["page_token"] = _to_mlflow_token(page_token)
        answer = await self._json("POST", "experiments/search", payload=payload)
        return Page(
            [_experiment(e) for e in answer.get("experiments", [])],
            _from_mlflow_token(answer.get("next_page_token")),
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
            payload["page_token"] = _to_mlflow_token(page_token)
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
            _from_mlflow_token(answer.get("next_page_token")),
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
            ArtifactFile(f["path"], bool(f.get("is_dir")), _int(f.get("file_size")))
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
