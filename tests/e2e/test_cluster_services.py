"""The cluster flavour's services: the platform, MLflow's server, the MLflow gateway and the
invocations gateway run from their own manifests (deploy/kustomize, tests/e2e/manifests.py)
beside the cluster hub, which registers them as external services. A workspace pod gets their
addresses, its MLflow client logs a run through ``/services/mlflow`` as its person (runs on
PostgreSQL, artifacts in S3), and the Deployments tab's Try it reaches the gateway.

The hub's configuration is also loaded alone, with each combination of its variables, and
what it declares is read.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
import yaml
from traitlets.config import Config, PyFileConfigLoader

from jupyterlab_mlplat.core.kernel.telemetry import NO_TELEMETRY
from tests.e2e.cluster import NAMESPACE, ClusterHub, _database, _free_port, cluster_hub
from tests.e2e.manifests import local_command, manifest, running
from tests.s3 import running_s3_server

ROOT = Path(__file__).resolve().parents[2]
CLUSTER_CONFIG = ROOT / "hub_config" / "jupyterhub_config_cluster.py"


def hub_rules() -> list[dict[str, Any]]:
    """What deploy/ lets the hub's account do: the Role in the users' namespace
    (deploy/users) and the headroom's read-only ClusterRole (deploy/kustomize)."""
    rules: list[dict[str, Any]] = []
    for path, kind in (
        (ROOT / "deploy" / "users" / "hub-rbac.yaml", "Role"),
        (ROOT / "deploy" / "kustomize" / "hub-headroom-rbac.yaml", "ClusterRole"),
    ):
        rules += next(d for d in yaml.safe_load_all(path.read_text()) if d["kind"] == kind)["rules"]
    return rules


# --- the configuration, loaded alone -------------------------------------------------------


def load(monkeypatch: pytest.MonkeyPatch, **variables: str) -> Config:
    """The cluster configuration as the hub loads it, with only these MLPLAT_* variables
    (and the ones it cannot start without)."""
    for name in list(os.environ):
        if name.startswith("MLPLAT_"):
            monkeypatch.delenv(name)
    required = {
        "MLPLAT_PUBLIC_URL": "https://hub.example.org",
        "MLPLAT_OIDC_AUTHORIZE_URL": "https://sso.example.org/auth",
        "MLPLAT_OIDC_TOKEN_URL": "https://sso.example.org/token",
        "MLPLAT_OIDC_USERDATA_URL": "https://sso.example.org/me",
        "MLPLAT_OIDC_CLIENT_ID": "jupyterhub",
        "MLPLAT_OIDC_CLIENT_SECRET": "oidc-secret",
        "MLPLAT_SPAWNER_TOKEN": "spawner-token",
        "MLPLAT_PLATFORM_DB_URL": "postgresql+psycopg://mlplat@db/mlplat",
    }
    for name, value in {**required, **variables}.items():
        monkeypatch.setenv(name, value)
    return PyFileConfigLoader(CLUSTER_CONFIG.name, path=str(CLUSTER_CONFIG.parent)).load_config()


def services(config: Config) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in config.JupyterHub.services}


def roles(config: Config) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in config.JupyterHub.load_roles}


EXTERNAL = {
    "MLPLAT_PLATFORM_URL": "http://mlplat-platform.mlplat.svc:8101",
    "MLPLAT_PLATFORM_EXTERNAL": "1",
    "MLPLAT_PLATFORM_API_TOKEN": "platform-token",
    "MLPLAT_MLFLOW_URL": "http://mlplat-mlflow-gateway.mlplat.svc:8103",
    "MLPLAT_MLFLOW_EXTERNAL": "1",
    "MLPLAT_MLFLOW_API_TOKEN": "mlflow-token",
    "MLPLAT_DEPLOYMENTS_URL": "http://mlplat-invocations.mlplat.svc:8104",
    "MLPLAT_DEPLOYMENTS_EXTERNAL": "1",
    "MLPLAT_DEPLOYMENTS_API_TOKEN": "deployments-token",
}


