"""deploy/ is applied to real clusters, which this machine lacks: every manifest is validated
against the Kubernetes OpenAPI schemas, the chart values point at files that exist, and what a
cluster would only show at run time is checked as data: the security properties of every pod,
that each container's command line names settings its program has, that the network policies
select the pods our builders make, and that the hub, the services and the manifests agree on
names, ports, tokens and scopes."""

from __future__ import annotations

import configparser
import importlib
import os
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml
from jupyterhub.services.auth import HubOAuth
from traitlets.config import Application

from jupyterlab_mlplat.adapters.kube.deployer import KubeDeployer, KubeDeployments
from jupyterlab_mlplat.adapters.kube.manifests import inference_service, model_deployment
from jupyterlab_mlplat.core.deployments.records import ModelSource, Resources, Workload
from jupyterlab_mlplat.core.kernel.telemetry import NO_TELEMETRY
from jupyterlab_mlplat.gateways.invocations import InvocationsGatewayApp
from jupyterlab_mlplat.gateways.mlflow import MlflowGatewayApp
from jupyterlab_mlplat.platform.app import PlatformApp

ROOT = Path(__file__).resolve().parents[2]
KUSTOMIZE = ROOT / "deploy" / "kustomize"
MODELS = ROOT / "deploy" / "models"
USERS = ROOT / "deploy" / "users"
CLUSTER_CONFIG = ROOT / "hub_config" / "jupyterhub_config_cluster.py"
#: kustomize/'s namespace transformer puts everything there
NAMESPACE = "mlplat"
#: the Deployments the hub registers as external services, by the service's name
SERVICES = {
    "mlplat": "mlplat-platform",
    "mlflow": "mlplat-mlflow-gateway",
    "deployments": "mlplat-invocations",
}
#: the settings classes a container's ``--Class.trait=value`` may name
CONFIGURABLE = {
    cls.__name__: cls
    for cls in (PlatformApp, KubeDeployments, MlflowGatewayApp, InvocationsGatewayApp)
}


def _documents(folder: Path = KUSTOMIZE) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for document in yaml.safe_load_all(path.read_text()):
            found.append(
                (f"{path.name}:{document['kind']}/{document['metadata']['name']}", document)
            )
    return found


def _kind(kind: str, folder: Path = KUSTOMIZE) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for _, d in _documents(folder) if d["kind"] == kind}


def _deployment(name: str) -> dict[str, Any]:
    return _kind("Deployment")[name]


def _container(name: str) -> dict[str, Any]:
    return dict(_deployment(name)["spec"]["template"]["spec"]["containers"][0])


def _env(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in container.get("env", [])}


def _values() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "deploy" / "z2jh" / "values.yaml").read_text()))


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """A label selector of matchLabels only (ours never use expressions) against labels."""
    assert set(selector) <= {"matchLabels"}, selector
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


@pytest.mark.parametrize(("name", "manifest"), _documents(), ids=[n for n, _ in _documents()])
def test_every_manifest_is_valid_for_kubernetes(name: str, manifest: dict[str, object]) -> None:
    version = kubernetes_validate.latest_version()
    kubernetes_validate.validate(manifest, version, strict=True)


@pytest.mark.parametrize(
    ("name", "manifest"), _documents(USERS), ids=[n for n, _ in _documents(USERS)]
)
def test_the_hubs_rights_in_the_users_namespace_are_valid(
    name: str, manifest: dict[str, object]
) -> None:
    kubernetes_validate.validate(manifest, kubernetes_validate.latest_version(), strict=True)


