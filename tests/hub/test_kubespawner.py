"""A real JupyterHub spawns through KubeSpawner into the emulated cluster.

The hub runs as a subprocess with its own configurable-http-proxy; KubeSpawner reads the
emulated API's kubeconfig from ``KUBECONFIG`` like it would a cluster's, and the kubelet runs the
pod's ``jupyterhub-singleuser`` on its own loopback address. So the spawn, the proxy route, the
single-user server's token check against the hub, the PVC and the pod deletion are all real.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.standins.kube.apiserver import KubeAPI, wait_until

ROOT = Path(__file__).resolve().parents[2]
NAMESPACE = "jhub"

HUB_CONFIG = """
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.ConfigurableHTTPProxy.pid_file = {proxy_pid_file!r}
c.JupyterHub.db_url = "sqlite:///jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "jupyterhub_cookie_secret"
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.services = [{{"name": "tester", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [
    {{
        "name": "tester",
        "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users"],
        "services": ["tester"],
    }}
]

c.JupyterHub.spawner_class = "kubespawner.KubeSpawner"
c.KubeSpawner.namespace = {namespace!r}
c.KubeSpawner.image = "quay.io/jupyterhub/k8s-singleuser-sample:4.1.0"
c.KubeSpawner.cmd = ["jupyterhub-singleuser"]
c.KubeSpawner.ip = "0.0.0.0"
# not 8888: anything on 0.0.0.0:8888 (galata's lab) would take that port from every pod address
c.KubeSpawner.port = {pod_port}
c.KubeSpawner.cpu_guarantee = 0.5
c.KubeSpawner.mem_guarantee = "512M"
c.KubeSpawner.storage_pvc_ensure = True
c.KubeSpawner.storage_capacity = "1Gi"
c.KubeSpawner.volumes = [
    {{"name": "home", "persistentVolumeClaim": {{"claimName": "{{pvc_name}}"}}}}
]
c.KubeSpawner.volume_mounts = [{{"name": "home", "mountPath": "/home/jovyan"}}]
c.KubeSpawner.start_timeout = 60
c.KubeSpawner.http_timeout = 60
"""


@dataclass
class Hub:
    url: str
    token: str
    log: Path

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        # a spawn request waits up to the hub's slow_spawn_timeout (10 s) before its 202
        return requests.request(
            method,
            f"{self.url}/hub/api{path}",
            headers={"Authorization": f"token {self.token}"},
            timeout=30,
            **kwargs,
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def chp_command() -> str:
    chp = (
        os.environ.get("MLPLAT_CHP")
        or shutil.which("configurable-http-proxy")
        or str(ROOT / ".tools" / "node_modules" / ".bin" / "configurable-http-proxy")
    )
    if not Path(chp).exists():
        if os.environ.get("CI"):
            pytest.fail("configurable-http-proxy missing under CI: scripts/test installs it")
        pytest.skip("configurable-http-proxy not installed")
    return chp


@contextlib.contextmanager
def kubespawner_hub(kube: KubeAPI, directory: Path, *, timeout: float = 30) -> Iterator[Hub]:
    """Run a hub spawning into ``kube`` until it answers, and stop its process group (and its
    proxy, which the hub starts in a session of its own) afterwards whatever happened."""
    directory.mkdir(parents=True, exist_ok=True)
    port, token = free_port(), "tester-token-0123456789abcdef"
    proxy_pid_file = directory / "proxy.pid"
    (directory / "jupyterhub_config.py").write_text(
        HUB_CONFIG.format(
            port=port,
            hub_port=free_port(),
            proxy_api_port=free_port(),
            chp=chp_command(),
            proxy_pid_file=str(proxy_pid_file),
            token=token,
            namespace=NAMESPACE,
            pod_port=free_port(),
        )
    )
    kubeconfig = kube.write_kubeconfig(directory / "kubeconfig.yaml", namespace=NAMESPACE)
    log = directory / "jupyterhub.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", "jupyterhub_config.py"],
            cwd=directory,
            env={**os.environ, "KUBECONFIG": str(kubeconfig)},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    hub = Hub(f"http://127.0.0.1:{port}", token, log)
    try:

        def answering() -> bool:
            if process.poll() is not None:
                pytest.fail(f"the hub exited:\n{log.read_text()[-4000:]}")
            with contextlib.suppress(requests.ConnectionError):
                return hub.api("GET", "/").ok
            return False

        wait_until(answering, timeout, interval=0.1, what="the hub")
        yield hub
    finally:
        _stop_group(process)
        _kill_proxy(proxy_pid_file)


def _kill_proxy(pid_file: Path) -> None:
    """The hub stops its proxy when it shuts down cleanly; after a SIGKILL it cannot."""
    with contextlib.suppress(OSError, ValueError):
        pid = int(pid_file.read_text())
        if b"configurable-http-proxy" in Path(f"/proc/{pid}/cmdline").read_bytes():
            os.kill(pid, signal.SIGKILL)


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_kubespawner_spawns_a_real_server_and_stops_it(kube: KubeAPI, tmp_path: Path) -> None:
    kube.add_node("node-1", cpu="4", memory="16Gi")
    kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
    with kubespawner_hub(kube, tmp_path / "hub") as hub:
        assert hub.api("POST", "/users/alice").status_code == 201
        response = hub.api("POST", "/users/alice/tokens", json={"note": "test"})
        assert response.status_code == 201, response.text
        user_token = response.json()["token"]

        assert hub.api("POST", "/users/alice/server").status_code in (201, 202)

        def explain(problem: str) -> str:
            pod_log = kube.kubelet.log_text(NAMESPACE, "jupyter-alice") if kube.kubelet else ""
            return f"{problem}\n{hub.log.read_text()[-3000:]}\n--- pod:\n{pod_log[-3000:]}"

        def ready() -> bool:
            if any(p["status"]["phase"] == "Failed" for p in kube.objects("Pod", NAMESPACE)):
                pytest.fail(explain("the pod failed"))
            server = hub.api("GET", "/users/alice").json()["servers"].get("", {})
            return bool(server.get("ready"))

        try:
            wait_until(ready, 60, interval=0.2, what="alice's server")
        except TimeoutError:
            pytest.fail(explain("the server did not become ready"))

        as_alice = {"Authorization": f"token {user_token}"}
        status = requests.get(f"{hub.url}/user/alice/api/status", headers=as_alice, timeout=10)
        assert status.status_code == 200, status.text
        note = {"type": "file", "format": "text", "content": "kept on the claim"}
        saved = requests.put(
            f"{hub.url}/user/alice/api/contents/note.txt", json=note, headers=as_alice, timeout=10
        )
        assert saved.status_code == 201, saved.text

        [pod] = kube.objects("Pod", NAMESPACE)
        assert pod["metadata"]["name"] == "jupyter-alice"
        assert pod["status"]["podIP"].startswith("127.0.0.")
        assert pod["spec"]["nodeName"] == "node-1"
        [pvc] = kube.objects("PersistentVolumeClaim", NAMESPACE)
        assert pvc["status"]["phase"] == "Bound"
        claim = pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"]
        assert claim == pvc["metadata"]["name"]
        # the server's home is the claim's directory, so files outlive the pod
        note_file = kube.kubelet.volume_dir(NAMESPACE, claim) / "note.txt"
        assert note_file.read_text() == "kept on the claim"

        assert hub.api("DELETE", "/users/alice/server").status_code in (202, 204)
        wait_until(lambda: not kube.objects("Pod", NAMESPACE), 20, what="the pod to go")
        wait_until(
            lambda: not hub.api("GET", "/users/alice").json()["servers"], 10, what="the stop"
        )
    assert kube.rejected == []
    created = [r.kind for r in kube.received if r.verb == "create"]
    assert {"PersistentVolumeClaim", "Pod"} <= set(created)
