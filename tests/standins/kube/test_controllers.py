"""The emulated cluster's controllers: Deployments become ready pods behind a Service that
answers on its cluster IP, crashing replicas restart with their exit kept, KServe's CRD makes
InferenceServices servable, and RBAC refusals read as a cluster's."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from kubernetes import client, config
from kubernetes.client.rest import ApiException

from tests.standins.kube.apiserver import KubeAPI, wait_until
from tests.standins.kube.kserve_crd import inferenceservice_crd

LABELS = {"app": "web"}


def web_deployment(name: str = "web", replicas: int = 2, **container: Any) -> dict[str, Any]:
    """A Deployment of a real HTTP server listening on its pod's address."""
    main = {
        "name": "web",
        "image": "python:3.11",
        "command": ["python", "-m", "http.server", "--bind", "$(POD_IP)", "8000"],
        "ports": [{"name": "http", "containerPort": 8000}],
        "env": [{"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}],
        "readinessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 1},
        **container,
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": LABELS},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": LABELS},
            "template": {"metadata": {"labels": LABELS}, "spec": {"containers": [main]}},
        },
    }


@pytest.fixture
def api_client(kube: KubeAPI, kubeconfig: Path) -> Iterator[client.ApiClient]:
    kube.add_node("node-1")
    with config.new_client_from_config(str(kubeconfig)) as api:
        yield api


def ready_replicas(apps: client.AppsV1Api, name: str = "web") -> int:
    return int(apps.read_namespaced_deployment_status(name, "default").status.ready_replicas or 0)


def pods(v1: client.CoreV1Api) -> list[client.V1Pod]:
    return [p for p in v1.list_namespaced_pod("default").items if not p.metadata.deletion_timestamp]


def test_a_deployment_rolls_out_scales_and_is_served_by_its_service(
    kube: KubeAPI, api_client: client.ApiClient
) -> None:
    apps, v1 = client.AppsV1Api(api_client), client.CoreV1Api(api_client)
    apps.create_namespaced_deployment("default", web_deployment())
    service = {
        "metadata": {"name": "web"},
        "spec": {"selector": LABELS, "ports": [{"port": 80, "targetPort": "http"}]},
    }
    v1.create_namespaced_service("default", service)
    wait_until(lambda: ready_replicas(apps) == 2, 20, what="2 ready replicas")
    status = apps.read_namespaced_deployment_status("web", "default").status
    assert (status.replicas, status.available_replicas, status.updated_replicas) == (2, 2, 2)
    assert {c.type: c.status for c in status.conditions} == {
        "Available": "True",
        "Progressing": "True",
    }
    owned = pods(v1)
    assert len(owned) == 2
    assert all(p.metadata.owner_references[0].kind == "Deployment" for p in owned)

    ip = v1.read_namespaced_service("web", "default").spec.cluster_ip
    assert ip.startswith("127.")
    assert requests.get(f"http://{ip}/", timeout=5).status_code == 200

    apps.patch_namespaced_deployment_scale("web", "default", {"spec": {"replicas": 1}})
    wait_until(lambda: len(pods(v1)) == 1, 10, what="scaled to 1")

    # a new template: the new pod is ready before the old one goes
    changed = web_deployment(replicas=1)
    changed["spec"]["template"]["metadata"]["annotations"] = {"rev": "2"}
    old_name = pods(v1)[0].metadata.name
    apps.replace_namespaced_deployment("web", "default", changed)
    wait_until(
        lambda: (
            [p.metadata.name for p in pods(v1)] not in ([], [old_name])
            and len(pods(v1)) == 1
            and ready_replicas(apps) == 1
        ),
        20,
        what="rolled out",
    )
    assert requests.get(f"http://{ip}/", timeout=5).status_code == 200

    apps.delete_namespaced_deployment("web", "default")
    wait_until(lambda: v1.list_namespaced_pod("default").items == [], 10, what="pods collected")
    assert kube.rejected == []


def test_a_crashing_replica_restarts_and_keeps_its_last_words(
    api_client: client.ApiClient,
) -> None:
    apps, v1 = client.AppsV1Api(api_client), client.CoreV1Api(api_client)
    crashing = web_deployment(
        replicas=1,
        command=["sh", "-c", "echo starting; echo 'cannot load model: bad pickle' >&2; exit 3"],
        terminationMessagePolicy="FallbackToLogsOnError",
    )
    apps.create_namespaced_deployment("default", crashing)

    def restarted() -> client.V1ContainerStatus | None:
        statuses = [s for p in pods(v1) for s in p.status.container_statuses or []]
        return next((s for s in statuses if s.restart_count >= 2), None)

    status = wait_until(restarted, 20, what="two restarts")
    terminated = status.last_state.terminated
    assert terminated.exit_code == 3
    assert terminated.message.endswith("cannot load model: bad pickle")
    assert ready_replicas(apps) == 0
    assert pods(v1)[0].status.phase == "Running"  # as a crash-looping pod is


@pytest.fixture
def kserve(kube: KubeAPI, api_client: client.ApiClient) -> dict[str, Any]:
    crd = copy.deepcopy(inferenceservice_crd())
    client.ApiextensionsV1Api(api_client).create_custom_resource_definition(crd)
    return crd


def test_without_kserves_crd_its_group_is_not_served(api_client: client.ApiClient) -> None:
    custom = client.CustomObjectsApi(api_client)
    with pytest.raises(ApiException) as refused:
        custom.get_api_resources("serving.kserve.io", "v1beta1")
    assert refused.value.status == 404


