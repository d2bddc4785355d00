"""The invocations gateway: the deployments' data plane, a JupyterHub-managed service of its own
(``deployments``) that external systems and people call to get predictions.

    POST /api/v1/deployments/{name}/invocations  MLflow scoring → the target's /invocations
    POST /v2/models/{name}/infer                 Open Inference v2 → /v2/models/{name}/infer
    GET  /v2/models/{name}[/ready]               the model's metadata and readiness
    GET  /metrics                                Prometheus (on the gateway's own port only)

The paths answer at the root of the gateway's port and under its hub prefix
(``/services/deployments/…``, through the hub's proxy); ``/metrics`` and ``/health`` only at the
root, which the hub's proxy never forwards to, so they are for the operator's scraper alone.

A request carries an API key (``Authorization: Bearer mlp_…``, checked by the platform and kept
``key_cache_seconds``: a revoked key is refused within that bound) or a person's hub token (the
owner of the deployment or an admin). The route (the deployment's ready workloads) comes from a
table the platform's change feed keeps fresh; the request goes to the primary or the canary by
the percentages, is sent once more to another ready workload if its connection fails, and is
copied to the shadow off the response path. What the model server says of the client's input
(its 4xx) reaches the client as it was written; its own failures become 502/503 with a reason.

Speed: aiohttp serves and forwards (its C HTTP parser, one client session whose connector keeps
connections to every target alive), on uvloop when installed. Nothing on the path of a warm
request waits for the platform or a disk: auth and routes are cached, samples and shadows are
tasks. ``bench/serving.py --gateway-url`` measures it beside the model server alone.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import re
import signal
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import aiohttp
from aiohttp import web
from jupyterhub.services.auth import HubAuth
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from traitlets import Float, Int, Type, Unicode, default
from traitlets.config import Application

from jupyterlab_mlplat import __version__
from jupyterlab_mlplat.api.errors import WWW_AUTHENTICATE, status_for
from jupyterlab_mlplat.api.request_id import LOG_FORMAT, REQUEST_ID_HEADER, accept_or_mint
from jupyterlab_mlplat.api.traffic import GATEWAY_ID_PATTERN
from jupyterlab_mlplat.core.deployments.errors import DeploymentNotFound
from jupyterlab_mlplat.core.deployments.records import Route, RouteTarget
from jupyterlab_mlplat.core.deployments.routing import (
    DeploymentNotReady,
    KeyGrant,
    ModelServerFailed,
    ModelServerUnreachable,
    RateLimited,
    SampleBatch,
    ShadowSlots,
    TokenBucket,
    agree,
    deployment_name,
    drift_key,
    fallback,
    key_may_call,
    key_owner_may_call,
    person_may_call,
    pick,
    retry_after,
    sampled,
    shadow_target,
)
from jupyterlab_mlplat.core.kernel.errors import PlatformError
from jupyterlab_mlplat.core.kernel.storage import ObjectStore, ObjectStoreSettings

from .invocations_control import (
    ControlPlane,
    HubPeople,
    KeyCache,
    PlatformControl,
    RouteTable,
    caller_for,
)
from .invocations_traffic import TrafficReporter, TrafficSink, gateway_id

log = logging.getLogger("mlplat.invocations")

#: the model server's answer headers that reach the client (the rest describe one hop)
_PASSED_HEADERS = ("Content-Type",)
#: the client's headers that reach the model server (never its credentials)
_FORWARDED_HEADERS = ("Content-Type", "Accept")
#: which version answered: lets a client (and the tests) see the canary split
VERSION_HEADER = "X-Model-Version"
_JSON = "application/json"


@dataclass(frozen=True)
class Protocol:
    """One way to call a deployment, as data: every path takes the one forward path of
    ``Invocations.answer`` (a workload picked, one retry on another, metrics), and what
    differs between the protocols is only what this says."""

    #: its name in drift samples (``mlflow``, ``v2``) and in logs
    name: str
    method: str
    #: the gateway's path (at the root and under the hub's prefix)
    path: str
    #: the model server's path; ``{name}`` is the deployment's (a DNS label, checked first)
    upstream: str
    #: an answer is a prediction: sampled for drift and copied to a shadow
    predicts: bool


#: every path of the data plane to a model (``make_app`` serves exactly these)
PROTOCOLS = (
    Protocol("mlflow", "POST", "/api/v1/deployments/{name}/invocations", "/invocations", True),
    Protocol("v2", "POST", "/v2/models/{name}/infer", "/v2/models/{name}/infer", True),
    Protocol("v2-metadata", "GET", "/v2/models/{name}", "/v2/models/{name}", False),
    Protocol("v2-ready", "GET", "/v2/models/{name}/ready", "/v2/models/{name}/ready", False),
)


class GatewayMetrics:
    """One registry per gateway (two gateways in one test process never collide). Labels are
    names the route table knows, never raw paths: a flood of made-up names adds no series."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "mlplat_gateway_requests",
            "Requests answered by the invocations gateway",
            ["deployment", "version", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "mlplat_gateway_request_duration_seconds",
            "Time from a request's arrival to its answer, model server included",
            ["deployment", "version"],
            buckets=(0.001, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
            registry=r,
        )
        self.in_flight = Gauge(
            "mlplat_gateway_in_flight",
            "Requests being forwarded now",
            ["deployment"],
            registry=r,
        )
        self.retries = Counter(
            "mlplat_gateway_retries",
            "Requests sent again to another workload after a connection failed",
            ["deployment"],
            registry=r,
        )
        self.shadow = Counter(
            "mlplat_gateway_shadow_requests",
            "Copies sent to a shadow version, by outcome: agree, disagree, failed, dropped "
            "(not sent: too many copies under way)",
            ["deployment", "version", "outcome"],
            registry=r,
        )
        self.shadow_agreement = Gauge(
            "mlplat_gateway_shadow_agreement_ratio",
            "Share of the shadow's answers that agreed with the primary's since the start",
            ["deployment", "version"],
            registry=r,
        )
        self.shadow_latency = Histogram(
            "mlplat_gateway_shadow_duration_seconds",
            "Time the shadow version took to answer its copy",
            ["deployment", "version"],
            buckets=(0.001, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
            registry=r,
        )
        self.drift_samples = Counter(
            "mlplat_gateway_drift_samples",
            "Requests sampled for drift analysis, by outcome: written, dropped",
            ["deployment", "version", "outcome"],
            registry=r,
        )
        self._agreement: dict[tuple[str, str], list[int]] = {}
        # each series' child, found once: labels() validates and locks on every call
        self._children: dict[tuple[str, ...], Any] = {}

    def answered(self, deployment: str, version: str, status: int, seconds: float) -> None:
        """One request's answer, counted (and timed, when its deployment is known)."""
        key: tuple[str, ...] = ("answered", deployment, version, str(status))
        counted = self._children.get(key)
        if counted is None:
            counted = self._children[key] = self.requests.labels(deployment, version, str(status))
        counted.inc()
        if deployment:
            key = ("latency", deployment, version)
            timed = self._children.get(key)
            if timed is None:
                timed = self._children[key] = self.latency.labels(deployment, version)
            timed.observe(seconds)

    def flying(self, deployment: str) -> Any:
        """The in-flight gauge of a deployment."""
        key = ("flying", deployment)
        gauge = self._children.get(key)
        if gauge is None:
            gauge = self._children[key] = self.in_flight.labels(deployment)
        return gauge

    def shadow_outcome(self, deployment: str, version: str, outcome: str) -> None:
        self.shadow.labels(deployment, version, outcome).inc()
        if outcome in ("agree", "disagree"):
            counts = self._agreement.setdefault((deployment, version), [0, 0])
            counts[0 if outcome == "agree" else 1] += 1
            self.shadow_agreement.labels(deployment, version).set(counts[0] / sum(counts))


class DriftSampler:
    """Keeps a share of the answered requests for the drift job (``core/deployments/drift``):
    objects ``drift/<deployment>/<version>/<UTC timestamp>-<n>.jsonl`` in the object store, one
    line per request ``{"time", "request_id", "protocol", "payload"}`` where ``payload`` is the
    request body as the model server received it (``protocol``: ``mlflow`` or ``v2``).

    Off the response path: ``offer`` only appends to a batch; ``run`` writes due batches from a
    worker thread. A batch that has grown to twice ``rows`` while the store lags takes no more
    samples (they are dropped, and counted)."""

    def __init__(
        self,
        store: ObjectStore | None,
        metrics: GatewayMetrics,
        *,
        rate: float,
        rows: int,
        seconds: float,
    ) -> None:
        self.store = store
        self.metrics = metrics
        self.rate = rate if store is not None else 0.0
        self.rows = max(rows, 1)
        self.seconds = seconds
        self.batches: dict[tuple[str, str], SampleBatch] = {}
        self._n = 0
        self._failing = False
        self._full = asyncio.Event()

    def offer(self, deployment: str, version: str, protocol: str, body: bytes, rid: str) -> None:
        if not self.rate or not sampled(random.random(), self.rate):  # noqa: S311 - not a secret
            return
        batch = self.batches.get((deployment, version))
        if batch is None:
            batch = SampleBatch(deployment, version, started=time.monotonic())
            self.batches[(deployment, version)] = batch
        if len(batch.samples) >= 2 * self.rows:
            self.metrics.drift_samples.labels(deployment, version, "dropped").inc()
            return
        batch.samples.append((datetime.now(UTC), rid, protocol, body))
        if len(batch.samples) == self.rows:
            self._full.set()

    async def run(self) -> None:
        """Writes due batches: at once when one is full, else every second or so."""
        while True:
            # asyncio.timeout, not wait_for: Python 3.11's wait_for returned instead of raising
            # when the task was cancelled as the batch filled, and the loop outlived its stop
            with suppress(TimeoutError):
                async with asyncio.timeout(min(1.0, self.seconds)):
                    await self._full.wait()
            self._full.clear()
            await self.flush()

    async def flush(self, *, everything: bool = False) -> None:
        now = time.monotonic()
        for key, batch in list(self.batches.items()):
            if everything or batch.due(now, rows=self.rows, seconds=self.seconds):
                del self.batches[key]
                await self._write(batch)

    async def _write(self, batch: SampleBatch) -> None:
        assert self.store is not None
        self._n += 1
        key = drift_key(batch.deployment, batch.version, datetime.now(UTC), self._n)
        labels = (batch.deployment, batch.version)
        try:
            data, kept = await asyncio.to_thread(_jsonl, batch.samples)
            if kept:
                await asyncio.to_thread(self.store.put, key, data)
        except (PlatformError, OSError) as err:
            self.metrics.drift_samples.labels(*labels, "dropped").inc(len(batch.samples))
            if not self._failing:
                log.warning("drift samples not written to %s: %s", key, _why(err))
            self._failing = True
            return
        self._failing = False
        self.metrics.drift_samples.labels(*labels, "written").inc(kept)
        if kept < len(batch.samples):
            self.metrics.drift_samples.labels(*labels, "dropped").inc(len(batch.samples) - kept)


def _jsonl(samples: list[Any]) -> tuple[bytes, int]:
    """The batch's lines; a body that is not JSON (a CSV request) is left out."""
    lines = []
    for at, rid, protocol, body in samples:
        try:
            payload = json.loads(body)
        except ValueError:
            continue
        line = {"time": at.isoformat(), "request_id": rid, "protocol": protocol}
        lines.append(json.dumps({**line, "payload": payload}, separators=(",", ":")))
    return ("\n".join(lines) + "\n").encode() if lines else b"", len(lines)


def _why(err: BaseException) -> str:
    return err.reason if isinstance(err, PlatformError) else type(err).__name__


#: seconds an idle connection to a model server is kept: shorter than our model server keeps
#: one (``serving.__main__.KEEP_ALIVE_S``), so that the gateway, which sends on it, closes it
IDLE_CONNECTION_S = 60.0


class _Unanswered(Exception):
    """The target's connection failed or it said it is not ready: another target may answer.

    ``closed``: the server closed the connection without answering. That is what a kept-alive
    connection does when the server's idle timeout ends it just as a request goes out on it,
    so the server itself may well be up, and the same request is worth sending to it again
    once (predictions are idempotent) before it counts as failed."""

    def __init__(self, why: str, *, closed: bool = False) -> None:
        super().__init__(why)
        self.closed = closed


class Invocations:
    """The data plane: one per gateway process, shared by every request."""

    def __init__(
        self,
        control: ControlPlane,
        *,
        people: HubPeople | None,
        store: ObjectStore | None = None,
        poll_seconds: float = 0.5,
        key_seconds: float = 2.0,
        burst_seconds: float = 1.0,
        timeout: float = 30.0,
        connect_timeout: float = 3.0,
        connections: int = 100,
        retries: int = 1,
        shadow_limit: int = 8,
        rel_tol: float = 1e-6,
        abs_tol: float = 1e-9,
        drift_rate: float = 0.1,
        drift_rows: int = 500,
        drift_seconds: float = 10.0,
        traffic_seconds: float = 5.0,
        traffic_buffer: int = 100_000,
        gateway: str = "",
    ) -> None:
        self.control = control
        self.routes = RouteTable(control, poll_seconds=poll_seconds)
        self.keys = KeyCache(control, seconds=key_seconds)
        self.people = people
        self.metrics = GatewayMetrics()
        self.sampler = DriftSampler(
            store, self.metrics, rate=drift_rate, rows=drift_rows, seconds=drift_seconds
        )
        self.traffic = TrafficReporter(
            control if isinstance(control, TrafficSink) else None,
            self.metrics.registry,
            gateway=gateway or gateway_id(),
            seconds=traffic_seconds,
            limit=traffic_buffer,
        )
        self.burst_seconds = burst_seconds
        # sock_connect, not connect: aiohttp's connect also counts the wait for a kept
        # connection when all are busy, and a request queued behind slow answers is not one
        # whose server cannot be reached; that wait is bounded by the total alone
        self.timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=connect_timeout)
        self.connections = connections
        self.retries = retries
        self.shadows = ShadowSlots(shadow_limit)
        self.rel_tol, self.abs_tol = rel_tol, abs_tol
        self.buckets: dict[int, TokenBucket] = {}
        self.session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._loops: list[asyncio.Task[None]] = []

    # ---- lifecycle
    async def start(self) -> None:
        connector = aiohttp.TCPConnector(
            limit=0,
            limit_per_host=self.connections,
            keepalive_timeout=IDLE_CONNECTION_S,
            ttl_dns_cache=300,
        )
        self.session = aiohttp.ClientSession(
            connector=connector,
            timeout=self.timeout,
            auto_decompress=False,
            # nobody's cookies travel between callers and model servers
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=("User-Agent", "Accept-Encoding"),
        )
        with suppress(PlatformError):  # the first routes now, if the platform is up
            await self.routes.poll_once()
        self._loops = [
            asyncio.create_task(self.routes.follow()),
            asyncio.create_task(self.sampler.run()),
            asyncio.create_task(self.traffic.run()),
        ]

    async def stop(self) -> None:
        for task in self._loops:
            task.cancel()
        for task in [*self._loops, *self._tasks]:
            with suppress(asyncio.CancelledError, Exception):
                await task
        await self.sampler.flush(everything=True)
        await self.traffic.send(everything=True)
        if self.session is not None:
            await self.session.close()

    # ---- requests
    async def answer(self, request: web.Request, protocol: Protocol) -> web.StreamResponse:
        started = time.perf_counter()
        rid = accept_or_mint(request.headers.get(REQUEST_ID_HEADER))
        labels = ["", ""]
        try:
            name = deployment_name(request.match_info["name"])
            caller = await caller_for(
                request.headers.get("Authorization"),
                caller_address(request),
                self.keys,
                self.people,
            )
            if isinstance(caller, KeyGrant):
                key_may_call(caller, name)
                labels[0] = name  # a name in a key's scopes: a bounded set of labels
                self._admit(caller)
            route = await self.routes.get(name)
            if isinstance(caller, KeyGrant):
                key_owner_may_call(caller, route)
            elif not person_may_call(caller.name, admin=caller.admin, route=route):
                raise DeploymentNotFound(f"There is no deployment {name!r}.", params={"name": name})
            labels[0] = name
            body = await request.read()
            response = await self._forward(request, route, protocol, body, rid, labels)
        except PlatformError as err:
            response = self._refusal(err, rid, request)
        deployment, version = labels
        took = time.perf_counter() - started
        self.metrics.answered(deployment, version, response.status, took)
        if deployment:
            self.traffic.count(deployment, version, response.status, took)
        return response

    def _admit(self, grant: KeyGrant) -> None:
        bucket = self.buckets.get(grant.id)
        burst = max(1.0, grant.rate_limit * self.burst_seconds)
        if bucket is None:
            bucket = self.buckets[grant.id] = TokenBucket(grant.rate_limit, burst)
        elif bucket.rate != grant.rate_limit:
            bucket.retune(grant.rate_limit, burst)
        wait = bucket.take(time.monotonic())
        if wait:
            seconds = retry_after(wait)
            raise RateLimited(
                f"This API key may send {grant.rate_limit:g} requests a second; "
                f"retry in {seconds} s.",
                params={"retry_after": seconds, "rate_limit": grant.rate_limit},
            )

    async def _forward(
        self,
        request: web.Request,
        route: Route,
        protocol: Protocol,
        body: bytes,
        rid: str,
        labels: list[str],
    ) -> web.Response:
        name = route.name
        path = protocol.upstream.format(name=name)
        headers = {h: request.headers[h] for h in _FORWARDED_HEADERS if h in request.headers}
        headers[REQUEST_ID_HEADER] = rid
        method = protocol.method
        target = pick(route, random.random())  # noqa: S311 - a traffic split, not a secret
        if target is None:
            raise DeploymentNotReady(
                f"The deployment {name!r} has no ready model server yet; retry in a moment.",
                params={"name": name},
            )
        labels[1] = target.version  # counted for the version it went to, answered or not
        failed: list[str] = []
        resent: set[str] = set()
        gauge = self.metrics.flying(name)
        gauge.inc()
        try:
            while True:
                try:
                    status, ctype, answer = await self._send(method, target, path, body, headers)
                    break
                except _Unanswered as why:
                    if why.closed and target.url not in resent:
                        resent.add(target.url)
                        log.info(
                            "deployment %s version %s closed the connection unanswered; "
                            "sent again req=%s",
                            name,
                            target.version,
                            rid,
                        )
                        self.metrics.retries.labels(name).inc()
                        continue
                    failed.append(target.url)
                    log.warning(
                        "deployment %s version %s did not answer (%s) req=%s",
                        name,
                        target.version,
                        why,
                        rid,
                    )
                    retry = await self._next_target(name, route, failed)
                    if retry is None or len(failed) > self.retries:
                        raise ModelServerUnreachable(
                            f"No model server of the deployment {name!r} answered; "
                            "retry in a moment.",
                            params={"name": name},
                        ) from None
                    self.metrics.retries.labels(name).inc()
                    target = retry
                    labels[1] = target.version
                except TimeoutError:
                    raise ModelServerUnreachable(
                        f"The model server of the deployment {name!r} did not answer in "
                        f"{self.timeout.total:g} s.",
                        params={"name": name, "timeout": self.timeout.total or 0},
                    ) from None
        finally:
            gauge.dec()
        labels[1] = target.version
        if status >= 500:
            log.warning(
                "deployment %s version %s failed with %d req=%s", name, target.version, status, rid
            )
            raise ModelServerFailed(
                f"The model server of the deployment {name!r} failed ({status}).",
                params={"name": name, "status": status},
            )
        if 200 <= status < 300 and protocol.predicts:
            self.sampler.offer(name, target.version, protocol.name, body, rid)
            shadow = shadow_target(route)
            if shadow is not None:
                self._copy_to_shadow(name, shadow, path, body, headers, answer)
        return web.Response(
            status=status,
            body=answer,
            headers={
                "Content-Type": ctype,
                REQUEST_ID_HEADER: rid,
                VERSION_HEADER: target.version,
            },
        )

    async def _next_target(self, name: str, route: Route, failed: list[str]) -> RouteTarget | None:
        """Another ready target: the platform is asked first (a rollout may have moved the
        route since the table's last poll), the known route when it cannot say."""
        with suppress(PlatformError):
            route = await self.routes.refresh(name)
        return fallback(route, failed)

    async def _send(
        self, method: str, target: RouteTarget, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, str, bytes]:
        assert self.session is not None
        try:
            async with self.session.request(
                method, target.url + path, data=body or None, headers=headers
            ) as upstream:
                answer = await upstream.read()
                if upstream.status == 503:  # not ready (starting, draining): ask another
                    raise _Unanswered("not ready")
                return upstream.status, upstream.headers.get("Content-Type", _JSON), answer
        except aiohttp.ServerDisconnectedError as err:
            raise _Unanswered(type(err).__name__, closed=True) from None
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as err:
            raise _Unanswered(type(err).__name__) from None

    def _copy_to_shadow(
        self,
        name: str,
        shadow: RouteTarget,
        path: str,
        body: bytes,
        headers: dict[str, str],
        primary: bytes,
    ) -> None:
        if not self.shadows.enter():
            self.metrics.shadow_outcome(name, shadow.version, "dropped")
            return
        task = asyncio.create_task(self._shadow(name, shadow, path, body, headers, primary))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _shadow(
        self,
        name: str,
        shadow: RouteTarget,
        path: str,
        body: bytes,
        headers: dict[str, str],
        primary: bytes,
    ) -> None:
        """The shadow answers a copy; its answer is compared, timed and dropped."""
        started = time.perf_counter()
        outcome, why = "failed", ""
        try:
            status, _, answer = await self._send("POST", shadow, path, body, headers)
            self.metrics.shadow_latency.labels(name, shadow.version).observe(
                time.perf_counter() - started
            )
            if 200 <= status < 300:
                same = agree(
                    json.loads(primary),
                    json.loads(answer),
                    rel_tol=self.rel_tol,
                    abs_tol=self.abs_tol,
                )
                outcome = "agree" if same else "disagree"
            else:
                why = f"status {status}"
        except _Unanswered as err:
            why = str(err)
        except TimeoutError:
            why = "timeout"
        except ValueError:
            why = "an answer that is not JSON"
        finally:
            self.shadows.leave()
        if outcome == "failed":  # counted; the log says why, for whoever reads the counter
            log.info(
                "shadow copy to deployment %s version %s failed (%s) req=%s",
                name,
                shadow.version,
                why,
                headers.get(REQUEST_ID_HEADER, ""),
            )
        self.metrics.shadow_outcome(name, shadow.version, outcome)

    def _refusal(self, err: PlatformError, rid: str, request: web.Request) -> web.Response:
        status = status_for(err)
        body: dict[str, Any] = {"message": err.message, "reason": err.reason, "request_id": rid}
        if err.params:
            body["params"] = err.params
        headers = {REQUEST_ID_HEADER: rid}
        if status == 401:
            headers["WWW-Authenticate"] = WWW_AUTHENTICATE
        if isinstance(err, RateLimited):
            headers["Retry-After"] = str(err.params.get("retry_after", 1))
        # one line per refusal; a flood of 429s is the client's business, not the log's
        level = logging.WARNING if status >= 500 else logging.INFO
        if status == 429:
            level = logging.DEBUG
        log.log(level, "%s %s: %d %s req=%s", request.method, request.path, status, err.reason, rid)
        return web.json_response(body, status=status, headers=headers)

    # ---- the operator's endpoints
    async def metrics_page(self, request: web.Request) -> web.Response:
        return web.Response(
            body=generate_latest(self.metrics.registry),
            headers={"Content-Type": CONTENT_TYPE_LATEST},
        )

    async def health(self, request: web.Request) -> web.Response:
        age = time.monotonic() - self.routes.fresh_at if self.routes.fresh_at else None
        return web.json_response(
            {"status": "ok", "routes": len(self.routes.routes), "feed_age_seconds": age}
        )


_LOOPBACK = frozenset({"127.0.0.1", "::1"})


def caller_address(request: web.Request) -> str:
    """Where the call came from, for the key's "last used from": behind the hub's proxy (a
    connection from loopback) the address the proxy appended last to ``X-Forwarded-For``;
    anything a client wrote before it is not trusted."""
    remote = request.remote or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if remote in _LOOPBACK and forwarded:
        return forwarded.rsplit(",", 1)[-1].strip()[:64] or remote
    return remote


def make_app(invocations: Invocations, prefix: str = "/") -> web.Application:
    """The aiohttp application: the data plane's paths at the root and under ``prefix``."""
    app = web.Application(client_max_size=16 * 1024**2)
    app[_KEY] = invocations

    def serve(protocol: Protocol) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handler(request: web.Request) -> web.StreamResponse:
            return await invocations.answer(request, protocol)

        return handler

    prefixes = {"", "/" + prefix.strip("/") if prefix.strip("/") else ""}
    for base in sorted(prefixes):
        for protocol in PROTOCOLS:
            app.router.add_route(protocol.method, base + protocol.path, serve(protocol))
    app.router.add_get("/metrics", invocations.metrics_page)
    app.router.add_get("/health", invocations.health)
    app.middlewares.append(_unknown_paths)

    async def started(_: web.Application) -> None:
        await invocations.start()

    async def stopped(_: web.Application) -> None:
        await invocations.stop()

    app.on_startup.append(started)
    app.on_cleanup.append(stopped)
    return app


_KEY = web.AppKey("invocations", Invocations)


@web.middleware
async def _unknown_paths(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """aiohttp's own refusals (unknown path, wrong method, too large a body) as this API's
    JSON errors with a reason, like every other answer."""
    try:
        return await handler(request)
    except web.HTTPException as err:
        if err.status < 400:
            raise
        reason = {404: "unknown_route", 405: "method_not_allowed", 413: "body_too_large"}.get(
            err.status, "http_error"
        )
        rid = accept_or_mint(request.headers.get(REQUEST_ID_HEADER))
        body = {"message": err.reason or "refused", "reason": reason, "request_id": rid}
        return web.json_response(body, status=err.status, headers={REQUEST_ID_HEADER: rid})


class InvocationsGatewayApp(Application):
    name = "mlplat-invocations"
    description = "The deployments' invocations gateway (a hub-managed service)."
    version = __version__

    aliases = {"port": "InvocationsGatewayApp.port", "ip": "InvocationsGatewayApp.ip"}

    ip = Unicode(help="Address to listen on, e.g. 127.0.0.1.").tag(config=True)
    port = Int(help="Port to listen on, e.g. 8104.").tag(config=True)
    base_url = Unicode(
        help="The hub's prefix of the service, e.g. /services/deployments/ (the paths answer "
        "at the root too). Defaults to $JUPYTERHUB_SERVICE_PREFIX."
    ).tag(config=True)

    @default("ip")
    def _ip_default(self) -> str:
        url = os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:8104")
        return urlparse(url).hostname or "127.0.0.1"

    @default("port")
    def _port_default(self) -> int:
        return (
            urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:8104")).port or 8104
        )

    @default("base_url")
    def _base_url_default(self) -> str:
        return os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/deployments/")

    platform_url = Unicode(
        help="The platform service, which says where deployments run and whose keys are "
        "valid, e.g. http://127.0.0.1:8101/services/mlplat/. Defaults to $MLPLAT_PLATFORM_URL."
    ).tag(config=True)

    @default("platform_url")
    def _platform_url_default(self) -> str:
        return os.environ.get("MLPLAT_PLATFORM_URL", "")

    platform_token = Unicode(
        help="This service's token for the platform (scopes custom:mlplat:route-deployments, "
        "custom:mlplat:check-keys and custom:mlplat:report-traffic). Defaults to "
        "$JUPYTERHUB_API_TOKEN."
    ).tag(config=True)

    @default("platform_token")
    def _platform_token_default(self) -> str:
        return os.environ.get("JUPYTERHUB_API_TOKEN", "")

    hub_api_url = Unicode(
        help="JupyterHub's API, which says whose a hub token is, e.g. "
        "http://127.0.0.1:8081/hub/api. Defaults to $JUPYTERHUB_API_URL; empty: API keys only."
    ).tag(config=True)

    service_name = Unicode(
        help="This service's name at the hub: a person's token must grant access to it "
        "(access:services!service=NAME). Defaults to $JUPYTERHUB_SERVICE_NAME, else deployments."
    ).tag(config=True)

    @default("service_name")
    def _service_name_default(self) -> str:
        return os.environ.get("JUPYTERHUB_SERVICE_NAME", "deployments")

    @default("hub_api_url")
    def _hub_api_url_default(self) -> str:
        return os.environ.get("JUPYTERHUB_API_URL", "")

    route_poll_seconds = Float(
        0.5,
        help="How often the route feed is read: a rollout reaches the gateway within it, e.g. 0.5.",
    ).tag(config=True)
    key_cache_seconds = Float(
        2.0,
        help="How long an API key's check is kept: a revoked key is refused within it (plus "
        "one platform answer), e.g. 2.",
    ).tag(config=True)
    hub_cache_seconds = Float(
        10.0, help="How long JupyterHub's answer for a hub token is kept, e.g. 10."
    ).tag(config=True)
    rate_burst_seconds = Float(
        1.0,
        help="A key may send this many seconds of its rate at once before 429s start, e.g. 1 "
        "(a key of 10 requests a second sends 10 at once).",
    ).tag(config=True)
    upstream_timeout = Float(
        30.0, help="Seconds a model server has to answer a request, e.g. 30."
    ).tag(config=True)
    upstream_connect_timeout = Float(
        3.0,
        help="Seconds to open a connection to a model server before another workload is "
        "tried, e.g. 3 (waiting for a busy kept connection counts toward upstream_timeout).",
    ).tag(config=True)
    upstream_connections = Int(
        100, help="Kept-alive connections to each model server at most, e.g. 100."
    ).tag(config=True)
    retries = Int(
        1,
        help="How many other ready workloads a request is sent to when its workload's "
        "connection fails, e.g. 1.",
    ).tag(config=True)
    shadow_concurrency = Int(
        8,
        help="Copies to shadow versions under way at once at most; beyond, copies are dropped "
        "(and counted), e.g. 8.",
    ).tag(config=True)
    shadow_rel_tol = Float(
        1e-6, help="A shadow's number agrees within this relative tolerance, e.g. 1e-6."
    ).tag(config=True)
    shadow_abs_tol = Float(
        1e-9, help="…or within this absolute tolerance (near 0), e.g. 1e-9."
    ).tag(config=True)
    drift_sample_rate = Float(
        0.1,
        help="Share of answered requests kept for drift analysis, e.g. 0.1 (0: none).",
    ).tag(config=True)
    drift_flush_seconds = Float(
        10.0, help="A batch of samples is written at the latest this old, e.g. 10."
    ).tag(config=True)
    drift_flush_rows = Int(500, help="…or once it holds this many samples, e.g. 500.").tag(
        config=True
    )
    traffic_report_seconds = Float(
        5.0,
        help="How often closed minutes of traffic counts (requests, errors, latency per "
        "deployment and version) are sent to the platform, for the Deployments tab's charts, "
        "e.g. 10.",
    ).tag(config=True)
    traffic_buffer_minutes = Int(
        100_000,
        help="How many closed minutes (one per deployment, version and minute) wait while "
        "the platform does not take them; beyond, the oldest are dropped (and counted), e.g. "
        "100000.",
    ).tag(config=True)
    gateway_id = Unicode(
        help="This process's name in the platform's traffic rows (letters, digits, . _ : -, "
        "at most 64), e.g. gateway-0. Unique per process: two processes with one name "
        "replace each other's minutes. Defaults to the host, the process id and a random tail."
    ).tag(config=True)

    object_store_class = Type(
        # named, not imported: the gateway is configured with a backend, it does not know one
        "jupyterlab_mlplat.adapters.local.objects.LocalObjectStore",
        klass=ObjectStore,
        help="Where drift samples go: the platform's object store (the same class and "
        "folder, or bucket: the s3_* settings), e.g. "
        "jupyterlab_mlplat.adapters.local.objects.LocalObjectStore or "
        "jupyterlab_mlplat.adapters.s3.S3ObjectStore.",
    ).tag(config=True)
    object_store_dir = Unicode(
        help="The platform's object store folder (its object_store_dir), e.g. "
        "/srv/mlplat/platform/objects. Defaults to $MLPLAT_OBJECT_STORE_DIR; empty: no samples."
    ).tag(config=True)

    @default("object_store_dir")
    def _object_store_dir_default(self) -> str:
        return os.environ.get("MLPLAT_OBJECT_STORE_DIR", "")

    # the S3 store's settings, named as the platform's (PlatformApp.s3_*): one config file
    # gives both the same bucket
    s3_endpoint = Unicode(
        "", help="The S3 server of S3ObjectStore, a bare URL, e.g. https://minio.mlplat:9000."
    ).tag(config=True)
    s3_bucket = Unicode("mlplat", help="The platform's bucket, e.g. mlplat.").tag(config=True)
    s3_prefix = Unicode("", help="The platform's key prefix in the bucket, e.g. prod.").tag(
        config=True
    )
    s3_region = Unicode("", help="The S3 region, e.g. us-east-1.").tag(config=True)
    s3_access_key_file = Unicode(
        "", help="File holding the S3 access key id, e.g. /etc/mlplat/s3/access-key."
    ).tag(config=True)
    s3_secret_key_file = Unicode(
        "", help="File holding the S3 secret key, e.g. /etc/mlplat/s3/secret-key."
    ).tag(config=True)

    @default("log_level")
    def _log_level_default(self) -> int:
        return logging.INFO  # a route's changes and every refusal are worth a line

    @default("log_format")
    def _log_format_default(self) -> str:
        return LOG_FORMAT.replace(" req=%(request_id)s", "")

    def build(self, control: ControlPlane | None = None) -> Invocations:
        """The data plane as configured (``control``: the platform client, by default)."""
        if control is None:
            if not self.platform_url:
                raise SystemExit(f"{self.name}: set MLPLAT_PLATFORM_URL (the platform service)")
            if not self.platform_token:
                raise SystemExit(f"{self.name}: set JUPYTERHUB_API_TOKEN (this service's token)")
            control = PlatformControl(self.platform_url, self.platform_token, timeout=5.0)
        if self.gateway_id and not re.fullmatch(GATEWAY_ID_PATTERN, self.gateway_id):
            raise SystemExit(f"{self.name}: gateway_id takes letters, digits and . _ : - (64)")
        people = None
        if self.hub_api_url:
            people = HubPeople(
                HubAuth(
                    api_url=self.hub_api_url,
                    api_token=self.platform_token,
                    cache_max_age=int(self.hub_cache_seconds),
                    access_scopes={f"access:services!service={self.service_name}"},
                )
            )
        store: ObjectStore | None = None
        store_class: Any = self.object_store_class
        settings = ObjectStoreSettings(
            folder=self.object_store_dir,
            endpoint=self.s3_endpoint,
            bucket=self.s3_bucket,
            prefix=self.s3_prefix,
            region=self.s3_region,
            access_key_file=self.s3_access_key_file,
            secret_key_file=self.s3_secret_key_file,
        )
        if (settings.folder or settings.endpoint) and self.drift_sample_rate > 0:
            store = store_class.from_settings(settings)
        else:
            self.log.info("no object store configured: no drift samples are kept")
        return Invocations(
            control,
            people=people,
            store=store,
            poll_seconds=self.route_poll_seconds,
            key_seconds=self.key_cache_seconds,
            burst_seconds=self.rate_burst_seconds,
            timeout=self.upstream_timeout,
            connect_timeout=self.upstream_connect_timeout,
            connections=self.upstream_connections,
            retries=self.retries,
            shadow_limit=self.shadow_concurrency,
            rel_tol=self.shadow_rel_tol,
            abs_tol=self.shadow_abs_tol,
            drift_rate=self.drift_sample_rate,
            drift_rows=self.drift_flush_rows,
            drift_seconds=self.drift_flush_seconds,
            traffic_seconds=self.traffic_report_seconds,
            traffic_buffer=self.traffic_buffer_minutes,
            gateway=self.gateway_id,
        )

    async def serve(self) -> None:
        # the data plane's own lines go where the application's go, in its format and level
        for handler in self.log.handlers:
            log.addHandler(handler)
        log.setLevel(self.log.level)
        log.propagate = False
        app = make_app(self.build(), self.base_url)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.ip, self.port, backlog=1024)
        await site.start()
        self.log.info("invocations gateway on http://%s:%s%s", self.ip, self.port, self.base_url)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await runner.cleanup()

    def start(self) -> None:
        try:
            import uvloop
        except ImportError:  # pragma: no cover - uvloop is a dependency on Linux
            asyncio.run(self.serve())
        else:
            uvloop.run(self.serve())


def main(argv: list[str] | None = None) -> None:
    InvocationsGatewayApp.launch_instance(argv)


if __name__ == "__main__":
    main()