def test_the_hub_may_spawn_where_the_workspaces_run() -> None:
    """KubeSpawner works in MLPLAT_K8S_NAMESPACE, not the chart's: the binding gives the chart's
    hub account the Role there (tests/e2e/test_cluster_services.py spawns under exactly it)."""
    kustomization = yaml.safe_load((USERS / "kustomization.yaml").read_text())
    assert set(kustomization["resources"]) == {p.name for p in USERS.glob("*.yaml")} - {
        "kustomization.yaml"
    }
    assert "namespace" not in kustomization
    bindings = _kind("RoleBinding", USERS)
    assert set(bindings) == {"mlplat-hub-spawner", "mlplat-platform-usage"}
    binding = bindings["mlplat-hub-spawner"]
    role = _kind("Role", USERS)[binding["roleRef"]["name"]]
    users = _values()["hub"]["extraEnv"]["MLPLAT_K8S_NAMESPACE"]
    assert role["metadata"]["namespace"] == binding["metadata"]["namespace"] == users
    # the platform's usage sampler reads the workspaces' pods and metrics there, as itself
    usage = bindings["mlplat-platform-usage"]
    assert usage["subjects"] == [
        {"kind": "ServiceAccount", "name": "mlplat-platform", "namespace": NAMESPACE}
    ]
    reader = _kind("Role", USERS)[usage["roleRef"]["name"]]
    assert reader["metadata"]["namespace"] == usage["metadata"]["namespace"] == users
    headroom = _kind("ClusterRoleBinding")["mlplat-hub-headroom"]["subjects"]
    assert (
        binding["subjects"]
        == headroom
        == [{"kind": "ServiceAccount", "name": "hub", "namespace": NAMESPACE}]
    )
    # the workspaces reach the hub's API from their namespace
    assert _values()["hub"]["networkPolicy"]["interNamespaceAccessLabels"] == "accept"


def test_the_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((KUSTOMIZE / "kustomization.yaml").read_text())
    files = {p.name for p in KUSTOMIZE.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files
    assert kustomization["namespace"] == NAMESPACE


def test_the_platform_reads_the_secrets_the_readme_names() -> None:
    platform = next(d for n, d in _documents() if n.endswith("Deployment/mlplat-platform"))
    text = yaml.safe_dump(platform)
    for key in ("db-url", "hub-api-token", "token-key", "apikey-pepper", "mlplat-objects-s3"):
        assert key in text
    # the object store is the S3 one, with its keys as files
    assert "jupyterlab_mlplat.adapters.s3.S3ObjectStore" in text
    assert "--PlatformApp.s3_secret_key_file=/etc/mlplat/s3/secret-key" in text
    assert "/services/mlplat/api/v1/health" in text
    readme = (ROOT / "deploy" / "README.md").read_text()
    for secret in ("mlplat-platform", "mlplat-mlflow", "mlplat-mlflow-s3", "mlplat-invocations"):
        assert f"`{secret}`" in readme


def test_the_platform_publishes_to_mlflow_and_keeps_its_pepper() -> None:
    """Without MLflow's address and secret publishing is off on a cluster; a pepper in the
    pod's emptyDir would be a new one at each restart, revoking every API key."""
    args = _container("mlplat-platform")["command"]
    assert "--PlatformApp.mlflow_url=http://mlplat-mlflow-server:5000/services/mlflow" in args
    secret_file = "--PlatformApp.mlflow_secret_file=/etc/mlplat/mlflow/gateway-secret"
    assert secret_file in args
    assert "--PlatformApp.apikey_pepper_file=/etc/mlplat/apikey-pepper/apikey-pepper.key" in args
    server = _container("mlplat-mlflow-server")
    assert "--static-prefix=/services/mlflow" in server["command"]
    assert "--port=5000" in server["command"]
    service = _kind("Service")["mlplat-mlflow-server"]
    assert service["spec"]["ports"][0]["port"] == 5000


# --- every pod ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(_kind("Deployment")))
def test_every_pod_runs_unprivileged_with_probes_and_resources(name: str) -> None:
    deployment = _deployment(name)
    pod = deployment["spec"]["template"]["spec"]
    assert _selects(
        deployment["spec"]["selector"], deployment["spec"]["template"]["metadata"]["labels"]
    )
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert pod["serviceAccountName"] in _kind("ServiceAccount")
    for container in pod["containers"]:
        security = container.get("securityContext", {})
        assert security.get("allowPrivilegeEscalation") is False, container["name"]
        assert security.get("capabilities") == {"drop": ["ALL"]}, container["name"]
        assert not security.get("privileged")
        ports = {p["name"] for p in container["ports"]}
        for probe in ("readinessProbe", "livenessProbe"):
            assert probe in container, f"{name}: no {probe}"
            check = container[probe].get("httpGet") or container[probe].get("tcpSocket")
            assert check["port"] in ports, f"{name}: {probe} on an undeclared port"
        resources = container["resources"]
        assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}


