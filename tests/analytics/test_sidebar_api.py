"""The sidebar's analytics routes under a hub: they ask the platform with the server's token,
so a person gets their own rows and their team's sums whatever the request names (a parameter
or a header saying someone else changes nothing), CSV is the platform's file, and a refusal
comes back with its reason and the parameter it names."""

from __future__ import annotations

import json
import socket
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from .teams_platform import ALICE, TODAY, Platform, as_cells, csv_rows, seed


@pytest.fixture
def platform_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def extension_config(platform_port: int) -> dict[str, Any]:
    return {
        "platform_url": f"http://127.0.0.1:{platform_port}/services/mlplat/",
        "platform_token": ALICE,
        "request_timeout": 5.0,
    }


def _sidebar_platform(tmp_path: Path, port: int) -> Platform:
    """Started inside the test, in the event loop the Jupyter server's test fixtures run."""
    running = Platform(tmp_path, f"sqlite:///{tmp_path / 'platform.sqlite'}", port)
    seed(running)
    return running


async def test_the_sidebar_asks_as_the_person_whose_server_it_is(
    jp_fetch: Any, tmp_path: Path, platform_port: int
) -> None:
    running = _sidebar_platform(tmp_path, platform_port)
    try:
        await _asks_as_alice(jp_fetch)
    finally:
        running.stop()


async def _asks_as_alice(jp_fetch: Any) -> None:
    asked = {"by": "person", "grain": "month", "user": "bob", "key": "bob", "owner": "bob"}
    response = await jp_fetch(
        "jupyterlab-mlplat",
        "analytics",
        "teams",
        params=asked,
        headers={"X-Forwarded-User": "bob", "X-Mlplat-User": "bob"},
    )
    found = json.loads(response.body)
    assert [t["key"] for t in found["totals"]] == ["alice"]
    team = json.loads(
        (await jp_fetch("jupyterlab-mlplat", "analytics", "teams", params={"by": "team"})).body
    )
    assert [t["key"] for t in team["totals"]] == ["team-a"]
    usage = json.loads(
        (await jp_fetch("jupyterlab-mlplat", "analytics", "usage", params={"by": "person"})).body
    )
    assert [r["key"] for r in usage["rows"]] == ["alice"]
    idle = json.loads((await jp_fetch("jupyterlab-mlplat", "analytics", "idle")).body)
    assert {r["owner"] for r in idle["rows"]} == {"alice"}

    csv_answer = await jp_fetch(
        "jupyterlab-mlplat",
        "analytics",
        "teams",
        params={"by": "person", "grain": "month", "format": "csv"},
    )
    assert csv_answer.headers["Content-Type"].startswith("text/csv")
    first = (TODAY - timedelta(days=29)).isoformat()
    assert csv_answer.headers["Content-Disposition"] == (
        f'attachment; filename="analytics-teams-{first}-{TODAY.isoformat()}.csv"'
    )
    assert csv_rows(csv_answer) == [as_cells(r) for r in found["rows"]]


@pytest.mark.parametrize(
    ("what", "params", "reason", "field"),
    [
        ("teams", {"from": "2026-12-02", "to": "2026-12-01"}, "period_invalid", "to"),
        ("teams", {"grain": "year"}, "grouping_invalid", "grain"),
        ("teams", {"grain": "year", "format": "csv"}, "grouping_invalid", "grain"),
        ("usage", {"kind": "gpu"}, "grouping_invalid", "kind"),
        ("idle", {"limit": "500"}, "query_not_integer", "limit"),
        ("idle", {"format": "pdf"}, "grouping_invalid", "format"),
    ],
)
async def test_the_sidebar_passes_on_the_platforms_refusal(
    jp_fetch: Any,
    tmp_path: Path,
    platform_port: int,
    what: str,
    params: dict[str, str],
    reason: str,
    field: str,
) -> None:
    running = _sidebar_platform(tmp_path, platform_port)
    try:
        with pytest.raises(HTTPClientError) as caught:
            await jp_fetch("jupyterlab-mlplat", "analytics", what, params=params)
    finally:
        running.stop()
    assert caught.value.code == 400 and caught.value.response is not None
    body = json.loads(caught.value.response.body)
    assert body["reason"] == reason
    assert body["params"].get("field", body["params"].get("name")) == field