def test_without_mlflow_or_a_gateway_nothing_points_at_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = load(monkeypatch)
    assert set(services(config)) == {"mlplat", "mlplat-spawner", "idle-culler"}
    environment = config.KubeSpawner.environment
    # (MLflow's telemetry is off in every workspace, with or without the workbench's MLflow)
    assert set(environment) == {"MLPLAT_PLATFORM_URL", *NO_TELEMETRY}
    assert config.Authenticator.blocked_users == {"mlplat-platform"}
    # the chart's hub NetworkPolicy admits workspaces by this label (ours replace its labels)
    assert config.KubeSpawner.extra_labels["hub.jupyter.org/network-access-hub"] == "true"


def test_external_services_are_registered_with_their_tokens_and_scopes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As deploy/z2jh/values.yaml configures it: every service its own Deployment."""
    config = load(monkeypatch, **EXTERNAL)
    found = services(config)
    mlflow, gateway = found["mlflow"], found["deployments"]
    assert mlflow["url"] == EXTERNAL["MLPLAT_MLFLOW_URL"]
    assert mlflow["api_token"] == "mlflow-token"
    assert "command" not in mlflow
    # its UI in a browser: OAuth without a confirmation page, the admin scope passed on
    assert mlflow["oauth_no_confirm"] is True
    assert mlflow["oauth_client_allowed_scopes"] == [
        "access:services!service=mlflow",
        "custom:mlplat:admin",
    ]
    assert gateway["api_token"] == "deployments-token" and "command" not in gateway
    assert "command" not in found["mlplat"]
    assert roles(config)["mlplat-mlflow-gateway"] == {
        "name": "mlplat-mlflow-gateway",
        "services": ["mlflow"],
        "scopes": ["access:services!service=mlplat", "custom:mlplat:record-events"],
    }
    assert roles(config)["mlplat-invocations"]["services"] == ["deployments"]
    # the same scopes as the embedded hub gives its gateway
    embedded = (ROOT / "hub_config" / "jupyterhub_config.py").read_text()
    for scope in roles(config)["mlplat-invocations"]["scopes"]:
        assert f'"{scope}"' in embedded
    assert "custom:mlplat:report-traffic" in roles(config)["mlplat-invocations"]["scopes"]
    # every person may call both, and so may their server's token
    assert {"access:services!service=mlflow", "access:services!service=deployments"} <= set(
        roles(config)["user"]["scopes"]
    )
    assert "access:services!service=mlflow" in config.Spawner.server_token_scopes

    environment = config.KubeSpawner.environment
    assert environment["MLFLOW_TRACKING_URI"] == "https://hub.example.org/services/mlflow"
    assert environment["MLPLAT_MLFLOW_UI_URL"] == "/services/mlflow/"

    class Spawner:
        api_token = "the-servers-own-token"

    assert environment["MLFLOW_TRACKING_TOKEN"](Spawner()) == "the-servers-own-token"
    assert environment["MLPLAT_GATEWAY_URL"] == "http://mlplat-invocations.mlplat.svc:8104/"
    assert environment["MLPLAT_PLATFORM_URL"] == (
        "http://mlplat-platform.mlplat.svc:8101/services/mlplat/"
    )


def test_a_gateway_address_of_its_own_is_what_workspaces_get(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = load(monkeypatch, **EXTERNAL, MLPLAT_GATEWAY_URL="http://gateway.internal.example.org")
    assert config.KubeSpawner.environment["MLPLAT_GATEWAY_URL"] == (
        "http://gateway.internal.example.org/"
    )


def test_a_hub_managed_mlflow_gateway_and_platform_know_mlflow_and_its_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The hub gives the services it runs only the environment it is told to: the gateway its
    upstream and secret, the platform MLflow's own server for publishing."""
    config = load(
        monkeypatch,
        MLPLAT_MLFLOW_URL="http://127.0.0.1:8103",
        MLPLAT_MLFLOW_SERVER_URL="http://127.0.0.1:8102/",
        MLPLAT_MLFLOW_GATEWAY_SECRET="shared-with-mlflow",
        MLPLAT_PLATFORM_URL="http://127.0.0.1:8101",
    )
    mlflow = services(config)["mlflow"]
    assert Path(mlflow["command"][0]).name == "mlplat-mlflow-gateway"
    assert "api_token" not in mlflow
    assert mlflow["environment"] == {
        "MLPLAT_MLFLOW_UPSTREAM": "http://127.0.0.1:8102/",
        "MLPLAT_MLFLOW_GATEWAY_SECRET": "shared-with-mlflow",
        "MLPLAT_PLATFORM_URL": "http://127.0.0.1:8101/services/mlplat/",
    }
    platform = services(config)["mlplat"]
    assert "--PlatformApp.mlflow_url=http://127.0.0.1:8102/services/mlflow" in platform["command"]
    assert platform["environment"] == {"MLPLAT_MLFLOW_GATEWAY_SECRET": "shared-with-mlflow"}
    # the secret is in no command line, which every account of the machine can read
    assert not any("shared-with-mlflow" in part for part in platform["command"])
    assert not any("shared-with-mlflow" in part for part in mlflow["command"])