@pytest.mark.parametrize("name", sorted(set(_kind("Deployment")) - {"mlplat-platform"}))
def test_services_but_the_platform_hold_no_kubernetes_token_and_a_read_only_root(
    name: str,
) -> None:
    """The platform alone talks to the Kubernetes API (it runs the model servers); the others
    never need a token, and write only to their emptyDirs."""
    pod = _deployment(name)["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert (
        _kind("ServiceAccount")[pod["serviceAccountName"]]["automountServiceAccountToken"] is False
    )
    assert pod["serviceAccountName"] == name  # an account of its own
    for container in pod["containers"]:
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}


@pytest.mark.parametrize("name", sorted(_kind("Deployment")))
def test_secrets_reach_pods_by_reference_only(name: str) -> None:
    pod = _deployment(name)["spec"]["template"]["spec"]
    for container in pod["containers"]:
        for variable, entry in _env(container).items():
            if any(w in variable for w in ("TOKEN", "SECRET", "PASSWORD", "PGPASS", "ACCESS_KEY")):
                assert "secretKeyRef" in entry.get("valueFrom", {}), f"{name}: {variable}"
            if "://" in entry.get("value", ""):
                assert urlsplit(entry["value"]).password is None, f"{name}: {variable}"
    assert "Secret" not in {d["kind"] for _, d in _documents()}
    assert "Secret" not in {d["kind"] for _, d in _documents(MODELS)}


@pytest.mark.parametrize("name", sorted(_kind("Service")))
def test_every_service_reaches_its_pods_on_a_named_port(name: str) -> None:
    service = _kind("Service")[name]
    deployment = _deployment(name)
    template = deployment["spec"]["template"]
    assert _selects({"matchLabels": service["spec"]["selector"]}, template["metadata"]["labels"])
    ports = {p["name"] for p in template["spec"]["containers"][0]["ports"]}
    assert {p["targetPort"] for p in service["spec"]["ports"]} <= ports


@pytest.mark.parametrize("name", sorted(_kind("Deployment")))
def test_every_setting_on_a_command_line_exists(name: str) -> None:
    """A misspelt ``--Class.trait`` is only a warning at start, and the setting silently
    missing: each names a configurable trait of its class."""
    container = _container(name)
    for argument in [*container["command"], *container.get("args", [])]:
        if not argument.startswith("--") or "." not in argument.split("=", 1)[0]:
            continue
        dotted = argument[2:].split("=", 1)[0]
        class_name, trait = dotted.split(".", 1)
        if class_name not in CONFIGURABLE:
            continue
        assert trait in CONFIGURABLE[class_name].class_traits(config=True), argument


def test_mlflow_takes_its_command_line_and_its_auth_config() -> None:
    """The flags exist in the pinned MLflow (parsed by its own command, not run), and the
    auth app's settings name our authorization function and an admin no hub user can be."""
    with warnings.catch_warnings():  # MLflow's own modules warn as they load (not ours to fix)
        warnings.simplefilter("ignore")
        from mlflow.cli import server

    container = _container("mlplat-mlflow-server")
    assert container["command"][:2] == ["mlflow", "server"]
    context = server.make_context("server", container["command"][2:])
    assert context.params["app_name"] == "basic-auth"
    assert context.params["serve_artifacts"] is True
    assert context.params["artifacts_destination"] == "s3://mlflow/"
    hosts = context.params["allowed_hosts"].split(",")
    assert "mlplat-mlflow-server:5000" in hosts
    # the gateway calls it by the name its upstream URL gives
    upstream = _env(_container("mlplat-mlflow-gateway"))["MLPLAT_MLFLOW_UPSTREAM"]["value"]
    assert upstream.removeprefix("http://") in hosts

    env = _env(container)
    assert env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"]["value"] == "false"
    assert {k: env[k]["value"] for k in NO_TELEMETRY} == NO_TELEMETRY
    assert urlsplit(env["MLFLOW_BACKEND_STORE_URI"]["value"]).password is None
    config_map = _kind("ConfigMap")["mlplat-mlflow-auth"]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert env["MLFLOW_AUTH_CONFIG_PATH"]["value"] == f"{mounts['auth-config']}/auth.ini"
    ini = configparser.ConfigParser()
    ini.read_string(config_map["data"]["auth.ini"])
    module, _, function = ini["mlflow"]["authorization_function"].partition(":")
    assert callable(getattr(importlib.import_module(module), function))
    assert ini["mlflow"]["default_permission"] == "READ"
    assert urlsplit(ini["mlflow"]["database_uri"]).password is None
    for name in ("MLPLAT_MLFLOW_GATEWAY_SECRET", "MLFLOW_AUTH_ADMIN_PASSWORD", "PGPASSWORD"):
        assert "secretKeyRef" in env[name]["valueFrom"]