def test_an_inference_service_runs_its_predictor_and_reports_ready(
    kube: KubeAPI, api_client: client.ApiClient, kserve: dict[str, Any]
) -> None:
    custom = client.CustomObjectsApi(api_client)
    resources = custom.get_api_resources("serving.kserve.io", "v1beta1")
    assert "inferenceservices" in [r.name for r in resources.resources]
    container = web_deployment()["spec"]["template"]["spec"]["containers"][0]
    container["name"] = "kserve-container"
    isvc = {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": "web"},
        "spec": {"predictor": {"minReplicas": 1, "containers": [container]}},
    }
    args = ("serving.kserve.io", "v1beta1", "default", "inferenceservices")

    wrong = copy.deepcopy(isvc)
    wrong["spec"]["predictor"]["replicas"] = 2  # not a field of KServe's predictor
    with pytest.raises(ApiException) as refused:
        custom.create_namespaced_custom_object(*args, wrong)
    assert refused.value.status == 422
    assert "replicas" in refused.value.body

    custom.create_namespaced_custom_object(*args, isvc)

    def ready() -> dict[str, Any] | None:
        status = custom.get_namespaced_custom_object(*args, "web").get("status") or {}
        conditions = {c["type"]: c["status"] for c in status.get("conditions") or []}
        return status if conditions.get("Ready") == "True" else None

    status = wait_until(ready, 20, what="the InferenceService ready")
    assert requests.get(status["address"]["url"], timeout=5).status_code == 200
    apps = client.AppsV1Api(api_client)
    assert ready_replicas(apps, "web-predictor") == 1

    custom.delete_namespaced_custom_object(*args, "web")
    wait_until(lambda: apps.list_namespaced_deployment("default").items == [], 10, what="collected")


def test_a_refused_permission_reads_as_rbac_words_it(
    kube: KubeAPI, api_client: client.ApiClient
) -> None:
    kube.forbid("create", "deployments")
    with pytest.raises(ApiException) as refused:
        client.AppsV1Api(api_client).create_namespaced_deployment("default", web_deployment())
    assert refused.value.status == 403
    message = json.loads(refused.value.body)["message"]
    assert message.startswith("deployments.apps is forbidden: ")
    assert 'cannot create resource "deployments" in API group "apps"' in message


def test_apps_and_autoscaling_objects_are_validated(
    kube: KubeAPI, api_client: client.ApiClient
) -> None:
    wrong = web_deployment()
    wrong["spec"]["replica"] = 2
    with pytest.raises(ApiException) as refused:
        client.AppsV1Api(api_client).create_namespaced_deployment("default", wrong)
    assert refused.value.status == 422
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "minReplicas": 1,
            "maxReplicas": 3,
        },
    }
    autoscaling = client.AutoscalingV2Api(api_client)
    autoscaling.create_namespaced_horizontal_pod_autoscaler("default", hpa)
    assert (
        autoscaling.read_namespaced_horizontal_pod_autoscaler("web", "default").spec.max_replicas
        == 3
    )


def test_readiness_follows_the_probe(kube: KubeAPI, api_client: client.ApiClient) -> None:
    """http.server serves its working directory (the pod's home): /ready answers once the
    file is there, and the pod is Ready only while it does."""
    apps, v1 = client.AppsV1Api(api_client), client.CoreV1Api(api_client)
    probe = {
        "httpGet": {"path": "/ready", "port": "http"},
        "periodSeconds": 1,
        "failureThreshold": 2,
    }
    apps.create_namespaced_deployment("default", web_deployment(replicas=1, readinessProbe=probe))
    pod = wait_until(
        lambda: next((p for p in pods(v1) if p.status.phase == "Running"), None), 20, what="running"
    )
    uid = pod.metadata.uid
    assert kube.kubelet is not None
    home = kube.kubelet.work_dir / "pods" / f"default_{pod.metadata.name}_{uid[:8]}" / "home"
    time.sleep(0.5)
    assert ready_replicas(apps) == 0
    (home / "ready").write_text("yes")
    wait_until(lambda: ready_replicas(apps) == 1, 10, what="ready once /ready answers")
    (home / "ready").unlink()
    wait_until(lambda: ready_replicas(apps) == 0, 10, what="unready once it does not")


def test_what_an_update_may_not_change(kube: KubeAPI, api_client: client.ApiClient) -> None:
    apps, v1 = client.AppsV1Api(api_client), client.CoreV1Api(api_client)
    apps.create_namespaced_deployment("default", web_deployment(replicas=0))
    moved = web_deployment(replicas=0)
    moved["spec"]["selector"] = {"matchLabels": {"app": "other"}}
    moved["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    with pytest.raises(ApiException) as refused:
        apps.replace_namespaced_deployment("web", "default", moved)
    assert refused.value.status == 422
    assert "field is immutable" in json.loads(refused.value.body)["message"]

    service = {"metadata": {"name": "web"}, "spec": {"selector": LABELS, "ports": [{"port": 80}]}}
    created = v1.create_namespaced_service("default", service)
    current = v1.read_namespaced_service("web", "default")
    again = {
        **service,
        "metadata": {"name": "web", "resourceVersion": current.metadata.resource_version},
    }
    kept = v1.replace_namespaced_service("web", "default", again)  # no clusterIP: it is kept
    assert kept.spec.cluster_ip == created.spec.cluster_ip
    long_name = {"metadata": {"name": "named"}, "spec": {"ports": [{"name": "x" * 16, "port": 80}]}}
    with pytest.raises(ApiException) as refused:
        v1.create_namespaced_service("default", long_name)
    assert refused.value.status == 422
