"""The pure builders of a deployment's Kubernetes objects: each one valid for Kubernetes
(kubernetes-validate, strict: an unknown field is an error) or for KServe's CRD schema, and
saying what the deployer relies on (labels, selector, probes, resources, no secret in env)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import kubernetes_validate
import pytest

from jupyterlab_mlplat.adapters.kube import manifests
from jupyterlab_mlplat.adapters.kube.manifests import KubeSettings
from jupyterlab_mlplat.core.deployments.records import ModelSource, Resources, Workload
from jupyterlab_mlplat.core.kernel.naming import label_value
from jupyterlab_mlplat.core.kernel.telemetry import NO_TELEMETRY
from tests.standins.kube.kserve_crd import inferenceservice_problems

SETTINGS = KubeSettings(
    namespace="mlplat-models",
    image="registry.example/mlplat:1.0",
    service_account="mlplat-model",
    s3_secret_name="mlplat-s3",
    s3_endpoint_url="http://minio.mlplat.svc:9000",
    artifacts_destination="s3://mlflow/",
    labels={"team": "data"},
    node_selector={"pool": "models"},
    tolerations=({"key": "models", "operator": "Exists", "effect": "NoSchedule"},),
)


def workload(**changes: Any) -> Workload:
    base = Workload(
        name="churn-v3",
        deployment="churn",
        owner="Anna.K@city",
        source=ModelSource("alice.churn", "3", "mlflow-artifacts:/1/models/m-abc/artifacts"),
        resources=Resources(cpu="500m", memory="512Mi", replicas=2, max_replicas=4),
    )
    return replace(base, **changes)


def valid(obj: dict[str, Any]) -> None:
    kubernetes_validate.validate(obj, kubernetes_validate.latest_version(), strict=True)


def test_the_deployment_is_valid_and_runs_the_model_server_from_s3() -> None:
    deployment = manifests.model_deployment(workload(), SETTINGS)
    valid(deployment)
    spec = deployment["spec"]
    assert spec["replicas"] == 2
    assert spec["selector"]["matchLabels"] == {
        "app.kubernetes.io/instance": "churn-v3",
        "mlplat/deployment": "churn",
    }
    pod = spec["template"]["spec"]
    labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    (container,) = pod["containers"]
    assert container["command"] + container["args"] == [
        "python",
        "-m",
        "jupyterlab_mlplat.serving",
        "--model-uri",
        "s3://mlflow/1/models/m-abc/artifacts",
        "--name",
        "churn",
        "--version",
        "3",
        "--host",
        "$(POD_IP)",
        "--port",
        "8080",
        "--cache-dir",
        manifests.CACHE_DIR,
    ]
    assert container["readinessProbe"]["httpGet"]["path"] == "/v2/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/v2/health/live"
    assert container["resources"] == {
        "requests": {"cpu": "500m", "memory": "512Mi"},
        "limits": {"memory": "512Mi"},
    }
    assert pod["automountServiceAccountToken"] is False
    assert pod["serviceAccountName"] == "mlplat-model"
    assert pod["nodeSelector"] == {"pool": "models"}
    assert pod["tolerations"] == [{"key": "models", "operator": "Exists", "effect": "NoSchedule"}]


def test_the_object_stores_keys_come_from_the_secret_never_plain_env() -> None:
    container = manifests.model_container(workload(), SETTINGS)
    env = {e["name"]: e for e in container["env"]}
    assert env["MLFLOW_S3_ENDPOINT_URL"]["value"] == "http://minio.mlplat.svc:9000"
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        assert "value" not in env[variable]
        assert env[variable]["valueFrom"]["secretKeyRef"] == {"name": "mlplat-s3", "key": variable}
    assert env["POD_IP"]["valueFrom"]["fieldRef"]["fieldPath"] == "status.podIP"
    # and MLflow, which loads some models, reports nothing to its makers
    assert {k: env[k]["value"] for k in NO_TELEMETRY} == NO_TELEMETRY


def test_labels_say_who_what_and_which_version_in_label_syntax() -> None:
    labels = manifests.model_deployment(workload(), SETTINGS)["metadata"]["labels"]
    assert labels["app.kubernetes.io/managed-by"] == "jupyterlab-mlplat"
    assert labels["app.kubernetes.io/name"] == "mlplat-model-server"
    assert labels["app.kubernetes.io/instance"] == "churn-v3"
    assert labels["mlplat/deployment"] == "churn"
    assert labels["mlplat/version"] == "3"
    assert labels["team"] == "data"
    # a hub name is no label value: folded, with a digest so that two people stay apart
    assert labels["mlplat/owner"].startswith("Anna.K-city-")
    assert label_value("anna.k-city") != labels["mlplat/owner"]
    assert label_value("alice") == "alice"
    assert label_value("-" * 80)[0].isalnum() and len(label_value("x" * 80)) <= 63


def test_the_service_targets_the_named_port_of_the_same_pods() -> None:
    service = manifests.model_service(workload(), SETTINGS)
    valid(service)
    deployment = manifests.model_deployment(workload(), SETTINGS)
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert service["spec"]["ports"] == [
        {"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}
    ]


def test_an_hpa_only_when_the_size_may_grow() -> None:
    hpa = manifests.model_hpa(workload(), SETTINGS)
    assert hpa is not None
    valid(hpa)
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 4)
    assert hpa["spec"]["scaleTargetRef"]["name"] == "churn-v3"
    fixed = workload(resources=Resources(replicas=2, max_replicas=2))
    assert manifests.model_hpa(fixed, SETTINGS) is None


def test_the_inference_service_is_valid_for_kserves_crd() -> None:
    isvc = manifests.inference_service(workload(), SETTINGS)
    assert inferenceservice_problems(isvc) == []
    predictor = isvc["spec"]["predictor"]
    assert (predictor["minReplicas"], predictor["maxReplicas"]) == (2, 4)
    (container,) = predictor["containers"]
    assert container == manifests.model_container(workload(), SETTINGS)
    assert isvc["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] == "RawDeployment"


def test_the_crd_schema_refuses_what_kserve_does_not_know() -> None:
    isvc = manifests.inference_service(workload(), SETTINGS)
    isvc["spec"]["predictor"]["replicas"] = 3
    isvc["spec"]["predictor"]["containers"][0]["ports"][0]["containerPort"] = "http"
    problems = inferenceservice_problems(isvc)
    assert any("replicas" in p for p in problems), problems
    assert any("containerPort" in p for p in problems), problems


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("s3://models/alice/churn/3", "s3://models/alice/churn/3"),
        ("mlflow-artifacts:/1/models/m/artifacts", "s3://mlflow/1/models/m/artifacts"),
        ("mlflow-artifacts:1/x", "s3://mlflow/1/x"),
    ],
)
def test_the_files_are_fetched_from_the_object_store(uri: str, expected: str) -> None:
    source = ModelSource("m", "1", uri)
    assert manifests.model_uri(source, SETTINGS) == expected


@pytest.mark.parametrize(
    "uri", ["/srv/models/m/1", "file:///srv/m", "http://mlflow/x", "mlflow-artifacts:/1/x"]
)
def test_a_location_a_pod_cannot_reach_is_refused(uri: str) -> None:
    settings = replace(SETTINGS, artifacts_destination="")
    with pytest.raises(ValueError, match="cannot be fetched in the cluster"):
        manifests.model_uri(ModelSource("m", "1", uri), settings)
