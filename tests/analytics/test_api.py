"""The analytics API over real HTTP, on SQLite and PostgreSQL: the three questions in exactly
the shapes the sidebar is built against, what each person may see (alice her row and her
team's sum, never bob's row; adam everybody), every bad parameter a 400 naming it with
nothing written, the CSV of each question equal to its JSON rows, and the sidebar's routes
asking as the person whose server it is, whatever the request says."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
import pytest_asyncio
from tornado.httpclient import AsyncHTTPClient

from jupyterlab_mlplat.core.accounts.records import UserRecord
from jupyterlab_mlplat.core.kernel.identity import Role

from .teams_platform import (
    ADAM,
    ALICE,
    BOB,
    TODAY,
    Platform,
    as_cells,
    at,
    csv_rows,
    seed,
)

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def platform(tmp_path: Path, database_url: str) -> AsyncIterator[Platform]:
    running = Platform(tmp_path, database_url)
    seed(running)
    yield running
    running.stop()


# ---- the shapes


async def test_team_figures_in_the_documented_shape(platform: Platform) -> None:
    found = await platform.call("api/v1/analytics/teams?by=person&grain=week")
    assert set(found) == {"from", "to", "by", "grain", "rows", "totals"}
    assert (found["from"], found["to"]) == (
        (TODAY - timedelta(days=29)).isoformat(),
        TODAY.isoformat(),
    )
    assert (found["by"], found["grain"]) == ("person", "week")
    totals = {t["key"]: t for t in found["totals"]}
    assert totals["alice"] == {
        "key": "alice",
        "runs": 0,
        "versions_registered": 0,
        "publications": 1,
        "lead_time_hours": 30.0,
        "review_turnaround_hours": 26.0,
        "deployments": 1,
        "requests": 1000,
        "errors": 10,
        "error_rate": 0.01,
    }
    assert totals["bob"]["error_rate"] == 0.01 and totals["bob"]["lead_time_hours"] is None
    for row in found["rows"]:
        assert set(row) == {"period", *totals["alice"]}
        assert date.fromisoformat(row["period"]).weekday() == 0


async def test_usage_and_idle_in_the_documented_shape(platform: Platform) -> None:
    usage = await platform.call("api/v1/analytics/usage?by=team&kind=all")
    assert set(usage) == {"from", "to", "by", "kind", "rows", "days"}
    (team,) = usage["rows"]
    assert team["key"] == "team-a"
    assert set(team) == {
        "key",
        "server_hours",
        "cpu_requested_core_hours",
        "cpu_used_core_hours",
        "cpu_efficiency",
        "memory_requested_gib_hours",
        "memory_used_gib_hours",
        "memory_efficiency",
        "gpu_hours",
        "idle_hours",
        "idle_gpu_hours",
    }
    assert team["server_hours"] == pytest.approx(3.0)
    assert team["idle_gpu_hours"] == pytest.approx(2.0)
    assert len(usage["days"]) == 30 and set(usage["days"][0]) == {"day", *team} - {"key"}
    idle = await platform.call("api/v1/analytics/idle?limit=5")
    assert set(idle) == {"from", "to", "rows"}
    first = idle["rows"][0]
    assert (first["kind"], first["name"], first["owner"], first["profile"]) == (
        "workspace",
        "gpu-lab",
        "alice",
        "gpu",
    )
    assert first["idle_hours"] == pytest.approx(2.0)
    # the Servers choice of the usage: deployments only, which gpu-lab is not
    deployments = await platform.call("api/v1/analytics/idle?limit=5&kind=deployment")
    assert all(row["kind"] == "deployment" for row in deployments["rows"])
    assert "gpu-lab" not in [row["name"] for row in deployments["rows"]]


# ---- who sees what


async def test_alice_sees_her_row_and_her_teams_sum_never_bobs_row(platform: Platform) -> None:
    mine = await platform.call("api/v1/analytics/teams?by=person", token=ALICE)
    assert [t["key"] for t in mine["totals"]] == ["alice"]
    assert {r["key"] for r in mine["rows"]} == {"alice"}
    team = await platform.call("api/v1/analytics/teams?by=team&grain=month", token=ALICE)
    assert [(t["key"], t["requests"], t["errors"]) for t in team["totals"]] == [
        ("team-a", 1200, 12)
    ]
    # however the request is spelled, no parameter names somebody else
    spelled = await platform.call(
        "api/v1/analytics/teams?by=person&key=bob&person=bob&user=bob", token=ALICE
    )
    assert [t["key"] for t in spelled["totals"]] == ["alice"]
    usage = await platform.call("api/v1/analytics/usage?by=person", token=ALICE)
    assert [r["key"] for r in usage["rows"]] == ["alice"]
    idle = await platform.call("api/v1/analytics/idle", token=BOB)
    assert {r["owner"] for r in idle["rows"]} <= {"bob"}
    everyone = await platform.call("api/v1/analytics/teams?by=person", token=ADAM)
    assert {t["key"] for t in everyone["totals"]} == {"alice", "bob"}


# ---- bad input


@pytest.mark.parametrize(
    ("path", "reason", "field"),
    [
        ("teams?from=2026-13-01", "period_invalid", "from"),
        ("teams?to=yesterday", "period_invalid", "to"),
        ("teams?from=2026-11-05&to=2026-11-01", "period_invalid", "to"),
        ("teams?from=2024-01-01&to=2026-11-01", "period_invalid", "from"),
        ("teams?from=2026-11-1", "period_invalid", "from"),
        ("teams?from=", "period_invalid", "from"),
        ("teams?to=2026-W49-4", "period_invalid", "to"),
        ("usage?by=", "grouping_invalid", "by"),
        ("usage?kind=", "grouping_invalid", "kind"),
        ("idle?format=", "grouping_invalid", "format"),
        ("teams?by=profile", "grouping_invalid", "by"),
        ("teams?grain=year", "grouping_invalid", "grain"),
        ("teams?grain=", "grouping_invalid", "grain"),
        ("teams?format=xml", "grouping_invalid", "format"),
        ("usage?by=group", "grouping_invalid", "by"),
        ("usage?kind=gpu", "grouping_invalid", "kind"),
        ("usage?from=2026-02-30", "period_invalid", "from"),
        ("idle?kind=gpu", "grouping_invalid", "kind"),
        ("idle?kind=", "grouping_invalid", "kind"),
        ("idle?limit=0", "query_not_integer", "limit"),
        ("idle?limit=101", "query_not_integer", "limit"),
        ("idle?limit=ten", "query_not_integer", "limit"),
        ("idle?to=2026-12-01&from=2026-12-02", "period_invalid", "to"),
    ],
)
async def test_a_bad_parameter_is_a_400_naming_it_and_writes_nothing(
    platform: Platform, path: str, reason: str, field: str
) -> None:
    before = platform.rows_written()
    for token in (ALICE, ADAM):
        body = await platform.call(f"api/v1/analytics/{path}", 400, token=token)
        assert body["reason"] == reason
        named = body["params"].get("field", body["params"].get("name"))
        assert named == field, body
    assert platform.rows_written() == before


async def test_no_token_is_401(platform: Platform) -> None:
    response = await AsyncHTTPClient().fetch(
        platform.url + "api/v1/analytics/teams", raise_error=False
    )
    assert response.code == 401 and json.loads(response.body)["reason"] == "token_missing"


# ---- CSV


@pytest.mark.parametrize(
    ("what", "query"),
    [
        ("teams", {"by": "person", "grain": "day"}),
        ("teams", {"by": "team", "grain": "month"}),
        ("usage", {"by": "profile", "kind": "workspace"}),
        ("idle", {"limit": "3"}),
    ],
)
async def test_the_csv_holds_the_json_rows(
    platform: Platform, what: str, query: dict[str, str]
) -> None:
    first = (TODAY - timedelta(days=20)).isoformat()
    asked = {"from": first, "to": TODAY.isoformat(), **query}
    rows = (await platform.call(f"api/v1/analytics/{what}?{urlencode(asked)}"))["rows"]
    assert rows
    response = await platform.fetch(f"api/v1/analytics/{what}?{urlencode(asked)}&format=csv")
    assert response.code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="analytics-{what}-{first}-{TODAY.isoformat()}.csv"'
    )
    assert csv_rows(response) == [as_cells(row) for row in rows]


async def test_a_name_a_spreadsheet_would_run_is_written_as_text(platform: Platform) -> None:
    with platform.store.transaction("test") as tx:
        tx.save_user(UserRecord("=cmd", (Role.DATA_SCIENTIST,), ("@team",), at(5, 0), at(5, 0)))
    platform.record(at(3, 9), "=cmd", "deployment.created", "x")
    response = await platform.fetch("api/v1/analytics/teams?by=team&format=csv")
    keys = [row["key"] for row in csv_rows(response)]
    assert "'@team" in keys
    response = await platform.fetch("api/v1/analytics/teams?by=person&format=csv")
    assert "'=cmd" in [row["key"] for row in csv_rows(response)]