# --- the services running from their manifests ---------------------------------------------


@dataclass
class Stack:
    hub: ClusterHub
    s3: Any
    gateway_url: str
    mlflow_log: Path
    mlflow_gateway_log: Path
    platform_log: Path
    invocations_log: Path
    tokens: tuple[str, ...]


def _wait(url: str, what: str, processes: list[subprocess.Popen[bytes]], logs: list[Path]) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=5).status_code == 200:
                return
        for process, log in zip(processes, logs, strict=True):
            if process.poll() is not None:
                pytest.fail(f"{what}: {log.name} exited:\n{log.read_text()[-4000:]}")
        time.sleep(0.5)
    tails = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in logs)
    pytest.fail(f"{what} did not answer at {url}:\n{tails}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    postgres_url = os.environ.get("MLPLAT_TEST_POSTGRES_URL", "")
    if not postgres_url:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL missing under CI: run through scripts/test")
        pytest.skip("PostgreSQL missing: run through scripts/test")
    folder = tmp_path_factory.mktemp("services")
    cleanup = contextlib.ExitStack()
    s3_url = cleanup.enter_context(running_s3_server())
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_url,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )
    for bucket in ("mlflow", "mlplat"):  # MLflow's artifacts; the platform's objects
        s3.create_bucket(Bucket=bucket)
    mlflow_port, gateway_port, invocations_port = _free_port(), _free_port(), _free_port()
    platform_port, hub_api = _free_port(), f"http://127.0.0.1:{_free_port()}"
    mlflow_url = f"http://127.0.0.1:{mlflow_port}"
    tokens = (secrets.token_hex(24), secrets.token_hex(24), secrets.token_hex(24))
    secret_values = {
        ("mlplat-mlflow", "db-password"): "unused-the-test-server-trusts-loopback",
        ("mlplat-mlflow", "gateway-secret"): secrets.token_urlsafe(32),
        ("mlplat-mlflow", "admin-password"): secrets.token_urlsafe(16),
        ("mlplat-mlflow", "flask-secret"): secrets.token_urlsafe(32),
        ("mlplat-mlflow", "hub-api-token"): tokens[0],
        ("mlplat-mlflow-s3", "access-key"): "test",
        ("mlplat-mlflow-s3", "secret-key"): "test",
        ("mlplat-invocations", "hub-api-token"): tokens[1],
        ("mlplat-objects-s3", "access-key"): "test",
        ("mlplat-objects-s3", "secret-key"): "test",
        ("mlplat-platform", "hub-api-token"): tokens[2],
        ("mlplat-platform", "token-key"): base64.urlsafe_b64encode(os.urandom(32)).decode(),
        ("mlplat-platform", "apikey-pepper"): secrets.token_urlsafe(32),
    }
    server_args = manifest("Deployment", "mlplat-mlflow-server")["spec"]["template"]["spec"][
        "containers"
    ][0]["command"]
    allowed_hosts = next(a for a in server_args if a.startswith("--allowed-hosts="))
    in_cluster = "postgresql+psycopg://mlflow@postgres.mlplat:5432"
    try:
        with (
            _database(postgres_url) as backend_db,
            _database(postgres_url) as auth_db,
            _database(postgres_url) as platform_db,
        ):
            secret_values[("mlplat-platform", "db-url")] = platform_db
            # MLflow's server as mlflow.yaml runs it, on this machine's addresses
            argv, env = local_command(
                "mlplat-mlflow-server",
                secrets=secret_values,
                replace={
                    "--host=0.0.0.0": "--host=127.0.0.1",
                    "--port=5000": f"--port={mlflow_port}",
                    "--workers=2": "--workers=1",
                    allowed_hosts: f"--allowed-hosts=127.0.0.1:{mlflow_port}",
                    f"{in_cluster}/mlflow_auth": auth_db,
                    f"{in_cluster}/mlflow": backend_db,
                    "http://minio.mlplat.svc:9000": s3_url,
                },
                folder=folder / "mlflow-server",
            )
            mlflow_log = folder / "mlflow-server.log"
            # the platform as platform.yaml runs it (its deployer finds no cluster here: no
            # deployment is made in these tests)
            platform_argv, platform_env = local_command(
                "mlplat-platform",
                secrets=secret_values,
                replace={
                    "--PlatformApp.ip=0.0.0.0": "--PlatformApp.ip=127.0.0.1",
                    "--PlatformApp.port=8101": f"--PlatformApp.port={platform_port}",
                    "/srv/mlplat/hub_config/": f"{ROOT}/hub_config/",
                    "http://mlplat-mlflow-server:5000": mlflow_url,
                    "http://minio.mlplat.svc:9000": s3_url,
                    "http://hub:8081/hub/api": f"{hub_api}/hub/api",
                },
                folder=folder / "platform",
            )
            platform_log = folder / "platform.log"
            with (
                running(argv, env, mlflow_log) as mlflow,
                running(platform_argv, platform_env, platform_log) as platform,
                cluster_hub(
                    folder / "hub",
                    env={
                        "MLPLAT_HUB_API_URL": hub_api,
                        "MLPLAT_PLATFORM_URL": f"http://127.0.0.1:{platform_port}",
                        "MLPLAT_PLATFORM_EXTERNAL": "1",
                        "MLPLAT_PLATFORM_API_TOKEN": tokens[2],
                        "MLPLAT_MLFLOW_URL": f"http://127.0.0.1:{gateway_port}",
                        "MLPLAT_MLFLOW_EXTERNAL": "1",
                        "MLPLAT_MLFLOW_API_TOKEN": tokens[0],
                        "MLPLAT_DEPLOYMENTS_URL": f"http://127.0.0.1:{invocations_port}",
                        "MLPLAT_DEPLOYMENTS_EXTERNAL": "1",
                        "MLPLAT_DEPLOYMENTS_API_TOKEN": tokens[1],
                    },
                ) as hub,
            ):
                in_the_hub = {
                    "http://hub:8081/hub/api": hub.api_url,
                    "http://mlplat-platform:8101/services/mlplat/": hub.platform_url,
                    "http://minio.mlplat.svc:9000": s3_url,
                }
                argv, env = local_command(
                    "mlplat-mlflow-gateway",
                    secrets=secret_values,
                    replace={
                        **in_the_hub,
                        "--MlflowGatewayApp.ip=0.0.0.0": "--MlflowGatewayApp.ip=127.0.0.1",
                        "--MlflowGatewayApp.port=8103": f"--MlflowGatewayApp.port={gateway_port}",
                        "http://mlplat-mlflow-server:5000": mlflow_url,
                    },
                    folder=folder / "mlflow-gateway",
                )
                gateway_log = folder / "mlflow-gateway.log"
                invocations_log = folder / "invocations.log"
                with running(argv, env, gateway_log) as gateway:
                    argv, env = local_command(
                        "mlplat-invocations",
                        secrets=secret_values,
                        replace={
                            **in_the_hub,
                            "--InvocationsGatewayApp.ip=0.0.0.0": (
                                "--InvocationsGatewayApp.ip=127.0.0.1"
                            ),
                            "--InvocationsGatewayApp.port=8104": (
                                f"--InvocationsGatewayApp.port={invocations_port}"
                            ),
                        },
                        folder=folder / "invocations",
                    )
                    with running(argv, env, invocations_log) as invocations:
                        processes = [mlflow, platform, gateway, invocations]
                        logs = [mlflow_log, platform_log, gateway_log, invocations_log]
                        # MLflow through the hub's proxy and the gateway; the data plane's own
                        _wait(f"{hub.url}/services/mlflow/health", "MLflow", processes, logs)
                        _wait(
                            f"http://127.0.0.1:{invocations_port}/health",
                            "the invocations gateway",
                            processes,
                            logs,
                        )
                        yield Stack(
                            hub,
                            s3,
                            f"http://127.0.0.1:{invocations_port}/",
                            mlflow_log,
                            gateway_log,
                            platform_log,
                            invocations_log,
                            tokens,
                        )
    finally:
        cleanup.close()