# --- the network policies ------------------------------------------------------------------


def _model_pod_labels() -> list[dict[str, str]]:
    """The labels of a model server's pods as the platform would make them with its
    manifest's settings, as a Deployment and as a KServe predictor."""
    app = Application()
    app.parse_command_line(
        [a for a in _container("mlplat-platform")["command"] if a.startswith("--KubeDeployments.")]
    )
    settings = KubeDeployer(parent=app, files=None).settings()
    source = ModelSource("alice.iris", "3", "mlflow-artifacts:/1/abc/artifacts/model")
    workload = Workload("iris-v3", "iris", "alice", source, Resources())
    deployment = model_deployment(workload, settings)
    predictor = inference_service(workload, settings)["spec"]["predictor"]
    container_ports = {
        p["name"] for p in deployment["spec"]["template"]["spec"]["containers"][0]["ports"]
    }
    assert "http" in container_ports
    return [deployment["spec"]["template"]["metadata"]["labels"], predictor["labels"]]


def test_model_servers_admit_only_the_invocations_gateway() -> None:
    policies = _kind("NetworkPolicy", MODELS)
    deny = policies["mlplat-models-default-deny"]
    assert deny["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    allow = policies["mlplat-model-servers"]
    assert deny["metadata"]["namespace"] == allow["metadata"]["namespace"] == "mlplat-models"
    for labels in _model_pod_labels():
        assert _selects(allow["spec"]["podSelector"], labels), labels
    (rule,) = allow["spec"]["ingress"]
    (peer,) = rule["from"]
    assert peer["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": NAMESPACE}}
    pods = {
        name: d["spec"]["template"]["metadata"]["labels"] for name, d in _kind("Deployment").items()
    }
    admitted = {name for name, labels in pods.items() if _selects(peer["podSelector"], labels)}
    assert admitted == {"mlplat-invocations"}
    # the port the model server's container names (8080 whatever it is set to)
    assert rule["ports"] == [{"port": "http", "protocol": "TCP"}]


def test_mlflow_admits_only_its_gateway_and_the_platform() -> None:
    policy = _kind("NetworkPolicy")["mlplat-mlflow-server"]
    pods = {
        name: d["spec"]["template"]["metadata"]["labels"] for name, d in _kind("Deployment").items()
    }
    assert {n for n, labels in pods.items() if _selects(policy["spec"]["podSelector"], labels)} == {
        "mlplat-mlflow-server"
    }
    (rule,) = policy["spec"]["ingress"]
    admitted = {
        name
        for name, labels in pods.items()
        if any(_selects(p["podSelector"], labels) for p in rule["from"])
    }
    assert admitted == {"mlplat-mlflow-gateway", "mlplat-platform"}


# --- the hub and its external services -----------------------------------------------------


