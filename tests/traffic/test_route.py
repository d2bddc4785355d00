"""The traffic routes on a real platform over HTTP: the gateway's hub service reports minutes
(``POST /api/v1/deployment-traffic``), a person may not; the owner and admins read the series
(``GET /api/v1/deployments/{name}/traffic/series``), anyone else is told it does not exist
however the name is spelled; every bad range or report is a 400 naming its field.

People and services are told apart by a token table (an implementation of the platform's
authenticator port); every route, rule and store is the real one."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import pytest_asyncio
import tornado.netutil
from tornado.httpclient import AsyncHTTPClient

from jupyterlab_mlplat.api.traffic import TrafficMinuteBody, TrafficReport
from jupyterlab_mlplat.core.deployments.records import Stage
from jupyterlab_mlplat.core.kernel.errors import TokenRefused
from jupyterlab_mlplat.core.kernel.identity import Identity
from jupyterlab_mlplat.platform.app import PlatformApp
from jupyterlab_mlplat.platform.auth import PlatformAuthenticator
from tests.traffic.conftest import ADAM, ALICE, BOB, GATEWAY, minute, spec

pytestmark = pytest.mark.asyncio

PEOPLE = {f"{who.name}-token": who for who in (ALICE, BOB, ADAM, GATEWAY)}


class TokenTable(PlatformAuthenticator):
    async def authenticate(self, token: str | None) -> Identity:
        if token not in PEOPLE:
            raise TokenRefused("This token is not valid for this platform.")
        return PEOPLE[token]


@pytest_asyncio.fixture
async def platform(tmp_path: Path, database_url: str) -> AsyncIterator[tuple[PlatformApp, str]]:
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    app = PlatformApp(
        data_dir=str(tmp_path),
        db_url=database_url,
        base_url="/",
        authenticator_class=TokenTable,
        deployer_class=None,  # deployments recorded, never run: these tests are about traffic
    )
    app.drift_interval_minutes = 0
    app.traffic_prune_minutes = 0
    app.services = app.build_services()
    with app.services.store.transaction("alice") as tx:  # type: ignore[attr-defined]
        tx.insert_deployment("churn-api", "alice", Stage.STAGING, spec(), datetime.now(UTC))
    server = app.listen(sockets)
    yield app, f"http://127.0.0.1:{sockets[0].getsockname()[1]}/api/v1/"
    server.stop()
    app.close()


async def _call(url: str, token: str, *, body: Any = None, method: str = "GET") -> tuple[int, Any]:
    answer = await AsyncHTTPClient().fetch(
        url,
        method=method,
        body=None if body is None else json.dumps(body),
        allow_nonstandard_methods=True,
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
        raise_error=False,
    )
    return answer.code, json.loads(answer.body) if answer.body else None


def _this_hour() -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=30)


def _report(*minutes: Any, gateway: str = "gw-1") -> dict[str, Any]:
    body = [TrafficMinuteBody.of(m) for m in minutes]
    return TrafficReport(gateway=gateway, minutes=body).model_dump(mode="json")


async def test_the_gateway_reports_and_the_owner_reads_each_version(
    platform: tuple[PlatformApp, str],
) -> None:
    _, url = platform
    at = _this_hour()
    report = _report(
        minute(at, 10, client_errors=3, ms=4),
        minute(at, 4, version="2", server_errors=1, ms=400),
        minute(at + timedelta(minutes=1), 6, ms=4),
        minute(at, 2, version="", rate_limited=2),
        minute(at, 5, deployment="nobody-has-this"),
    )
    status, receipt = await _call(
        url + "deployment-traffic", "deployments-token", body=report, method="POST"
    )
    assert (status, receipt) == (200, {"stored": 4, "unknown": 1, "expired": 0})
    # the answer was lost: sent again, nothing counts twice
    status, _ = await _call(
        url + "deployment-traffic", "deployments-token", body=report, method="POST"
    )
    assert status == 200

    since = urlencode({"since": (at - timedelta(minutes=5)).isoformat()})
    for who in ("alice-token", "adam-token"):
        status, body = await _call(url + f"deployments/churn-api/traffic/series?{since}", who)
        assert status == 200, body
        assert (body["deployment"], body["step"], body["step_seconds"]) == ("churn-api", "1m", 60)
        by_version = {s["version"]: s["points"] for s in body["series"]}
        assert [s["version"] for s in body["series"]] == ["", "1", "2"]
        first = by_version["1"][0]
        assert (first["requests"], first["errors"], first["client_errors"]) == (10, 3, 3)
        assert first["error_rate"] == pytest.approx(0.3)
        assert 3 < first["p50_ms"] <= 5 and 3 < first["p99_ms"] <= 5
        assert [p["requests"] for p in by_version["1"]] == [10, 6]
        canary = by_version["2"][0]
        assert (canary["server_errors"], 250 < canary["p95_ms"] <= 500) == (1, True)
        assert by_version[""][0]["rate_limited"] == 2 and by_version[""][0]["p50_ms"] is None


@pytest.mark.parametrize(
    "spelling",
    [
        "churn-api",
        "%63hurn-api",
        "churn%2Dapi",
        "CHURN-API",
        "churn-api%20",
        "churn-api%00",
        "churn-api%2F..",
    ],
)
async def test_bob_never_reads_alices_traffic_however_he_spells_it(
    platform: tuple[PlatformApp, str], spelling: str
) -> None:
    _, url = platform
    status, body = await _call(url + f"deployments/{spelling}/traffic/series", "bob-token")
    assert (status, body["reason"]) == (404, "deployment_not_found"), body
    assert "Traceback" not in json.dumps(body)


async def test_alice_reads_her_own_under_any_spelling_of_its_name(
    platform: tuple[PlatformApp, str],
) -> None:
    _, url = platform
    for spelling in ("%63hurn-api", "churn%2Dapi"):
        status, body = await _call(url + f"deployments/{spelling}/traffic/series", "alice-token")
        assert (status, body["series"]) == (200, []), body  # no traffic yet: no series


@pytest.mark.parametrize(
    ("query", "field", "rule"),
    [
        ("since=yesterday", "since", "not_a_time"),
        ("until=2026-02-30", "until", "not_a_time"),
        ("since=2030-01-02T00:00:00Z&until=2030-01-01T00:00:00Z", "since", "after_until"),
        ("since=2020-01-01T00:00:00Z", "since", "beyond_retention"),
        ("step=10s", "step", "not_offered"),
        (
            f"since={(datetime.now(UTC) - timedelta(days=20)).date()}&step=1m",
            "step",
            "too_many_points",
        ),
    ],
)
async def test_a_range_that_cannot_be_read_is_a_400_naming_its_field(
    platform: tuple[PlatformApp, str], query: str, field: str, rule: str
) -> None:
    _, url = platform
    status, body = await _call(url + f"deployments/churn-api/traffic/series?{query}", "alice-token")
    assert (status, body["reason"]) == (400, "traffic_range_invalid"), body
    assert (body["params"]["field"], body["params"]["rule"]) == (field, rule)


async def test_only_the_gateways_service_reports_and_bad_reports_are_400s(
    platform: tuple[PlatformApp, str],
) -> None:
    _, url = platform
    at = _this_hour()
    good = _report(minute(at, 1))
    status, body = await _call(url + "deployment-traffic", "alice-token", body=good, method="POST")
    assert (status, body["reason"]) == (403, "token_lacks_access")
    bad_minute = _report(minute(at + timedelta(seconds=30), 1))
    status, body = await _call(
        url + "deployment-traffic", "deployments-token", body=bad_minute, method="POST"
    )
    assert (status, body["reason"], body["params"]["rule"]) == (
        400,
        "traffic_report_invalid",
        "not_a_minute",
    )
    too_many = _report(minute(at, 1, client_errors=2))
    status, body = await _call(
        url + "deployment-traffic", "deployments-token", body=too_many, method="POST"
    )
    assert (status, body["params"]) == (400, {"field": "minutes.0", "rule": "more_than_requests"})
    short = {**good, "minutes": [{**good["minutes"][0], "latency": [1, 2]}]}
    status, body = await _call(
        url + "deployment-traffic", "deployments-token", body=short, method="POST"
    )
    assert (status, body["reason"], body["params"]["field"]) == (
        400,
        "body_invalid",
        "minutes.0.latency",
    )
    named = {**good, "gateway": "gw 1; DROP"}
    status, body = await _call(
        url + "deployment-traffic", "deployments-token", body=named, method="POST"
    )
    assert (status, body["reason"], body["params"]["field"]) == (400, "body_invalid", "gateway")
    negative = {**good, "minutes": [{**good["minutes"][0], "requests": -1}]}
    status, body = await _call(
        url + "deployment-traffic", "deployments-token", body=negative, method="POST"
    )
    assert (status, body["reason"]) == (400, "body_invalid")
    status, body = await _call(
        url + "deployment-traffic", "deployments-token", body=None, method="POST"
    )
    assert (status, body["reason"]) == (400, "body_invalid")
