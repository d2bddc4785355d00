"""The model server's HTTP side: one bare ASGI callable, no framework.

A framework's routing, request objects and middleware cost more per request than predicting one
row with a linear model; here a request is a dictionary lookup on its path, a body read, the
checks of ``schema.py``, the call and an orjson dump (``bench/serving.py`` measured the choice).
Small batches are predicted on the event loop (a thread hop costs more than the prediction);
large ones in a thread, so the health probes keep answering while they run.

Errors: the MLflow protocol answers ``{"error_code": "BAD_REQUEST", "message", "reason"}``,
v2 ``{"error", "reason"}``; a client's mistake is a 4xx naming it, anything unexpected a 500
with a request-free message, logged as one line (never a traceback in a response).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

from . import protocols
from .errors import BadInput, LoadError
from .model import Model
from .schema import Batch

log = logging.getLogger("mlplat.serving")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

#: a request body above this is refused before it is read whole (413)
DEFAULT_MAX_BODY = 16 * 1024 * 1024
#: batches with more rows than this are predicted in a thread
THREAD_ROWS = 2_000
JSON = [(b"content-type", b"application/json")]
#: latency buckets in seconds: most answers here take 0.5-5 ms
BUCKETS = (0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25,
           0.5, 1.0, 2.5, 5.0, 10.0)  # fmt: skip


class Metrics:
    """Prometheus series of one replica, in a registry of its own (no process collectors'
    work on every scrape beyond what is registered here)."""

    def __init__(self) -> None:
        # the *_created series double a scrape's size and say nothing a restart count does not
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "mlplat_serving_requests",
            "Requests answered, by protocol and HTTP status",
            ["protocol", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "mlplat_serving_request_duration_seconds",
            "Time from a request's arrival to its answer, by protocol",
            ["protocol"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "mlplat_serving_in_flight_requests", "Requests being answered", registry=self.registry
        )
        self.load_seconds = Gauge(
            "mlplat_serving_model_load_seconds",
            "Seconds it took to fetch and load the model",
            registry=self.registry,
        )
        self.ready = Gauge(
            "mlplat_serving_model_ready", "1 once the model is loaded", registry=self.registry
        )
        # children bound once: labels() costs a lock and a dict lookup per request
        self._counts: dict[tuple[str, int], Any] = {}
        self._times = {p: self.latency.labels(p) for p in ("mlflow", "v2")}

    def observe(self, protocol: str, status: int, seconds: float) -> None:
        child = self._counts.get((protocol, status))
        if child is None:
            child = self._counts[(protocol, status)] = self.requests.labels(protocol, str(status))
        child.inc()
        self._times[protocol].observe(seconds)


class ServingApp:
    """The ASGI application. ``model`` is ``None`` until :meth:`load` has finished."""

    def __init__(
        self,
        name: str,
        version: str,
        loader: Callable[[], Model],
        *,
        on_fatal: Callable[[str], None],
        max_body: int = DEFAULT_MAX_BODY,
    ) -> None:
        self.name = name
        self.version = version
        self.model: Model | None = None
        self.metrics = Metrics()
        self.max_body = max_body
        self._loader = loader
        self._on_fatal = on_fatal
        self._task: asyncio.Task[None] | None = None
        self._get: dict[str, Callable[[], tuple[int, bytes, list[tuple[bytes, bytes]]]]] = {
            "/ping": self._ping,
            "/health": self._ping,
            "/version": self._version,
            "/v2": self._server_metadata,
            "/v2/health/live": self._live,
            "/v2/health/ready": self._ready,
            "/metrics": self._scrape,
        }

    # ------------------------------------------------------------------ ASGI entry point

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                # the socket opens now and the model loads meanwhile: liveness answers at once,
                # readiness once the model is there
                self._task = asyncio.get_running_loop().create_task(self.load())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._task is not None and not self._task.done():
                    self._task.cancel()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def load(self) -> None:
        started = time.perf_counter()
        try:
            model = await asyncio.to_thread(self._loader)
        except LoadError as e:
            self._on_fatal(str(e))
            return
        except Exception as e:  # a loader bug or the model's import code: still one line
            self._on_fatal(f"{type(e).__name__}: {(str(e).splitlines() or [''])[0][:300]}")
            return
        # The model and the libraries it pulled in are ~160,000 objects that live as long as
        # the process; a full collection walked them all (~85 ms of CPU on this machine, a
        # stall every request in flight would wait out). Frozen, collections see only what
        # requests allocate.
        gc.freeze()
        self.model = model
        seconds = time.perf_counter() - started
        self.metrics.load_seconds.set(seconds)
        self.metrics.ready.set(1)
        log.info(
            "model %s version %s (%s) ready in %.2f s",
            self.name,
            self.version or "-",
            model.flavor,
            seconds,
        )

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        method: str = scope["method"]
        if method == "GET" or method == "HEAD":
            route = self._get.get(path)
            if route is not None:
                status, body, headers = route()
                await _respond(send, status, body, headers)  # uvicorn drops a HEAD's body
                return
        if path == "/invocations":
            await self._infer(scope, receive, send, "mlflow", method)
            return
        if path.startswith("/v2/models/"):
            await self._v2_model(scope, receive, send, path[len("/v2/models/") :], method)
            return
        status = 405 if path in self._get else 404
        await _respond(send, status, _mlflow_error(f"no {method} {path} here", "not_found"))

    # ------------------------------------------------------------------------- predicting

    async def _infer(
        self, scope: Scope, receive: Receive, send: Send, protocol: str, method: str
    ) -> None:
        if method != "POST":
            await _respond(send, 405, _error(protocol, f"{scope['path']} takes POST", "method"))
            return
        started = time.perf_counter()
        metrics = self.metrics
        metrics.in_flight.inc()
        status = 500
        try:
            status, body = await self._answer(scope, receive, protocol)
            await _respond(send, status, body)
        finally:
            metrics.in_flight.dec()
            metrics.observe(protocol, status, time.perf_counter() - started)

    async def _answer(self, scope: Scope, receive: Receive, protocol: str) -> tuple[int, bytes]:
        model = self.model
        try:
            if model is None:
                return 503, _error(protocol, "the model is still loading", "not_ready")
            body = await self._body(scope, receive)
            if protocol == "mlflow":
                data, params = protocols.mlflow_input(model, body, _content_type(scope))
                predictions = await self._predict(model, data, params)
                return 200, protocols.mlflow_output(predictions)
            data, echo = protocols.v2_input(model, body)
            predictions = await self._predict(model, data, None)
            return 200, protocols.v2_output(model, predictions, echo)
        except BadInput as e:
            return e.status, _error(protocol, e.message, e.reason, e.params)
        except Exception as e:  # ours, not the client's: one line in the log, no details out
            log.error("%s request failed: %s: %s", protocol, type(e).__name__, _line(e))
            return 500, _error(protocol, "the server failed to answer; see its log", "internal")

    async def _predict(self, model: Model, data: Any, params: dict[str, Any] | None) -> Any:
        rows = (
            data.rows if isinstance(data, Batch) else len(data) if hasattr(data, "__len__") else 0
        )
        if rows > THREAD_ROWS:
            return await asyncio.to_thread(model.predict, data, params)
        return model.predict(data, params)

    async def _body(self, scope: Scope, receive: Receive) -> bytes:
        limit = self.max_body
        for key, value in scope["headers"]:
            if key == b"content-length" and value.isdigit() and int(value) > limit:
                raise BadInput(f"the body is larger than {limit} bytes", "too_large", 413)
        message = await receive()
        body: bytes = message.get("body", b"")
        if not message.get("more_body"):
            return body
        chunks = [body]
        size = len(body)
        while message.get("more_body"):
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise BadInput(f"the body is larger than {limit} bytes", "too_large", 413)
            chunks.append(chunk)
        return b"".join(chunks)

    # ------------------------------------------------------------------------------- v2

    async def _v2_model(
        self, scope: Scope, receive: Receive, send: Send, rest: str, method: str
    ) -> None:
        name, _, action = rest.partition("/")
        if action.startswith("versions/"):
            version, _, action = action[len("versions/") :].partition("/")
            if version != self.version:
                await _respond(
                    send,
                    404,
                    _v2_error(
                        f"version {version!r} of {name!r} is not served here", "unknown_version"
                    ),
                )
                return
        if name != self.name:
            await _respond(
                send, 404, _v2_error(f"model {name!r} is not served here", "unknown_model")
            )
            return
        if action == "infer":
            await self._infer(scope, receive, send, "v2", method)
        elif method not in ("GET", "HEAD"):
            await _respond(send, 405, _v2_error(f"{scope['path']} takes GET", "method"))
        elif action == "ready":
            await _respond(send, *self._ready()[:2])
        elif action == "":
            if self.model is None:
                await _respond(send, 503, _v2_error("the model is still loading", "not_ready"))
            else:
                await _respond(send, 200, orjson.dumps(protocols.v2_metadata(self.model)))
        else:
            await _respond(send, 404, _v2_error(f"no {scope['path']} here", "not_found"))

    # --------------------------------------------------------------- probes and metadata

    def _ping(self) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        # as ``mlflow models serve``: healthy once the model is loaded
        return (200, b"\n", JSON) if self.model is not None else (503, b"\n", JSON)

    def _live(self) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        return 200, b'{"live":true}', JSON

    def _ready(self) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        if self.model is None:
            return 503, b'{"ready":false}', JSON
        return 200, b'{"ready":true}', JSON

    def _version(self) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        model = self.model
        return (
            200,
            orjson.dumps(
                {
                    "name": self.name,
                    "version": self.version,
                    "flavor": model.flavor if model else None,
                    "mlflow_version": model.mlflow_version if model else None,
                }
            ),
            JSON,
        )

    def _server_metadata(self) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        return 200, orjson.dumps({"name": "mlplat-serving", "version": "1", "extensions": []}), JSON

    def _scrape(self) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        return (
            200,
            generate_latest(self.metrics.registry),
            [(b"content-type", CONTENT_TYPE_LATEST.encode())],
        )


def _content_type(scope: Scope) -> str:
    for key, value in scope["headers"]:
        if key == b"content-type":
            return str(value.decode("latin-1"))
    return ""


def _error(
    protocol: str, message: str, reason: str, params: Mapping[str, Any] | None = None
) -> bytes:
    if protocol == "mlflow":
        return _mlflow_error(message, reason, params)
    return _v2_error(message, reason, params)


def _mlflow_error(message: str, reason: str, params: Mapping[str, Any] | None = None) -> bytes:
    code = "BAD_REQUEST" if reason not in ("internal", "not_ready") else "INTERNAL_ERROR"
    said = {"error_code": code, "message": message, "reason": reason}
    return orjson.dumps({**said, "params": dict(params)} if params else said)


def _v2_error(message: str, reason: str, params: Mapping[str, Any] | None = None) -> bytes:
    said = {"error": message, "reason": reason}
    return orjson.dumps({**said, "params": dict(params)} if params else said)


async def _respond(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] = JSON
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0][:300]
