"""The cluster flavour, whole, on one machine: real JupyterHub with hub_config's cluster config,
real OIDC login, the hub and the platform on real PostgreSQL, KubeSpawner against the emulated
Kubernetes API whose kubelet runs each pod's real single-user server.

Shared by tests/e2e (requests) and ui-tests (Chromium), and by bench/spawn_storm.py.
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
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
import sqlalchemy as sa

from tests.standins.kube.apiserver import KubeAPI
from tests.standins.oidc.provider import OIDCClient, OIDCProvider, OIDCUser, login
from tests.workbench import BoundedSession

ROOT = Path(__file__).resolve().parents[2]
NAMESPACE = "mlplat-users"

#: the people of the organisation, as its identity provider knows them
PEOPLE: dict[str, list[str]] = {
    "alice": ["data-scientists"],
    "greta": ["data-scientists", "gpu-users"],
    "gus": ["data-scientists", "gpu-users"],
    "rita": ["reviewers"],
    "adam": ["admins"],
    "ivan": ["instructors"],
    "mallory": ["marketing"],  # in no group the hub allows
}
PASSWORD = "pw-{user}"


@dataclass
class ClusterHub:
    url: str
    kube: KubeAPI
    oidc: OIDCProvider
    log: Path
    spawner_token: str
    sessions: dict[str, requests.Session] = field(default_factory=dict)
    #: the hub's own API (``…/hub/api``) and the platform service, as services reach them
    api_url: str = ""
    platform_url: str = ""

    def login(self, user: str) -> requests.Session:
        """A browser-like session signed in through the OIDC provider (kept per user)."""
        if user not in self.sessions:
            session = BoundedSession()
            page = login(session, f"{self.url}/hub/oauth_login", user, PASSWORD.format(user=user))
            session.last_page = page  # type: ignore[attr-defined]
            self.sessions[user] = session
        return self.sessions[user]

    def xsrf(self, session: requests.Session) -> dict[str, str]:
        """The hub's XSRF token (a user server sets its own ``_xsrf`` under its own path)."""
        return {"X-XSRFToken": session.cookies.get("_xsrf", "", path="/hub/")}

    def token(self, user: str, scopes: list[str] | None = None) -> str:
        session = self.login(user)
        body: dict[str, Any] = {"note": "e2e"}
        if scopes is not None:
            body["scopes"] = scopes
        response = session.post(
            f"{self.url}/hub/api/users/{user}/tokens", json=body, headers=self.xsrf(session)
        )
        assert response.status_code == 201, response.text
        return str(response.json()["token"])

    def platform(self, token: str, method: str, path: str, body: Any = None) -> requests.Response:
        return requests.request(
            method,
            f"{self.url}/services/mlplat/api/v1/{path}",
            json=body,
            headers={"Authorization": f"token {token}"},
            timeout=10,
        )

    def spawn(self, user: str, profile: str, *, server: str = "") -> requests.Response:
        session = self.login(user)
        return session.post(
            f"{self.url}/hub/api/users/{user}/servers/{server}",
            json={"profile": profile},
            headers=self.xsrf(session),
            timeout=30,
        )

    def wait_ready(self, user: str, *, server: str = "", timeout: float = 90) -> dict[str, Any]:
        session = self.login(user)
        deadline = time.monotonic() + timeout
        while True:
            model = session.get(f"{self.url}/hub/api/users/{user}", headers=self.xsrf(session))
            state = model.json()["servers"].get(server, {})
            if state.get("ready"):
                return dict(state)
            if time.monotonic() > deadline:
                raise AssertionError(f"{user}'s server is not ready: {model.text}\n{self.tail()}")
            time.sleep(0.3)

    def stop(self, user: str, *, server: str = "") -> None:
        session = self.login(user)
        session.delete(
            f"{self.url}/hub/api/users/{user}/servers/{server}",
            headers=self.xsrf(session),
            timeout=60,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            model = session.get(f"{self.url}/hub/api/users/{user}", headers=self.xsrf(session))
            if server not in model.json()["servers"]:
                return
            time.sleep(0.3)
        raise AssertionError(f"{user}'s server did not stop")

    def tail(self, n: int = 6000) -> str:
        return self.log.read_text(errors="replace")[-n:]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def _database(postgres_url: str) -> Iterator[str]:
    admin = sa.engine.make_url(postgres_url).set(drivername="postgresql")
    dsn = admin.render_as_string(hide_password=False)
    name = f"mlplat_e2e_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(postgres_url).set(database=name).render_as_string(False)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _require(what: str, ok: bool, hint: str) -> None:
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} missing under CI: {hint}")
    pytest.skip(f"{what} missing: {hint}")