def _pod_env(hub: ClusterHub, user: str) -> dict[str, str]:
    pods = [
        p
        for p in hub.kube.objects("Pod", NAMESPACE)
        if p["metadata"].get("annotations", {}).get("hub.jupyter.org/username") == user
    ]
    assert len(pods) == 1
    (container,) = [c for c in pods[0]["spec"]["containers"] if c["name"] == "notebook"]
    return {e["name"]: e.get("value", "") for e in container["env"]}


def test_the_hub_knows_the_services_that_run_on_their_own(stack: Stack) -> None:
    answer = requests.get(
        f"{stack.hub.url}/hub/api/services",
        headers={"Authorization": f"token {stack.hub.token('adam')}"},
        timeout=10,
    ).json()
    for name in ("mlplat", "mlflow", "deployments"):
        assert answer[name]["prefix"] == f"/services/{name}/"
        assert not answer[name].get("pid")  # its own process, not the hub's
    # the platform, run from its manifest, knows who is calling and what they may do
    me = stack.hub.platform(stack.hub.token("rita"), "GET", "me")
    assert me.status_code == 200, me.text
    assert me.json()["roles"] == ["data_scientist", "reviewer"]


def test_a_person_opens_mlflows_ui_through_the_hub_login(stack: Stack) -> None:
    """The browser's way in: the gateway's OAuth client, as its manifest names it, is the one
    the hub registered for the external service (client id, callback under its prefix)."""
    session = stack.hub.login("rita")
    page = session.get(f"{stack.hub.url}/services/mlflow/", timeout=60)
    assert page.status_code == 200, page.text[:2000]
    assert page.url.startswith(f"{stack.hub.url}/services/mlflow/")
    assert "<title>MLflow</title>" in page.text
    # and the API with the cookie the login left, as MLflow's UI calls it
    experiments = session.get(
        f"{stack.hub.url}/services/mlflow/ajax-api/2.0/mlflow/experiments/search",
        params={"max_results": 5},
        headers={"Sec-Fetch-Site": "same-origin"},
        timeout=30,
    )
    assert experiments.status_code == 200, experiments.text


