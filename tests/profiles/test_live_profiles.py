"""Admins edit workspace profiles through the platform of the real embedded hub, and the next
spawn page and spawn use the edit without a hub restart; people who are not admins cannot."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.workbench import Hub, processes_of

SCOPES = ["access:services!service=mlplat"]


@pytest.fixture
def hub(embedded_hub: Hub) -> Hub:
    return embedded_hub


def _api(hub: Hub, token: str, method: str, path: str, body: Any = None) -> requests.Response:
    return requests.request(
        method,
        f"{hub.url}/services/mlplat/api/v1/{path}",
        json=body,
        headers={"Authorization": f"token {token}"},
        timeout=10,
    )


def _server_environment(hub: Hub, user: str) -> dict[str, str]:
    """The environment of the user's running single-user server of this hub, read from /proc.
    Other suites run hubs of their own on the same machine, each with its own ivan: only the
    processes of this hub's data directory count."""
    for pid in processes_of(hub.data_dir):
        try:
            raw = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        pairs = dict(
            item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item
        )
        if pairs.get("JUPYTERHUB_USER") == user and "JUPYTERHUB_SERVICE_URL" in pairs:
            return pairs
    raise AssertionError(f"no running server process of {user}")


def _record(hub: Hub, token: str, slug: str) -> dict[str, Any]:
    listing = _api(hub, token, "GET", "profiles").json()
    return next(r for r in listing["profiles"] if r["profile"]["slug"] == slug)


def test_an_admin_edit_shows_on_the_next_spawn_page_and_is_audited(hub: Hub) -> None:
    adam = hub.token(hub.login("adam"), "adam", [*SCOPES, "custom:mlplat:admin"])
    record = _record(hub, adam, "cpu-large")
    profile = {
        **record["profile"],
        "display_name": "Large CPU (edited)",
        "description": "Edited live by an admin.",
    }
    saved = _api(
        hub, adam, "PUT", "profiles/cpu-large", {"profile": profile, "revision": record["revision"]}
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["revision"] == record["revision"] + 1
    assert saved.json()["updated_by"] == "adam"

    page = hub.login("alice").get(f"{hub.url}/hub/spawn", timeout=60).text
    assert "Large CPU (edited)" in page
    assert "Edited live by an admin." in page

    # the same old revision again: refused, and the edit stays
    stale = _api(
        hub, adam, "PUT", "profiles/cpu-large", {"profile": profile, "revision": record["revision"]}
    )
    assert stale.status_code == 409
    assert "since you opened it" in stale.json()["message"]


def test_the_spawn_page_shows_resources_and_headroom(hub: Hub) -> None:
    page = hub.login("alice").get(f"{hub.url}/hub/spawn", timeout=60).text
    assert "quay.io/jupyter/scipy-notebook:2026-11-16" in page
    assert "can start now" in page
    assert "machine&#39;s CPU" in page  # the GPU profile, honestly


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"cpu_limit": "lots"}, "cpu_limit", "cpu_quantity"),
        ({"mem_limit": "4 gigs"}, "mem_limit", "memory_quantity"),
        ({"gpu": -1}, "gpu", "field_too_small"),
        ({"gpu": 0.5}, "gpu", "gpu_not_whole"),
        ({"image": "quay.io/jupyter/scipy notebook:1"}, "image", "image_reference"),
        ({"tolerations": [{"operator": "Exists"}]}, "tolerations.0.key", "field_required"),
        ({"allowed_groups": ["ghosts"]}, "allowed_groups", "unknown_groups"),
        ({"slug": "Not-DNS_safe"}, "slug", "slug_invalid"),
    ],
)
def test_bad_profiles_are_refused_with_the_field_and_nothing_saved(
    hub: Hub, change: dict[str, Any], field: str, reason: str
) -> None:
    adam = hub.token(hub.login("adam"), "adam", [*SCOPES, "custom:mlplat:admin"])
    before = _api(hub, adam, "GET", "profiles").json()
    base = _record(hub, adam, "cpu-small")["profile"]
    created = _api(hub, adam, "POST", "profiles", {**base, "slug": "new-one", **change})
    assert created.status_code == 400, created.text
    body = created.json()
    assert field in body["fields"]
    assert body["reason"] == "profile_invalid"
    # the same field as a reason code with the values its message names, for translation
    assert body["field_reasons"][field]["reason"] == reason
    if reason.endswith("_quantity"):
        assert body["field_reasons"][field]["params"] == {"value": change[field]}
    assert body["message"]
    assert "Traceback" not in created.text
    assert _api(hub, adam, "GET", "profiles").json() == before


def test_people_who_are_not_admins_cannot_change_profiles(hub: Hub) -> None:
    alice = hub.token(hub.login("alice"), "alice", SCOPES)
    record = _record(hub, alice, "cpu-small")
    for method, path, body in (
        ("POST", "profiles", {**record["profile"], "slug": "mine"}),
        ("PUT", "profiles/cpu-small", {"profile": record["profile"], "revision": 1}),
        ("DELETE", f"profiles/cpu-small?revision={record['revision']}", None),
        ("POST", "profile-preview", record["profile"]),
    ):
        refused = _api(hub, alice, method, path, body)
        assert refused.status_code == 403, (method, path, refused.text)
        assert "Only platform admins" in refused.json()["message"]
        assert refused.json()["reason"] == "role_required"
    assert _record(hub, alice, "cpu-small") == record


def test_a_spawn_uses_the_profile_as_edited_without_a_restart(hub: Hub) -> None:
    adam = hub.token(hub.login("adam"), "adam", [*SCOPES, "custom:mlplat:admin"])
    record = _record(hub, adam, "cpu-small")
    profile = {**record["profile"], "environment": {"TEAM_EDITED": "yes"}}
    saved = _api(
        hub, adam, "PUT", "profiles/cpu-small", {"profile": profile, "revision": record["revision"]}
    )
    assert saved.status_code == 200, saved.text

    session = hub.login("ivan")
    xsrf = {"X-XSRFToken": session.cookies.get("_xsrf", "")}
    started = session.post(
        f"{hub.url}/hub/api/users/ivan/server", json={"profile": "cpu-small"}, headers=xsrf
    )
    assert started.status_code in (201, 202), started.text
    try:
        deadline = time.monotonic() + 90
        while True:
            model = session.get(f"{hub.url}/hub/api/users/ivan", headers=xsrf).json()
            server = model["servers"].get("", {})
            if server.get("ready"):
                break
            assert time.monotonic() < deadline, model
            time.sleep(0.5)
        assert server["user_options"] == {"profile": "cpu-small"}
        environment = _server_environment(hub, "ivan")
        assert environment["TEAM_EDITED"] == "yes"
        assert environment["MLPLAT_PROFILE"] == "cpu-small"
    finally:
        session.delete(f"{hub.url}/hub/api/users/ivan/server", headers=xsrf)
