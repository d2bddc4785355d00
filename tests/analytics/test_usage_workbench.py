"""The sampler in the embedded workbench, end to end: alice starts a Small CPU workspace, the
platform's sampler finds its process through the hub (the role hub_config/roles.py gives the
platform: the server's profile and the spawner's pid), measures it with psutil, and her usage
then shows it through the platform's API — her own row, its profile, a server minute."""

from __future__ import annotations

import time

import requests

from tests.workbench import Hub

SCOPES = ["access:services!service=mlplat"]


def _xsrf(session: requests.Session) -> dict[str, str]:
    return {"X-XSRFToken": session.cookies.get("_xsrf", "")}


def test_a_running_workspace_is_sampled_and_shown_as_its_owners_usage(embedded_hub: Hub) -> None:
    hub = embedded_hub
    session = hub.login("alice")
    token = hub.token(session, "alice", SCOPES)
    started = session.post(
        f"{hub.url}/hub/api/users/alice/server",
        json={"profile": "cpu-small"},
        headers=_xsrf(session),
        timeout=60,
    )
    assert started.status_code in (201, 202), started.text
    try:
        # the sampler's interval is a minute: a sample lands within two
        deadline = time.monotonic() + 180
        rows: dict[str, dict[str, object]] = {}
        while time.monotonic() < deadline:
            answer = hub.platform("api/v1/analytics/usage?by=profile", token)
            assert answer.status_code == 200, answer.text
            rows = {r["key"]: r for r in answer.json()["rows"]}
            if rows.get("cpu-small", {}).get("server_hours"):
                break
            time.sleep(5)
        small = rows.get("cpu-small")
        assert small, f"no sample of alice's workspace within 3 minutes: {rows}"
        assert small["server_hours"] >= 1 / 60 - 1e-9  # type: ignore[operator]
        assert small["cpu_requested_core_hours"] > 0  # type: ignore[operator]  # 0.5 cores asked
        assert small["memory_used_gib_hours"] > 0  # type: ignore[operator]  # a live process
        mine = hub.platform("api/v1/analytics/usage?by=person", token).json()["rows"]
        assert [r["key"] for r in mine] == ["alice"]
    finally:
        session.delete(f"{hub.url}/hub/api/users/alice/server", headers=_xsrf(session), timeout=60)
        deadline = time.monotonic() + 60  # stopped before the next test of the session
        while time.monotonic() < deadline:
            model = session.get(f"{hub.url}/hub/api/users/alice", headers=_xsrf(session)).json()
            if "" not in model["servers"]:
                break
            time.sleep(0.5)