WORKSPACE_CLIENT = """
import json, os, uuid
import mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

mlflow.set_experiment(f"alice-cluster-{uuid.uuid4().hex[:8]}")
with mlflow.start_run() as run:
    mlflow.log_metric("accuracy", 0.93)
    mlflow.log_text("trained on the city's data", "notes/about.txt")
stored = MlflowClient().get_run(run.info.run_id)
answer = {
    "run_id": run.info.run_id,
    "user": stored.info.user_id,
    "metric": stored.data.metrics["accuracy"],
    "files": [f.path for f in MlflowClient().list_artifacts(run.info.run_id, "notes")],
}
os.environ["MLFLOW_TRACKING_TOKEN"] = "not-a-token-the-hub-knows"
try:
    MlflowClient().search_experiments()
except MlflowException as refused:
    answer["stranger"] = refused.get_http_status_code()
print(json.dumps(answer))
"""


def test_a_workspace_logs_to_mlflow_as_its_person_and_reaches_the_gateway(
    stack: Stack, tmp_path: Path
) -> None:
    hub = stack.hub
    # the hub holds only the rights deploy/ gives its account (the spawn page's headroom, the
    # quotas, KubeSpawner's pod, claim and events)
    hub.kube.restrict(hub_rules())
    page = hub.login("alice").get(f"{hub.url}/hub/spawn", timeout=60)
    assert page.status_code == 200 and "cpu-small" in page.text
    started = hub.spawn("alice", "cpu-small")
    assert started.status_code in (201, 202), started.text
    try:
        hub.wait_ready("alice")
        env = _pod_env(hub, "alice")
        assert env["MLFLOW_TRACKING_URI"] == f"{hub.url}/services/mlflow"
        assert env["MLPLAT_MLFLOW_UI_URL"] == "/services/mlflow/"
        assert env["MLPLAT_GATEWAY_URL"] == stack.gateway_url
        assert env["MLFLOW_TRACKING_TOKEN"] == env["JUPYTERHUB_API_TOKEN"]
        assert {k: env.get(k) for k in NO_TELEMETRY} == NO_TELEMETRY

        # an MLflow client with the pod's environment: through the proxy and the gateway,
        # as alice, whatever the client says of itself
        client = subprocess.run(
            [sys.executable, "-c", WORKSPACE_CLIENT],
            env={
                "PATH": os.environ["PATH"],
                "HOME": str(tmp_path),
                "MLFLOW_TRACKING_URI": env["MLFLOW_TRACKING_URI"],
                "MLFLOW_TRACKING_TOKEN": env["MLFLOW_TRACKING_TOKEN"],
                "USER": "someone-else",
                "LOGNAME": "someone-else",
            },
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert client.returncode == 0, (
            client.stderr[-4000:] + stack.mlflow_gateway_log.read_text()[-3000:]
        )
        answer = json.loads(client.stdout.strip().splitlines()[-1])
        assert answer["user"] == "alice"
        assert answer["metric"] == 0.93
        assert answer["files"] == ["notes/about.txt"]
        assert answer["stranger"] in (401, 403)
        # the artifact went through MLflow to its bucket
        keys = [o["Key"] for o in stack.s3.list_objects_v2(Bucket="mlflow").get("Contents", [])]
        assert any(answer["run_id"] in k and k.endswith("notes/about.txt") for k in keys), keys

        # Try it: alice's server calls the invocations gateway at MLPLAT_GATEWAY_URL with its
        # own token, and the gateway (not the server) says there is no such deployment
        tried = requests.post(
            f"{hub.url}/user/alice/jupyterlab-mlplat/deployments/no-such-model/invocations",
            json={"inputs": [[1, 2]]},
            headers={"Authorization": f"token {hub.token('alice')}"},
            timeout=30,
        )
        assert tried.status_code == 404, tried.text
        assert tried.json()["reason"] == "deployment_not_found"
    finally:
        hub.stop("alice")
        hub.kube.restrict(None)  # type: ignore[arg-type]


def test_no_secret_reaches_a_log(stack: Stack) -> None:
    logs = (stack.mlflow_log, stack.mlflow_gateway_log, stack.platform_log, stack.invocations_log)
    for log in (*logs, stack.hub.log):
        text = log.read_text(errors="replace")
        for token in stack.tokens:
            assert token not in text, log.name
        assert "Traceback" not in text, f"{log.name}:\n{text[-3000:]}"

    assert stack.hub.kube.rejected == []
