"""The embedded workbench's real JupyterHub: demo users log in with the generated password, hub
groups become platform roles through custom scopes, and the spawn page offers the profiles,
keeping what it says of each: a profile it marks "cannot start now" the hub refuses."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from typing import Any

import psutil
import pytest
import requests

from jupyterlab_mlplat.adapters.local.machine import usable_cpus
from tests.workbench import Hub, processes_of

# what every user server's token carries (hub_config/jupyterhub_config.py); the custom scopes of
# Spawner.server_token_scopes are added by the hub only for users who hold them
BASE_SCOPES = ["read:users:groups!user", "access:services!service=mlplat"]
ROLE_SCOPES = {"custom:mlplat:review", "custom:mlplat:admin", "custom:mlplat:instruct"}


@pytest.fixture
def hub(embedded_hub: Hub) -> Hub:
    return embedded_hub


def test_the_launcher_prints_the_generated_password_once_and_keeps_it(hub: Hub) -> None:
    banner = hub.log.read_text()
    assert f"password (all demo users): {hub.password}" in banner
    assert len(hub.password) >= 12


@pytest.mark.parametrize(
    ("user", "group", "scope", "roles"),
    [
        ("alice", "data-scientists", None, ["data_scientist"]),
        ("rita", "reviewers", "custom:mlplat:review", ["data_scientist", "reviewer"]),
        ("adam", "admins", "custom:mlplat:admin", ["data_scientist", "admin"]),
        ("ivan", "instructors", "custom:mlplat:instruct", ["data_scientist", "instructor"]),
    ],
)
def test_hub_groups_become_platform_roles_through_custom_scopes(
    hub: Hub, user: str, group: str, scope: str | None, roles: list[str]
) -> None:
    session = hub.login(user)
    assert session.logged_in  # type: ignore[attr-defined]
    token = hub.token(session, user, BASE_SCOPES + ([scope] if scope else []))
    response = hub.platform("api/v1/me", token)
    assert response.status_code == 200, response.text
    assert response.json() == {"name": user, "groups": [group], "roles": roles, "mode": "hub"}

    # nobody can mint themselves a role their groups do not grant
    for other in sorted(ROLE_SCOPES - {scope}):
        refused = session.post(
            f"{hub.url}/hub/api/users/{user}/tokens",
            json={"scopes": [*BASE_SCOPES, other]},
            headers={"X-XSRFToken": session.cookies.get("_xsrf", "")},
            timeout=10,
        )
        assert refused.status_code == 400
        assert "not held" in refused.json()["message"]


def test_wrong_password_and_unknown_user_cannot_log_in(hub: Hub) -> None:
    assert not hub.login("alice", "not-the-password").logged_in  # type: ignore[attr-defined]
    assert not hub.login("mallory").logged_in  # type: ignore[attr-defined]


def test_the_platform_refuses_bad_tokens_with_a_message(hub: Hub) -> None:
    wrong = hub.platform("api/v1/me", "0123456789abcdef")
    assert wrong.status_code == 401
    assert "does not recognise this token" in wrong.json()["message"]

    session = hub.login("alice")
    no_access = hub.token(session, "alice", ["read:users:name!user"])
    refused = hub.platform("api/v1/me", no_access)
    assert refused.status_code == 403
    assert "does not grant access to the ML platform" in refused.json()["message"]


def test_the_spawn_page_offers_the_workspace_profiles(hub: Hub) -> None:
    session = hub.login("alice")
    page = session.get(f"{hub.url}/hub/spawn", timeout=60)
    assert page.status_code == 200
    for name in ("Small CPU", "Large CPU", "One GPU"):
        assert name in page.text
    assert 'value="cpu-small" checked' in page.text


# ---- "cannot start now" is kept: the page disables it, the hub's API refuses it

PLATFORM_SCOPES = ["access:services!service=mlplat", "custom:mlplat:admin"]


def _xsrf(session: requests.Session) -> dict[str, str]:
    return {"X-XSRFToken": session.cookies.get("_xsrf", "")}


def _platform(hub: Hub, token: str, method: str, path: str, body: Any = None) -> Any:
    response = requests.request(
        method,
        f"{hub.url}/services/mlplat/api/v1/{path}",
        json=body,
        headers={"Authorization": f"token {token}"},
        timeout=30,
    )
    assert response.ok, response.text
    return response.json() if response.content else None


@contextlib.contextmanager
def _extra_profile(hub: Hub, **fields: Any) -> Iterator[str]:
    """A profile an admin adds through the platform for one test, and deletes afterwards."""
    adam = hub.token(hub.login("adam"), "adam", PLATFORM_SCOPES)
    profile = {"image": "quay.io/jupyter/scipy-notebook:2026-11-16", "order": 50, **fields}
    created = _platform(hub, adam, "POST", "profiles", profile)
    try:
        yield profile["slug"]
    finally:
        _platform(hub, adam, "DELETE", f"profiles/{profile['slug']}?revision={created['revision']}")


def _profile_block(page: str, slug: str) -> str:
    """One profile's label on the spawn page, from its opening tag to its closing one."""
    start = page.index(f'data-profile="{slug}"')
    return page[start : page.index("</label>", start)]


