"""The traffic of a deployment from the caller to the chart, every part real: the invocations
gateway on a real socket in front of real model server processes (scikit-learn models logged
by MLflow), asking the real platform for routes and API keys over HTTP, and reporting what it
counted to the platform's route, which the owner's chart reads back.

Given alice's deployment serving version 1 and a canary (version 2, half the requests) and
an API key of hers; when an external system sends good requests and requests with bad bodies
(the model server's 400s) with the key; then the platform's series says exactly how many each
version answered and how many failed, with their latency. And a gateway that cannot reach the
platform keeps its minutes, bounded, and sends them once the platform answers."""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
import pytest_asyncio
import tornado.httpserver
import tornado.netutil
from aiohttp import web
from prometheus_client import CollectorRegistry

from jupyterlab_mlplat.core.deployments.records import (
    Phase,
    Stage,
    Traffic,
    WorkloadStatus,
)
from jupyterlab_mlplat.core.deployments.rules import workload_name
from jupyterlab_mlplat.core.kernel.errors import TokenRefused
from jupyterlab_mlplat.core.kernel.identity import (
    CHECK_KEYS_SCOPE,
    REPORT_TRAFFIC_SCOPE,
    ROUTE_DEPLOYMENTS_SCOPE,
    Identity,
)
from jupyterlab_mlplat.gateways.invocations import InvocationsGatewayApp, make_app
from jupyterlab_mlplat.gateways.invocations_control import PlatformControl
from jupyterlab_mlplat.gateways.invocations_traffic import TrafficReporter
from jupyterlab_mlplat.platform.app import PlatformApp
from jupyterlab_mlplat.platform.auth import PlatformAuthenticator
from tests.gateways.conftest import (
    ModelServer,
    free_port,
    models,  # noqa: F401  (the session's logged models)
    serving_command,
    start_model_server,
    stop,
)
from tests.traffic.conftest import ALICE, BOB, spec

pytestmark = pytest.mark.asyncio

GATEWAY = Identity(
    "deployments",
    roles=(),
    kind="service",
    grants=frozenset({ROUTE_DEPLOYMENTS_SCOPE, CHECK_KEYS_SCOPE, REPORT_TRAFFIC_SCOPE}),
)
PEOPLE = {f"{who.name}-token": who for who in (ALICE, BOB, GATEWAY)}
COLUMNS = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
GOOD = {"dataframe_split": {"columns": COLUMNS, "data": [[5.1, 3.5, 1.4, 0.2]]}}
#: a column missing: the model server's 400 (missing_column), passed through by the gateway
BAD = {"dataframe_split": {"columns": COLUMNS[:3], "data": [[5.1, 3.5, 1.4]]}}


class TokenTable(PlatformAuthenticator):
    async def authenticate(self, token: str | None) -> Identity:
        if token not in PEOPLE:
            raise TokenRefused("This token is not valid for this platform.")
        return PEOPLE[token]


def _platform(tmp_path: Path, database_url: str, port: int) -> tuple[PlatformApp, Any]:
    """The real platform (no deployments backend: the test says which workloads are ready,
    as a backend would) on ``port``, serving on this event loop."""
    app = PlatformApp(
        data_dir=str(tmp_path / "platform"),
        db_url=database_url,
        base_url="/services/mlplat/",
        authenticator_class=TokenTable,
        deployer_class=None,
    )
    app.drift_interval_minutes = 0
    app.traffic_prune_minutes = 0
    app.services = app.build_services()
    server = app.listen(tornado.netutil.bind_sockets(port, "127.0.0.1", family=socket.AF_INET))
    return app, server


@pytest.fixture(scope="module")
def servers(models: dict[str, str]) -> Iterator[dict[str, ModelServer]]:  # noqa: F811
    """Versions 1 and 2 of ``churn-api``, real model server processes."""
    started: dict[str, ModelServer] = {}
    try:
        for version in ("1", "2"):
            port = free_port()
            command = [*serving_command(models, "churn-api", version, "iris"), "--port", str(port)]
            started[version] = start_model_server(command, port, version)
        yield started
    finally:
        for server in started.values():
            stop(server)


@pytest_asyncio.fixture
async def world(
    tmp_path: Path, sqlite_url: str, servers: dict[str, ModelServer]
) -> AsyncIterator[tuple[PlatformApp, str]]:
    port = free_port()
    app, server = _platform(tmp_path, sqlite_url, port)
    assert app.services is not None
    canary = spec(("1", Traffic.PRIMARY, 50), ("2", Traffic.CANARY, 50))
    with app.services.store.transaction("alice") as tx:  # type: ignore[attr-defined]
        tx.insert_deployment("churn-api", "alice", Stage.STAGING, canary, datetime.now(UTC))
    ready = [
        WorkloadStatus(
            name=workload_name("churn-api", v),
            phase=Phase.READY,
            replicas=1,
            ready_replicas=1,
            url=s.url,
            observed_at=datetime.now(UTC),
        )
        for v, s in servers.items()
    ]
    page = app.services.deployments.observed("churn-api", ready)  # as the reconciler would
    assert page is not None and len(page.route) == 2
    yield app, f"http://127.0.0.1:{port}/services/mlplat/"
    server.stop()
    app.close()


async def _json(
    http: aiohttp.ClientSession, method: str, url: str, token: str, body: Any = None
) -> Any:
    async with http.request(
        method, url, json=body, headers={"Authorization": f"token {token}"}
    ) as answer:
        assert answer.status < 300, await answer.text()
        return await answer.json()


