"""The embedded workbench's real JupyterHub: demo users log in with the generated password, hub
groups become platform roles through custom scopes, and the spawn page offers the profiles."""

from __future__ import annotations

import pytest

from tests.workbench import Hub

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
    page = session.get(f"{hub.url}/hub/spawn", timeout=10)
    assert page.status_code == 200
    for name in ("Small CPU", "Large CPU", "One GPU"):
        assert name in page.text
    assert 'value="cpu-small" checked' in page.text