def _wait_ready(session: requests.Session, hub: Hub, user: str) -> None:
    deadline = time.monotonic() + 120
    while True:
        model = session.get(f"{hub.url}/hub/api/users/{user}", headers=_xsrf(session)).json()
        if model["servers"].get("", {}).get("ready"):
            return
        assert time.monotonic() < deadline, model
        time.sleep(0.5)


def _stop(session: requests.Session, hub: Hub, user: str) -> None:
    session.delete(f"{hub.url}/hub/api/users/{user}/server", headers=_xsrf(session), timeout=60)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        model = session.get(f"{hub.url}/hub/api/users/{user}", headers=_xsrf(session)).json()
        if "" not in model["servers"]:
            return
        time.sleep(0.5)


def test_a_profile_that_cannot_start_is_refused_by_the_hubs_api_with_its_reason(
    hub: Hub,
) -> None:
    with _extra_profile(
        hub, slug="too-big", display_name="Too big", cpu_guarantee="1024", cpu_limit="1024"
    ):
        session = hub.login("alice")
        page = session.get(f"{hub.url}/hub/spawn", timeout=30).text
        block = _profile_block(page, "too-big")
        assert " disabled" in block
        reason = (
            f"this machine has {usable_cpus().normalize():f} CPU and the profile is promised 1024"
        )
        assert f"cannot start now: {reason}" in block

        refused = session.post(
            f"{hub.url}/hub/api/users/alice/server",
            json={"profile": "too-big"},
            headers=_xsrf(session),
            timeout=60,
        )
        assert refused.status_code == 403, refused.text
        message = refused.json()["message"]
        assert message == (
            f"The Too big profile cannot start now: {reason}. "
            "No server of this size fits here: ask a platform admin for a smaller profile."
        )
        model = session.get(f"{hub.url}/hub/api/users/alice", headers=_xsrf(session)).json()
        assert "" not in model["servers"] or not model["servers"][""].get("ready")

        # the form, posted by hand past the disabled choice: the same reason on the hub's page
        form = session.post(
            f"{hub.url}/hub/spawn/alice",
            data={"profile": "too-big", "_xsrf": session.cookies.get("_xsrf", "")},
            timeout=60,
        )
        assert form.status_code == 403
        assert "cannot start now: this machine has" in form.text
        assert "Traceback" not in form.text


def test_a_small_profile_starts_while_a_server_holding_every_core_runs(hub: Hub) -> None:
    """The report: with one big server running, every profile said "cannot start now", Small
    CPU included, on a machine with room for it."""
    every_core = f"{usable_cpus().normalize():f}"
    with _extra_profile(
        hub,
        slug="every-core",
        display_name="Every core",
        cpu_guarantee=every_core,
        cpu_limit=every_core,
        mem_guarantee="1Gi",
        mem_limit="2Gi",
    ):
        alice, rita = hub.login("alice"), hub.login("rita")
        started = alice.post(
            f"{hub.url}/hub/api/users/alice/server",
            json={"profile": "every-core"},
            headers=_xsrf(alice),
            timeout=60,
        )
        assert started.status_code in (201, 202), started.text
        try:
            _wait_ready(alice, hub, "alice")
            page = rita.get(f"{hub.url}/hub/spawn", timeout=30).text
            small = _profile_block(page, "cpu-small")
            assert "can start now" in small and " disabled" not in small
            second = rita.post(
                f"{hub.url}/hub/api/users/rita/server",
                json={"profile": "cpu-small"},
                headers=_xsrf(rita),
                timeout=60,
            )
            assert second.status_code in (201, 202), second.text
            _wait_ready(rita, hub, "rita")
        finally:
            _stop(rita, hub, "rita")
            _stop(alice, hub, "alice")


@pytest.mark.skipif(os.getuid() != 0, reason="only root may raise a priority again")
def test_a_server_that_answers_runs_at_the_default_priority(hub: Hub) -> None:
    """Servers start under nice 10 so a spawn storm leaves the hub responsive; a server that
    stayed there made every sidebar request wait behind any busy process (bench/sidebar_load.py:
    the runs page's p95 1.1 s against 245 ms)."""
    alice = hub.login("alice")
    started = alice.post(
        f"{hub.url}/hub/api/users/alice/server",
        json={"profile": "cpu-small"},
        headers=_xsrf(alice),
        timeout=60,
    )
    assert started.status_code in (201, 202), started.text
    try:
        _wait_ready(alice, hub, "alice")
        home = str(hub.data_dir / "home" / "alice")
        deadline = time.monotonic() + 30
        while True:
            servers = {
                pid: psutil.Process(pid).nice()
                for pid, command in processes_of(hub.data_dir).items()
                if "jupyterhub-singleuser" in command and home in _cwd(pid)
            }
            if servers and all(nice == 0 for nice in servers.values()):
                break
            assert time.monotonic() < deadline, servers
            time.sleep(0.5)
    finally:
        _stop(alice, hub, "alice")


def _cwd(pid: int) -> str:
    with contextlib.suppress(OSError):
        return os.readlink(f"/proc/{pid}/cwd")
    return ""