async def test_what_the_gateway_answered_is_what_the_owners_chart_reads(
    world: tuple[PlatformApp, str],
) -> None:
    _, platform = world
    api = platform + "api/v1/"
    async with aiohttp.ClientSession() as http:
        keys = {}
        for name, rate in (("ext", 1000), ("slow", 0.1)):  # the slow key: one, then 429s
            body = {"name": name, "deployments": ["churn-api"], "rate_limit": rate}
            made = await _json(http, "POST", api + "apikeys", "alice-token", body)
            keys[name] = made["secret"]
        gateway_app = InvocationsGatewayApp(
            platform_url=platform,
            platform_token="deployments-token",
            hub_api_url="",
            object_store_dir="",
            drift_sample_rate=0.0,
            route_poll_seconds=0.2,
            traffic_report_seconds=0.2,
        )
        runner = web.AppRunner(make_app(gateway_app.build()), access_log=None)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        url = f"http://127.0.0.1:{port}/api/v1/deployments/churn-api/invocations"
        answered: Counter[tuple[str, int]] = Counter()
        try:
            calls = [("ext", GOOD)] * 12 + [("ext", BAD)] * 5 + [("slow", GOOD)] * 2
            for key, body in calls:
                headers = {"Authorization": f"Bearer {keys[key]}"}
                async with http.post(url, json=body, headers=headers) as answer:
                    await answer.read()
                    # a rate limit refuses before a version is chosen: version ""
                    answered[(answer.headers.get("X-Model-Version", ""), answer.status)] += 1
            # a caller without a valid key names no deployment of anyone's: not counted
            refused = {"Authorization": "Bearer mlp_nope_x"}
            async with http.post(url, json=GOOD, headers=refused) as answer:
                assert answer.status == 401
        finally:
            await runner.cleanup()  # a stopping gateway sends everything it counted
        assert sum(answered.values()) == 19 and answered[("", 429)] == 1, answered

        since = urlencode({"since": (datetime.now(UTC) - timedelta(minutes=5)).isoformat()})
        path = f"deployments/churn-api/traffic/series?{since}"
        chart = await _json(http, "GET", api + path, "alice-token")
        got = {
            s["version"]: tuple(
                sum(p[field] for p in s["points"])
                for field in ("requests", "client_errors", "server_errors", "rate_limited")
            )
            for s in chart["series"]
        }
        expected = {
            v: (answered[(v, 200)] + answered[(v, 400)], answered[(v, 400)], 0, 0)
            for v in ("1", "2")
            if answered[(v, 200)] + answered[(v, 400)]
        }
        assert got == {"": (1, 0, 0, 1), **expected}
        # 18 requests answered by the versions, the 5 bad bodies among them as 400s
        assert sum(v[0] for k, v in got.items() if k) == 18
        assert sum(v[1] for v in got.values()) == 5
        for series in chart["series"][1:]:  # the refused one took no model's time
            for point in series["points"]:
                assert 0 < point["p50_ms"] <= point["p95_ms"] <= point["p99_ms"] < 10_000
        # bob is told there is nothing of that name
        bob = {"Authorization": "token bob-token"}
        async with http.get(api + "deployments/churn-api/traffic/series", headers=bob) as answer:
            assert (answer.status, (await answer.json())["reason"]) == (404, "deployment_not_found")


async def test_minutes_wait_for_a_platform_that_does_not_answer_bounded_and_counted(
    tmp_path: Path, sqlite_url: str
) -> None:
    port = free_port()  # nothing listens there yet
    now = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=10)
    clock = [now.timestamp() + 10]
    registry = CollectorRegistry()
    control = PlatformControl(
        f"http://127.0.0.1:{port}/services/mlplat/", "deployments-token", timeout=2
    )
    reporter = TrafficReporter(
        control, registry, gateway="gw-test", limit=3, clock=lambda: clock[0]
    )
    for minute in range(4):  # four minutes of one request each, the buffer holds three
        clock[0] = now.timestamp() + 60 * minute + 10
        reporter.count("churn-api", "1", 200, 0.002)
    clock[0] = now.timestamp() + 60 * 4 + 1
    await reporter.send()
    await reporter.send()  # tried again at the next tick: still nobody there
    assert len(reporter.outbox) == 3
    assert (
        registry.get_sample_value("mlplat_gateway_traffic_minutes_total", {"outcome": "dropped"})
        == 1
    )
    assert registry.get_sample_value("mlplat_gateway_traffic_report_failures_total") == 2
    assert registry.get_sample_value("mlplat_gateway_traffic_buffered") == 3

    app, server = _platform(tmp_path, sqlite_url, port)
    try:
        assert app.services is not None
        with app.services.store.transaction("alice") as tx:  # type: ignore[attr-defined]
            tx.insert_deployment(
                "churn-api", "alice", Stage.STAGING, spec(), now - timedelta(hours=1)
            )
        await reporter.send()
        assert len(reporter.outbox) == 0
        assert (
            registry.get_sample_value("mlplat_gateway_traffic_minutes_total", {"outcome": "sent"})
            == 3
        )
        chart = app.services.traffic.chart(
            ALICE, "churn-api", since=(now - timedelta(minutes=1)).isoformat()
        )
        [series] = chart.series
        # the oldest minute was the one dropped; the other three arrived, each once
        assert [(p.at, p.requests) for p in series.points] == [
            (now + timedelta(minutes=m), 1) for m in (1, 2, 3)
        ]
    finally:
        server.stop()
        app.close()
