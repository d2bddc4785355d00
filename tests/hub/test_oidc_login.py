"""A real JupyterHub signs people in through the real OIDC provider, groups and all.

The cluster hub's access rules live in the provider's ``groups`` claim: who may enter
(``allowed_groups``), who is an admin (``admin_groups``), and the hub groups that profiles and
shares key on (``manage_groups``). This runs GenericOAuthenticator unchanged — PKCE, the token
request with ``client_secret_post``, the userinfo call — so a mistake in any of those settings, or
an OAuthenticator upgrade that changes them, fails here rather than on the first real login.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.standins.oidc.provider import OIDCClient, OIDCProvider, OIDCUser, login

ROOT = Path(__file__).resolve().parents[2]

ALICE = OIDCUser("alice", "alice-pw", ["data-scientists", "team-vision"], email="alice@example.org")
BOB = OIDCUser("bob", "bob-pw", ["admins"])
CAROL = OIDCUser("carol", "carol-pw", ["marketing"])

HUB_CONFIG = """\
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.JupyterHub.db_url = "sqlite:///{data}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{data}/jupyterhub_cookie_secret"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.pid_file = "{data}/proxy.pid"
# nothing is spawned: after signing in people stay on /hub/home
c.JupyterHub.spawner_class = "simple"
c.JupyterHub.redirect_to_server = False
c.JupyterHub.implicit_spawn_seconds = 0
c.JupyterHub.services = [{{"name": "test", "api_token": {api_token!r}}}]
c.JupyterHub.load_roles = [
    {{
        "name": "test-observer",
        "services": ["test"],
        "scopes": ["admin:users", "admin:auth_state", "list:groups", "read:groups"],
    }}
]

c.JupyterHub.authenticator_class = "generic-oauth"
c.GenericOAuthenticator.authorize_url = {authorize_url!r}
c.GenericOAuthenticator.token_url = {token_url!r}
c.GenericOAuthenticator.userdata_url = {userdata_url!r}
c.GenericOAuthenticator.client_id = {client_id!r}
c.GenericOAuthenticator.client_secret = {client_secret!r}
c.GenericOAuthenticator.oauth_callback_url = {callback_url!r}
c.GenericOAuthenticator.scope = ["openid", "profile", "email", "groups"]
c.GenericOAuthenticator.username_claim = "preferred_username"
c.GenericOAuthenticator.enable_pkce = True
c.GenericOAuthenticator.manage_groups = True
c.GenericOAuthenticator.auth_state_groups_key = "oauth_user.groups"
c.GenericOAuthenticator.allowed_groups = {{"data-scientists", "ml-engineers"}}
c.GenericOAuthenticator.admin_groups = {{"admins"}}
c.GenericOAuthenticator.enable_auth_state = True
"""


@dataclass
class RunningHub:
    url: str
    api_token: str
    log: Path
    provider: OIDCProvider

    def api(self, path: str) -> requests.Response:
        return requests.get(
            f"{self.url}/hub/api/{path}",
            headers={"Authorization": f"token {self.api_token}"},
            timeout=10,
        )

    def login(self, user: OIDCUser, password: str | None = None) -> requests.Response:
        """A first visit by ``user`` in a fresh browser: the hub's login button onwards."""
        with requests.Session() as session:
            return login(
                session,
                f"{self.url}/hub/oauth_login",
                user.username,
                user.password if password is None else password,
            )

    def diagnostics(self) -> str:
        return f"hub log:\n{self.log.read_text()[-6000:]}\nprovider log:\n{self.provider.log}"


def free_ports(count: int) -> list[int]:
    """Ports free right now, held open together so the system hands out distinct ones."""
    with contextlib.ExitStack() as stack:
        probes = [stack.enter_context(socket.socket()) for _ in range(count)]
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]