@contextlib.contextmanager
def cluster_hub(
    state_dir: Path,
    *,
    people: dict[str, list[str]] | None = None,
    gpu_nodes: int = 1,
    env: dict[str, str] | None = None,
) -> Iterator[ClusterHub]:
    """The hub of ``hub_config/jupyterhub_config_cluster.py``; ``env`` adds to (or overrides)
    the variables it is configured with here."""
    postgres_url = os.environ.get("MLPLAT_TEST_POSTGRES_URL", "")
    _require("PostgreSQL", bool(postgres_url), "run through scripts/test")
    chp = os.environ.get("MLPLAT_CHP") or shutil.which("configurable-http-proxy") or ""
    _require("configurable-http-proxy", bool(chp), "run through scripts/test")
    people = people or PEOPLE
    state_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    client = OIDCClient("jupyterhub", secrets.token_urlsafe(24), [f"{url}/hub/oauth_callback"])
    users = [OIDCUser(u, PASSWORD.format(user=u), groups) for u, groups in people.items()]
    spawner_token = secrets.token_hex(24)
    with (
        _database(postgres_url) as hub_db,
        _database(postgres_url) as platform_db,
        OIDCProvider(users, [client]) as oidc,
        KubeAPI(kubelet=True, kubelet_dir=state_dir / "kubelet") as kube,
    ):
        kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
        kube.add_node("cpu-node-1", cpu="8", memory="32Gi")
        for index in range(gpu_nodes):
            kube.add_node(
                f"gpu-node-{index + 1}",
                cpu="16",
                memory="64Gi",
                gpus=4,
                labels={"mlplat/accelerator": "nvidia"},
                taints=[{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}],
            )
        kubeconfig = kube.write_kubeconfig(state_dir / "kubeconfig.yaml", namespace=NAMESPACE)
        # given, when the caller starts a service that must know them before the hub runs
        hub_api = (env or {}).get("MLPLAT_HUB_API_URL") or f"http://127.0.0.1:{_free_port()}"
        platform_url = (env or {}).get("MLPLAT_PLATFORM_URL") or f"http://127.0.0.1:{_free_port()}"
        variables = {
            **os.environ,
            "KUBECONFIG": str(kubeconfig),
            "JUPYTERHUB_CRYPT_KEY": secrets.token_hex(32),
            "MLPLAT_CHP": chp,
            "MLPLAT_STATE_DIR": str(state_dir),
            "MLPLAT_PUBLIC_URL": url,
            "MLPLAT_HUB_API_URL": hub_api,
            "MLPLAT_PROXY_API_URL": f"http://127.0.0.1:{_free_port()}",
            "MLPLAT_HUB_DB_URL": hub_db,
            "MLPLAT_PLATFORM_DB_URL": platform_db,
            "MLPLAT_PLATFORM_URL": platform_url,
            "MLPLAT_OIDC_AUTHORIZE_URL": oidc.authorize_url,
            "MLPLAT_OIDC_TOKEN_URL": oidc.token_url,
            "MLPLAT_OIDC_USERDATA_URL": oidc.userdata_url,
            "MLPLAT_OIDC_CLIENT_ID": client.client_id,
            "MLPLAT_OIDC_CLIENT_SECRET": client.client_secret,
            "MLPLAT_USER_GROUPS": "data-scientists,gpu-users",
            "MLPLAT_SPAWNER_TOKEN": spawner_token,
            "MLPLAT_K8S_NAMESPACE": NAMESPACE,
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
            **(env or {}),
        }
        log = state_dir / "hub.log"
        config = ROOT / "hub_config" / "jupyterhub_config_cluster.py"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "jupyterhub", "-f", str(config)],
                cwd=state_dir,
                env=variables,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        hub = ClusterHub(
            url,
            kube,
            oidc,
            log,
            spawner_token,
            api_url=f"{hub_api}/hub/api",
            platform_url=f"{platform_url}/services/mlplat/",
        )
        try:
            _wait_up(hub, process)
            yield hub
        finally:
            for session in hub.sessions.values():
                session.close()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                # shown with the test's report: what the hub was doing when it did not stop
                print(f"the cluster hub did not stop in 30 s; its log ends:\n{hub.tail(8_000)}")
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)  # reaped, so that nothing is left running unseen


def _wait_up(hub: ClusterHub, process: subprocess.Popen[bytes]) -> None:
    probes = [f"{hub.url}/hub/health", f"{hub.url}/services/mlplat/api/v1/health"]
    deadline = time.monotonic() + 90
    while True:
        with contextlib.suppress(requests.ConnectionError):
            if all(requests.get(p, timeout=2).ok for p in probes):
                return
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the cluster hub did not start:\n{hub.tail()}")
        time.sleep(0.3)
