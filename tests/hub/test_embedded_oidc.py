"""The embedded hub signs people in through the organisation's OpenID Connect provider when
MLPLAT_OIDC_* are set (hub_config/oidc.py, shared with the cluster hub): the provider's groups
become hub groups and platform roles, and someone in none of the allowed groups is turned away.
One real provider (tests/standins/oidc), one real embedded workbench started by
``mlplat-embedded``."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.standins.oidc.provider import OIDCClient, OIDCProvider, OIDCUser, login
from tests.workbench import embedded_hub, free_port_block, workbench_dir

ALICE = OIDCUser("alice", "alice-pw", ["data-scientists"], email="alice@example.org")
MALLORY = OIDCUser("mallory", "mallory-pw", ["marketing"])


@dataclass
class OIDCHub:
    url: str
    log: Path
    provider: OIDCProvider

    def login(self, session: requests.Session, user: OIDCUser) -> requests.Response:
        """A first visit in a fresh browser: the hub's login button, the provider's form, back."""
        return login(session, f"{self.url}/hub/oauth_login", user.username, user.password)

    def diagnostics(self) -> str:
        hub_log = self.log.read_text(errors="replace")[-6000:]
        return f"hub log:\n{hub_log}\nprovider log:\n{self.provider.log[-3000:]}"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OIDCHub]:
    # the provider must know the hub's callback before the hub starts: pick its ports first
    port = free_port_block(19000)
    url = f"http://127.0.0.1:{port}"
    client = OIDCClient("jupyterhub", secrets.token_urlsafe(24), [f"{url}/hub/oauth_callback"])
    with OIDCProvider([ALICE, MALLORY], [client]) as provider:
        env = {
            "MLPLAT_OIDC_AUTHORIZE_URL": provider.authorize_url,
            "MLPLAT_OIDC_TOKEN_URL": provider.token_url,
            "MLPLAT_OIDC_USERDATA_URL": provider.userdata_url,
            "MLPLAT_OIDC_CLIENT_ID": client.client_id,
            "MLPLAT_OIDC_CLIENT_SECRET": client.client_secret,
            "MLPLAT_OIDC_NAME": "City SSO",
            "MLPLAT_PUBLIC_URL": url,
            "JUPYTERHUB_CRYPT_KEY": secrets.token_hex(32),
        }
        with (
            workbench_dir("embedded-oidc") as data_dir,
            embedded_hub(data_dir, start=port, env=env) as workbench,
        ):
            assert workbench.url == url, "the hub's ports were taken meanwhile; run again"
            yield OIDCHub(url, workbench.log, provider)


def test_the_login_page_sends_people_to_the_organisations_provider(hub: OIDCHub) -> None:
    page = requests.get(f"{hub.url}/hub/login", timeout=10)
    assert page.status_code == 200
    assert "Sign in with City SSO" in page.text
    assert 'name="password"' not in page.text  # no shared demo password any more


def test_a_data_scientist_signs_in_and_lands_in_the_hub_with_their_groups(hub: OIDCHub) -> None:
    with requests.Session() as session:
        landed = hub.login(session, ALICE)

        assert landed.status_code == 200, hub.diagnostics()
        assert urlsplit(landed.url).path in ("/hub/spawn", "/hub/home")
        xsrf = {"X-XSRFToken": session.cookies.get("_xsrf", "", path="/hub/")}
        me = session.get(f"{hub.url}/hub/api/user", headers=xsrf, timeout=60)
        assert me.status_code == 200, me.text
        assert me.json()["name"] == "alice"
        assert me.json()["groups"] == ["data-scientists"]
        assert me.json()["admin"] is False

        # the group is a platform role, as with the demo users
        token = session.post(
            f"{hub.url}/hub/api/users/alice/tokens",
            json={"scopes": ["access:services!service=mlplat"], "note": "test"},
            headers=xsrf,
            timeout=10,
        )
        assert token.status_code == 201, token.text
        who = requests.get(
            f"{hub.url}/services/mlplat/api/v1/me",
            headers={"Authorization": f"token {token.json()['token']}"},
            timeout=10,
        )
        assert who.status_code == 200, who.text
        assert who.json()["groups"] == ["data-scientists"]
        assert who.json()["roles"] == ["data_scientist"]


def test_someone_in_no_allowed_group_is_turned_away(hub: OIDCHub) -> None:
    with requests.Session() as session:
        refused = hub.login(session, MALLORY)

        assert refused.status_code == 403, hub.diagnostics()
        assert urlsplit(refused.url).path == "/hub/oauth_callback"
        assert "not currently authorized" in refused.text
        # and nothing of the hub opens to that browser
        home = session.get(f"{hub.url}/hub/api/user", timeout=60)
        assert home.status_code == 403
