"""The people view against the embedded workbench's real JupyterHub: the platform reads the
hub's users and groups with its own service token (the role hub_config/roles.py gives it), adds
the platform roles each person's token carried at their last visit, and shows adam; alice may
not look."""

from __future__ import annotations

import pytest

from tests.workbench import Hub

BASE_SCOPES = ["read:users:groups!user", "access:services!service=mlplat"]


@pytest.fixture
def hub(embedded_hub: Hub) -> Hub:
    return embedded_hub


def test_adam_sees_everybody_with_groups_and_roles_from_the_hub(hub: Hub) -> None:
    alice = hub.login("alice")
    adam = hub.login("adam")
    token = hub.token(adam, "adam", [*BASE_SCOPES, "custom:mlplat:admin"])
    alice_token = hub.token(alice, "alice", BASE_SCOPES)
    for visitor in (token, alice_token):  # the sidebar asks who is signed in when it opens
        assert hub.platform("api/v1/me", visitor).status_code == 200
    response = hub.platform("api/v1/people", token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["admin_url"] == "/hub/admin"
    people = {p["name"]: p for p in body["people"]}
    assert {"alice", "rita", "adam", "ivan"} <= set(people)
    assert "mlplat-platform" not in people and "mlplat-spawner" not in people
    assert (people["adam"]["groups"], people["adam"]["roles"]) == (
        ["admins"],
        ["data_scientist", "admin"],
    )
    assert "mlplat-admin" in people["adam"]["hub_roles"]
    assert people["adam"]["roles_seen_at"]
    assert "mlplat-reviewer" in people["rita"]["hub_roles"]
    assert people["ivan"]["groups"] == ["instructors"]
    assert (people["alice"]["groups"], people["alice"]["roles"]) == (
        ["data-scientists"],
        ["data_scientist"],
    )
    assert people["adam"]["last_activity"]  # he just signed in

    refused = hub.platform("api/v1/people", alice_token)
    assert refused.status_code == 403
    assert refused.json()["reason"] == "role_required"
