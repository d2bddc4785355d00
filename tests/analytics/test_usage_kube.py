"""The cluster's source over the Kubernetes stand-in, through the official client unchanged:
workspaces are KubeSpawner's pods (its labels and annotations), deployments our deployer's
(its labels), requests read from the pod specs (a GPU from ``nvidia.com/gpu``) and usage from
``metrics.k8s.io`` PodMetrics in the metrics server's quantities; the sampler over it writes
the right rows in a real database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client, config

from jupyterlab_mlplat.adapters.kube.metrics import KubeUsage
from jupyterlab_mlplat.adapters.sql.store import SqlStore
from jupyterlab_mlplat.core.analytics.ports import RunningServer
from jupyterlab_mlplat.core.analytics.records import Period
from jupyterlab_mlplat.core.analytics.usage import WorkloadKind
from jupyterlab_mlplat.core.analytics.usage_service import UsageService
from jupyterlab_mlplat.core.kernel.errors import Unavailable
from tests.analytics.conftest import ADAM
from tests.standins.kube.apiserver import KubeAPI

pytestmark = pytest.mark.asyncio

MI, GI = 2**20, 2**30
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Servers:
    """``HubServers`` as the hub would answer (the hub's own answer is ``adapters/hub.py``'s)."""

    running: list[RunningServer] = field(default_factory=list)
    down: bool = False

    async def servers(self) -> list[RunningServer]:
        if self.down:
            raise Unavailable("JupyterHub did not answer (ConnectionRefusedError).")
        return self.running


def workspace_pod(user: str, server: str = "", *, cpu: str, memory: str, gpus: int = 0) -> Any:
    """A pod as KubeSpawner 7 labels and annotates it."""
    name = f"jupyter-{user}" + (f"--{server}" if server else "")
    labels = {"component": "singleuser-server", "hub.jupyter.org/username": user}
    notes = {"hub.jupyter.org/username": user}
    if server:
        labels["hub.jupyter.org/servername"] = server
        notes["hub.jupyter.org/servername"] = server
    resources: dict[str, Any] = {"requests": {"cpu": cpu, "memory": memory}}
    if gpus:
        resources["limits"] = {"nvidia.com/gpu": str(gpus)}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels, "annotations": notes},
        "spec": {"containers": [{"name": "notebook", "image": "scipy", "resources": resources}]},
    }


def model_pod(deployment: str, replica: int) -> Any:
    """A replica as ``adapters/kube/manifests.py`` labels it."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"{deployment}-v1-{replica}",
            "labels": {
                "app.kubernetes.io/name": "mlplat-model-server",
                "app.kubernetes.io/managed-by": "jupyterlab-mlplat",
                "app.kubernetes.io/instance": f"{deployment}-v1",
                "mlplat/deployment": deployment,
            },
        },
        "spec": {
            "containers": [
                {
                    "name": "kserve-container",
                    "image": "mlplat",
                    "resources": {"requests": {"cpu": "500m", "memory": "512Mi"}},
                }
            ]
        },
    }


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[KubeAPI, client.ApiClient]]:
    with KubeAPI(namespaces=("default", "jhub", "models")) as kube:
        api = config.new_client_from_config(str(kube.write_kubeconfig(tmp_path / "kc.yaml")))
        with api:
            yield kube, api
    assert kube.failures == []


def running(kube: KubeAPI, api: client.ApiClient, namespace: str, body: Any) -> str:
    core = client.CoreV1Api(api)
    name = core.create_namespaced_pod(namespace, body).metadata.name
    core.patch_namespaced_pod_status(name, namespace, {"status": {"phase": "Running"}})
    return str(name)