@pytest.mark.parametrize(("service", "deployment"), sorted(SERVICES.items()))
def test_each_external_service_is_who_the_hub_thinks_it_is(
    service: str, deployment: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hub gives the services it runs JUPYTERHUB_SERVICE_NAME and the rest; an external
    one is told by its manifest. Without the name, HubOAuth asks no access scope: the platform
    then refused every token, and a gateway would take any token the hub knows."""
    env = _env(_container(deployment))
    for name in list(os.environ):
        if name.startswith("JUPYTERHUB_"):
            monkeypatch.delenv(name)
    for name, entry in env.items():
        if name.startswith("JUPYTERHUB_"):
            monkeypatch.setenv(name, entry.get("value", "from-a-secret"))
    auth = HubOAuth()
    assert auth.access_scopes == {f"access:services!service={service}"}
    assert env["JUPYTERHUB_API_URL"]["value"].startswith("http://hub:8081/")
    token = env["JUPYTERHUB_API_TOKEN"]["valueFrom"]["secretKeyRef"]
    if service != "deployments":  # the OAuth of pages in a browser
        assert auth.oauth_client_id == f"service-{service}"
        assert auth.oauth_redirect_uri == f"/services/{service}/oauth_callback"
        assert env["JUPYTERHUB_SERVICE_PREFIX"]["value"] == f"/services/{service}/"

    # the hub's side (the chart's values): this service's URL is its Service, its token the
    # same secret's key, and it is external
    extra_env = _values()["hub"]["extraEnv"]
    prefix = {"mlplat": "PLATFORM", "mlflow": "MLFLOW", "deployments": "DEPLOYMENTS"}[service]
    assert extra_env[f"MLPLAT_{prefix}_EXTERNAL"] == "1"
    assert extra_env[f"MLPLAT_{prefix}_API_TOKEN"]["valueFrom"]["secretKeyRef"] == token
    port = _kind("Service")[deployment]["spec"]["ports"][0]["port"]
    # with the namespace: workspaces in mlplat-users are given these addresses too
    assert extra_env[f"MLPLAT_{prefix}_URL"] == f"http://{deployment}.{NAMESPACE}.svc:{port}"
    # and the Service's port is the one the program listens on
    command = " ".join(_container(deployment)["command"])
    assert f"port={_container(deployment)['ports'][0]['containerPort']}" in command


def test_the_invocations_gateway_runs_twice_and_knows_the_platform() -> None:
    deployment = _deployment("mlplat-invocations")
    assert deployment["spec"]["replicas"] == 2
    budget = _kind("PodDisruptionBudget")["mlplat-invocations"]
    assert budget["spec"]["minAvailable"] == 1
    env = _env(_container("mlplat-invocations"))
    assert env["MLPLAT_PLATFORM_URL"]["value"] == "http://mlplat-platform:8101/services/mlplat/"
    args = _container("mlplat-invocations")["command"]
    assert "--InvocationsGatewayApp.s3_bucket=mlplat" in args  # the platform's bucket
    # per-replica rate limits are said where operators read
    assert "per replica" in (ROOT / "deploy" / "README.md").read_text()
    assert "per replica" in (ROOT / "docs" / "deployments-gateway.md").read_text()


def test_the_chart_values_load_our_cluster_config() -> None:
    values = _values()
    snippet = values["hub"]["extraConfig"]["mlplat"]
    assert "/srv/mlplat/hub_config/jupyterhub_config_cluster.py" in snippet
    assert CLUSTER_CONFIG.is_file()
    required = {
        "MLPLAT_OIDC_AUTHORIZE_URL",
        "MLPLAT_OIDC_TOKEN_URL",
        "MLPLAT_OIDC_USERDATA_URL",
        "MLPLAT_OIDC_CLIENT_ID",
        "MLPLAT_OIDC_CLIENT_SECRET",
        "MLPLAT_SPAWNER_TOKEN",
        "JUPYTERHUB_CRYPT_KEY",
    }
    assert required <= set(values["hub"]["extraEnv"])
    config = CLUSTER_CONFIG.read_text()
    for variable in required - {"JUPYTERHUB_CRYPT_KEY"}:
        assert variable in config + (ROOT / "hub_config" / "oidc.py").read_text()


def test_every_variable_the_values_set_is_documented_and_read() -> None:
    header = CLUSTER_CONFIG.read_text().split("\nimport ", 1)[0]
    config = CLUSTER_CONFIG.read_text() + (ROOT / "hub_config" / "oidc.py").read_text()
    config += (ROOT / "jupyterlab_mlplat" / "hub" / "groups.py").read_text()
    for variable in _values()["hub"]["extraEnv"]:
        if variable.startswith("MLPLAT_"):
            assert variable in header, f"{variable} is not in the header comment"
            assert f'"{variable}"' in config, f"{variable} is never read"
