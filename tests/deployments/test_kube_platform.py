"""The cluster flavour end to end: the platform (its routes, store and reconciler) configured
with ``KubeDeployer``, as deploy/kustomize/platform.yaml configures it, against the Kubernetes
stand-in whose kubelet runs the real model server; the version is alice's, registered in the
real MLflow on PostgreSQL whose artifacts are in a real S3 server, and the pod fetches its
files from that bucket with the keys of a Secret.

alice deploys to staging, the reconciler's route gets the Service's URL once the pod is
ready, the URL answers a real prediction; deleting the deployment removes every object."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import requests
from traitlets.config import Config

from jupyterlab_mlplat.platform.app import PlatformApp
from tests.deployments.conftest import (
    ROW,
    PlatformThread,
    TokenTable,
    start_platform_thread,
)
from tests.mlflow_hubs import BUCKET
from tests.publishing import register_versions
from tests.standins.kube.apiserver import KubeAPI
from tests.workbench import Hub

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.filterwarnings(
        "ignore::UserWarning",
        "ignore::FutureWarning",
        "ignore:Operation with range is deprecated",
    ),
]

NAMESPACE = "mlplat-models"


@pytest.fixture(scope="module")
def model(cluster_hub: Hub) -> str:
    name = f"kdep-{uuid.uuid4().hex[:6]}"
    register_versions(cluster_hub, "alice", name, 1)
    return name


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[KubeAPI]:
    with KubeAPI(kubelet=True, kubelet_dir=tmp_path / "kubelet") as kube:
        kube.add_node("node-1", cpu="8", memory="32Gi")
        kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
        kube.create(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "mlplat-models-s3", "namespace": NAMESPACE},
                "stringData": {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"},
            }
        )
        yield kube
    assert kube.failures == []


@pytest.fixture
def platform(
    cluster_hub: Hub, cluster: KubeAPI, s3_endpoint: str, tmp_path: Path
) -> Iterator[PlatformThread]:
    hub_port = urlparse(cluster_hub.url).port
    assert hub_port is not None
    config = Config()
    config.KubeDeployments.kubeconfig = str(cluster.write_kubeconfig(tmp_path / "kubeconfig"))
    config.KubeDeployments.namespace = NAMESPACE
    config.KubeDeployments.image = "registry.example/jupyterlab-mlplat:test"
    config.KubeDeployments.s3_secret_name = "mlplat-models-s3"
    config.KubeDeployments.s3_endpoint_url = s3_endpoint
    config.KubeDeployments.artifacts_destination = f"s3://{BUCKET}/"
    # the stand-in's service proxy answers on each Service's loopback cluster IP
    config.KubeDeployments.service_url_template = "http://{cluster_ip}:{port}"
    app = PlatformApp(
        config=config,
        data_dir=str(tmp_path / "platform"),
        db_url=f"sqlite:///{tmp_path / 'platform.sqlite'}",
        base_url="/services/mlplat/",
        authenticator_class=TokenTable,
        mlflow_url=f"http://127.0.0.1:{hub_port + 102}/services/mlflow",
        mlflow_secret_file=str(cluster_hub.data_dir / "secrets" / "mlflow-gateway-secret"),
        deployer_class="jupyterlab_mlplat.adapters.kube.deployer.KubeDeployer",
        reconcile_seconds=2.0,
        reconcile_pending_seconds=0.3,
        drain_seconds=1.0,
    )
    app.services = app.build_services()
    running = start_platform_thread(app)
    yield running
    running.stop()


def _until(platform: PlatformThread, name: str, test: Any, seconds: float = 120.0) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        page = platform.call("GET", f"deployments/{name}", "alice")
        if test(page) or time.monotonic() > deadline:
            return page
        time.sleep(0.5)


def test_alice_deploys_to_the_cluster_and_it_answers(
    platform: PlatformThread, cluster: KubeAPI, model: str
) -> None:
    name = f"k{uuid.uuid4().hex[:6]}"
    body = {"name": name, "stage": "staging", "model_name": model, "version": "1"}
    platform.call("POST", "deployments", "alice", body, expect=201)
    page = _until(platform, name, lambda p: p["phase"] == "ready")
    assert page["phase"] == "ready", page
    (workload,) = page["workloads"]
    assert workload["ready_replicas"] == 1

    deployment = cluster.objects("deployments", NAMESPACE)[0]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    uri = container["args"][container["args"].index("--model-uri") + 1]
    assert uri.startswith(f"s3://{BUCKET}/"), uri

    route = platform.call("GET", f"deployments/{name}/route", "invocations")
    (target,) = route["targets"]
    answer = requests.post(f"{target['url']}/invocations", json=ROW, timeout=30)
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["predictions"]) == 1

    logs = platform.call("GET", f"deployments/{name}/logs?version=1&tail=50", "alice")
    assert logs["workload"] == f"{name}-v1"

    platform.call("DELETE", f"deployments/{name}?revision=1", "alice")
    deadline = time.monotonic() + 60
    while cluster.objects("deployments", NAMESPACE) or cluster.objects("services", NAMESPACE):
        assert time.monotonic() < deadline, "the deployment's objects were not removed"
        time.sleep(0.5)
    assert cluster.rejected == []