def proxy_command() -> str:
    chp = (
        os.environ.get("MLPLAT_CHP")
        or shutil.which("configurable-http-proxy")
        or str(ROOT / ".tools" / "node_modules" / ".bin" / "configurable-http-proxy")
    )
    if not Path(chp).is_file():
        if os.environ.get("CI"):
            pytest.fail("configurable-http-proxy missing under CI: scripts/bootstrap installs it")
        pytest.skip("configurable-http-proxy not installed; run `source scripts/bootstrap test`")
    return chp


def wait_for_hub(process: subprocess.Popen[bytes], url: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(f"{url}/hub/api/", timeout=2).status_code == 200:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the hub did not start:\n{log.read_text()[-6000:]}")
        time.sleep(0.1)


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """The hub and the proxy it started go together (one process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    chp = proxy_command()
    data = tmp_path_factory.mktemp("hub")
    port, hub_port, proxy_api_port = free_ports(3)
    url = f"http://127.0.0.1:{port}"
    client = OIDCClient("jupyterhub", secrets.token_urlsafe(24), [f"{url}/hub/oauth_callback"])
    api_token = secrets.token_hex(32)
    with OIDCProvider(users=[ALICE, BOB, CAROL], clients=[client]) as provider:
        config = data / "jupyterhub_config.py"
        config.write_text(
            HUB_CONFIG.format(
                port=port,
                hub_port=hub_port,
                proxy_api_port=proxy_api_port,
                data=data,
                chp=chp,
                api_token=api_token,
                authorize_url=provider.authorize_url,
                token_url=provider.token_url,
                userdata_url=provider.userdata_url,
                client_id=client.client_id,
                client_secret=client.client_secret,
                callback_url=client.redirect_uris[0],
            )
        )
        log = data / "jupyterhub.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(config)],
                cwd=data,
                env={**os.environ, "JUPYTERHUB_CRYPT_KEY": secrets.token_hex(32)},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_for_hub(process, url, log, timeout=60)
            yield RunningHub(url, api_token, log, provider)
        finally:
            stop_group(process)


def test_a_data_scientist_signs_in_with_the_providers_groups(hub: RunningHub) -> None:
    response = hub.login(ALICE)

    assert response.status_code == 200, hub.diagnostics()
    assert response.url == f"{hub.url}/hub/home"
    user = hub.api("users/alice").json()
    assert user["admin"] is False
    assert sorted(user["groups"]) == ["data-scientists", "team-vision"]
    assert user["auth_state"]["oauth_user"]["groups"] == ["data-scientists", "team-vision"]
    assert user["auth_state"]["oauth_user"]["email"] == "alice@example.org"
    group = hub.api("groups/data-scientists").json()
    assert "alice" in group["users"]


def test_the_hub_sends_a_pkce_challenge(hub: RunningHub) -> None:
    """The logins above succeed only with the matching verifier, since the provider checks it
    whenever a challenge came with the authorization request; this makes sure one did."""
    response = requests.get(f"{hub.url}/hub/oauth_login", allow_redirects=False, timeout=10)

    location = response.headers["Location"]
    assert location.startswith(f"{hub.provider.authorize_url}?")
    query = parse_qs(urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43


def test_a_member_of_admins_is_a_hub_admin(hub: RunningHub) -> None:
    response = hub.login(BOB)

    assert response.status_code == 200, hub.diagnostics()
    user = hub.api("users/bob").json()
    assert user["admin"] is True
    assert user["groups"] == ["admins"]


def test_a_user_in_no_allowed_group_is_turned_away(hub: RunningHub) -> None:
    response = hub.login(CAROL)

    assert response.status_code == 403, hub.diagnostics()
    assert urlsplit(response.url).path == "/hub/oauth_callback"
    assert "you are not currently authorized to use this hub" in response.text
    assert hub.api("users/carol").status_code == 404


def test_a_wrong_password_stops_at_the_provider(hub: RunningHub) -> None:
    response = hub.login(ALICE, password="guess")

    assert response.status_code == 401
    assert response.url.startswith(hub.provider.issuer)
    assert "Wrong username or password" in response.text