async def test_the_sampler_over_the_cluster_writes_the_right_rows(
    cluster: tuple[KubeAPI, client.ApiClient], sqlite_url: str
) -> None:
    kube, api = cluster
    alice = running(kube, api, "jhub", workspace_pod("alice", cpu="2", memory="4Gi"))
    bob = running(kube, api, "jhub", workspace_pod("bob", "gpu", cpu="4", memory="16Gi", gpus=1))
    running(kube, api, "jhub", workspace_pod("carol", cpu="1", memory="1Gi"))  # not scraped yet
    replicas = [running(kube, api, "models", model_pod("churn-api", i)) for i in (0, 1)]
    running(kube, api, "models", model_pod("gone-api", 0))  # the platform forgot it
    kube.set_pod_usage("jhub", alice, cpu="1500m", memory="2Gi")
    kube.set_pod_usage("jhub", bob, cpu="20000000n", memory="3Gi")  # 0.02 of 4 cores: idle
    kube.set_pod_usage("models", replicas[0], cpu="250m", memory="300Mi")
    kube.set_pod_usage("models", replicas[1], cpu="125m", memory="200Mi")

    hub = Servers(
        [
            RunningServer("alice", "", "cpu-large", datetime(2026, 12, 1, tzinfo=UTC)),
            RunningServer("bob", "gpu", "gpu-1", None),
        ]
    )
    source = KubeUsage(
        api,
        workspaces_namespace="jhub",
        deployments_namespace="models",
        hub=hub,
        deployments=lambda name: ("alice", "small") if name == "churn-api" else None,
    )
    seen = {(o.kind, o.owner, o.name): o for o in await source.observe()}
    assert set(seen) == {
        (WorkloadKind.WORKSPACE, "alice", ""),
        (WorkloadKind.WORKSPACE, "bob", "gpu"),
        (WorkloadKind.WORKSPACE, "carol", ""),
        (WorkloadKind.DEPLOYMENT, "alice", "churn-api"),
    }
    one = seen[WorkloadKind.WORKSPACE, "alice", ""]
    assert (one.profile, one.cpu_requested, one.memory_requested, one.gpus) == (
        "cpu-large",
        2.0,
        4 * GI,
        0,
    )
    assert (one.cpu_used, one.memory_used) == (1.5, 2 * GI)
    gpu = seen[WorkloadKind.WORKSPACE, "bob", "gpu"]
    assert (gpu.profile, gpu.gpus, gpu.cpu_used) == ("gpu-1", 1, pytest.approx(0.02))
    carol = seen[WorkloadKind.WORKSPACE, "carol", ""]
    assert (carol.profile, carol.cpu_used, carol.memory_used) == ("", None, None)
    model = seen[WorkloadKind.DEPLOYMENT, "alice", "churn-api"]
    assert (model.profile, model.cpu_requested, model.memory_requested) == ("small", 1.0, GI)
    assert (model.cpu_used, model.memory_used) == (pytest.approx(0.375), 500 * MI)

    hub.down = True  # the pods still say who uses what; only the profiles are unknown
    without = {(o.kind, o.owner, o.name): o for o in await source.observe()}
    assert set(without) == set(seen)
    assert without[WorkloadKind.WORKSPACE, "alice", ""].profile == ""
    hub.down = False

    store = SqlStore.from_url(sqlite_url)
    try:
        at = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
        service = UsageService(store, store, [source], now=lambda: at)
        summary = await service.sample_once()
        assert (summary.samples, summary.idle, summary.failed) == (4, 2, 0)  # bob's and carol's
        report = service.usage(ADAM, Period(date(2026, 12, 3), date(2026, 12, 3)), "person")
        rows = {r.key: r.figures for r in report.rows}
        assert rows["alice"].cpu_used_core_hours == pytest.approx((1.5 + 0.375) / 60)
        assert rows["alice"].cpu_requested_core_hours == pytest.approx(3.0 / 60)
        idle = service.idle_workloads(ADAM, report.period)
        assert [(w.owner, w.name, w.figures.idle_gpu_hours * 60) for w in idle] == [
            ("bob", "gpu", pytest.approx(1.0)),
            ("carol", "", 0.0),
        ]
    finally:
        store.close()


async def test_a_cluster_without_the_metrics_api_is_unavailable(
    cluster: tuple[KubeAPI, client.ApiClient],
) -> None:
    kube, api = cluster
    kube.restrict([{"apiGroups": [""], "resources": ["pods"], "verbs": ["list"]}])
    source = KubeUsage(api, workspaces_namespace="jhub", deployments_namespace="models")
    with pytest.raises(Unavailable) as caught:
        await source.observe()
    assert "403" in str(caught.value) and "pod metrics" in str(caught.value)


def _rules(path: Path) -> list[dict[str, Any]]:
    role = next(d for d in yaml.safe_load_all(path.read_text()) if d["kind"] == "Role")
    return list(role["rules"])


async def test_the_roles_in_deploy_are_all_the_source_needs(
    cluster: tuple[KubeAPI, client.ApiClient],
) -> None:
    """deploy/users gives the platform's account what it reads where the workspaces run,
    deploy/models what it reads beside the model servers: with only those rules allowed, a
    pass reads both."""
    kube, api = cluster
    name = running(kube, api, "jhub", workspace_pod("alice", cpu="1", memory="1Gi"))
    kube.set_pod_usage("jhub", name, cpu="100m", memory="100Mi")
    running(kube, api, "models", model_pod("churn-api", 0))
    kube.restrict(
        _rules(ROOT / "deploy" / "users" / "platform-usage-rbac.yaml")
        + _rules(ROOT / "deploy" / "models" / "platform-rbac.yaml")
    )
    source = KubeUsage(
        api,
        workspaces_namespace="jhub",
        deployments_namespace="models",
        deployments=lambda _name: ("alice", "small"),
    )
    seen = {(o.kind, o.name) for o in await source.observe()}
    assert seen == {(WorkloadKind.WORKSPACE, ""), (WorkloadKind.DEPLOYMENT, "churn-api")}
    users = yaml.safe_load((ROOT / "deploy" / "users" / "kustomization.yaml").read_text())
    assert "platform-usage-rbac.yaml" in users["resources"]
    platform = (ROOT / "deploy" / "kustomize" / "platform.yaml").read_text()
    assert "--PlatformApp.usage_workspaces_namespace=mlplat-users" in platform
