"""The emulated API answers the official clients the way a cluster does.

If it did not, tests built on it would pass against behaviour no cluster has: so this checks
what the code under test relies on, through the unmodified ``kubernetes`` and
``kubernetes_asyncio`` clients over HTTP.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from kubernetes import client, config, watch
from kubernetes.client.exceptions import ApiException

from tests.standins.kube.apiserver import KubeAPI, parse_quantity, wait_until


@pytest.fixture
def api() -> Iterator[KubeAPI]:
    """Only the API: pods stay as written, nothing schedules or runs them."""
    with KubeAPI() as kube:
        yield kube
    assert kube.failures == []


@pytest.fixture
def v1(api: KubeAPI, tmp_path: Path) -> Iterator[client.CoreV1Api]:
    api_client = config.new_client_from_config(str(api.write_kubeconfig(tmp_path / "kc.yaml")))
    with api_client:
        yield client.CoreV1Api(api_client)


def pod(name: str, command: list[str] | None = None, **spec: Any) -> dict[str, Any]:
    container = {"name": "main", "image": "busybox", "command": command or ["sleep", "30"]}
    container.update(spec.pop("container", {}))
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, **spec.pop("metadata", {})},
        "spec": {"containers": [container], **spec},
    }


def names(items: list[Any]) -> list[str]:
    return sorted(item.metadata.name for item in items)


def test_pod_crud(v1: client.CoreV1Api, api: KubeAPI) -> None:
    created = v1.create_namespaced_pod(
        "default", pod("", metadata={"generateName": "web-", "labels": {"app": "web"}})
    )
    name = created.metadata.name
    assert name.startswith("web-") and len(name) == len("web-") + 5
    assert created.metadata.uid and created.metadata.creation_timestamp
    assert created.status.phase == "Pending"
    assert v1.read_namespaced_pod(name, "default").metadata.uid == created.metadata.uid

    patched = v1.patch_namespaced_pod(name, "default", {"metadata": {"labels": {"tier": "a"}}})
    assert patched.metadata.labels == {"app": "web", "tier": "a"}
    assert int(patched.metadata.resource_version) > int(created.metadata.resource_version)
    # the main resource ignores status, /status ignores everything else
    v1.patch_namespaced_pod(name, "default", {"status": {"phase": "Running"}})
    assert v1.read_namespaced_pod(name, "default").status.phase == "Pending"
    running = v1.patch_namespaced_pod_status(
        name, "default", {"status": {"phase": "Running", "podIP": "10.0.0.7"}}
    )
    assert (running.status.phase, running.status.pod_ip) == ("Running", "10.0.0.7")

    current = v1.read_namespaced_pod(name, "default")
    current.metadata.annotations = {"note": "replaced"}
    replaced = v1.replace_namespaced_pod(name, "default", current)
    assert replaced.metadata.annotations == {"note": "replaced"}
    current.metadata.annotations = {"note": "stale"}  # still the old resourceVersion
    with pytest.raises(ApiException) as conflict:
        v1.replace_namespaced_pod(name, "default", current)
    assert conflict.value.status == 409

    with pytest.raises(ApiException) as exists:
        v1.create_namespaced_pod("default", pod(name))
    assert exists.value.status == 409
    assert '"reason": "AlreadyExists"' in exists.value.body

    assert v1.delete_namespaced_pod(name, "default").metadata.name == name
    with pytest.raises(ApiException) as missing:
        v1.read_namespaced_pod(name, "default")
    assert missing.value.status == 404
    assert '"reason": "NotFound"' in missing.value.body
    with pytest.raises(ApiException) as missing_again:
        v1.delete_namespaced_pod(name, "default")
    assert missing_again.value.status == 404
    verbs = [(r.verb, r.kind) for r in api.received]
    assert verbs[:3] == [("create", "Pod"), ("patch", "Pod"), ("patch", "Pod")]
    assert ("patch/status", "Pod") in verbs


def test_patch_flavours(v1: client.CoreV1Api) -> None:
    env = [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    v1.create_namespaced_pod("default", pod("p", container={"env": env}))
    # strategic merge: containers and env merge by name
    strategic = {"spec": {"containers": [{"name": "main", "env": [{"name": "B", "value": "3"}]}]}}
    merged = v1.patch_namespaced_pod("p", "default", strategic)
    assert [(e.name, e.value) for e in merged.spec.containers[0].env] == [("A", "1"), ("B", "3")]
    # merge patch: lists are replaced, null deletes
    merge = {"metadata": {"labels": {"x": "1"}}, "spec": {"activeDeadlineSeconds": 60}}
    v1.patch_namespaced_pod("p", "default", merge, _content_type="application/merge-patch+json")
    unset = {"spec": {"activeDeadlineSeconds": None}}
    after = v1.patch_namespaced_pod(
        "p", "default", unset, _content_type="application/merge-patch+json"
    )
    assert after.spec.active_deadline_seconds is None and after.metadata.labels == {"x": "1"}
    # JSON patch
    ops = [
        {"op": "add", "path": "/metadata/labels/y", "value": "2"},
        {"op": "remove", "path": "/metadata/labels/x"},
        {"op": "test", "path": "/spec/containers/0/name", "value": "main"},
    ]
    assert v1.patch_namespaced_pod("p", "default", ops).metadata.labels == {"y": "2"}
    with pytest.raises(ApiException) as failed:
        v1.patch_namespaced_pod("p", "default", [{"op": "remove", "path": "/nope"}])
    assert failed.value.status == 422


def test_pvcs_services_secrets_and_cluster_scoped(v1: client.CoreV1Api, api: KubeAPI) -> None:
    pvc = {
        "metadata": {"name": "claim-a", "labels": {"app": "x"}},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }
    created = v1.create_namespaced_persistent_volume_claim("default", pvc)
    assert created.status.phase == "Pending"  # no provisioner without a kubelet
    assert names(v1.list_namespaced_persistent_volume_claim("default").items) == ["claim-a"]
    assert v1.delete_namespaced_persistent_volume_claim("claim-a", "default").metadata.name

    service = {"metadata": {"name": "web"}, "spec": {"ports": [{"port": 80}]}}
    svc = v1.create_namespaced_service("default", service)
    assert svc.spec.cluster_ip and svc.spec.type == "ClusterIP"
    assert svc.spec.ports[0].target_port == 80

    v1.create_namespaced_secret("default", {"metadata": {"name": "s"}, "stringData": {"k": "v"}})
    secret = v1.read_namespaced_secret("s", "default")
    assert base64.b64decode(secret.data["k"]) == b"v" and not secret.string_data
    assert v1.delete_namespaced_secret("s", "default").status == "Success"

    v1.create_namespace({"metadata": {"name": "team-a"}})
    v1.create_namespaced_config_map("team-a", {"metadata": {"name": "c"}, "data": {"a": "b"}})
    with pytest.raises(ApiException) as no_namespace:
        v1.create_namespaced_config_map("nowhere", {"metadata": {"name": "c"}})
    assert no_namespace.value.status == 404
    assert names(v1.list_config_map_for_all_namespaces().items) == ["c"]
    v1.delete_namespace("team-a")
    assert api.objects("ConfigMap") == []
    assert "team-a" not in names(v1.list_namespace().items)

    api.add_node("n1", cpu="8", gpus=2)
    [node] = v1.list_node().items
    assert node.status.allocatable["nvidia.com/gpu"] == "2"
    assert parse_quantity(node.status.allocatable["memory"]) == 16 * 1024**3


def test_watch_replays_history_and_honours_timeout(v1: client.CoreV1Api) -> None:
    since = v1.list_namespaced_config_map("default").metadata.resource_version
    body = {"metadata": {"name": "c", "labels": {"watched": "yes"}}, "data": {"a": "1"}}
    v1.create_namespaced_config_map("default", body)
    v1.patch_namespaced_config_map("c", "default", {"data": {"a": "2"}})
    v1.patch_namespaced_config_map("c", "default", {"metadata": {"labels": {"watched": "no"}}})
    v1.create_namespaced_config_map("default", {"metadata": {"name": "other"}})
    v1.delete_namespaced_config_map("other", "default")

    started = time.monotonic()
    stream = watch.Watch().stream(
        v1.list_namespaced_config_map,
        "default",
        label_selector="watched=yes",
        resource_version=since,
        timeout_seconds=1,
    )
    events = [(e["type"], e["object"].metadata.name, e["object"].data) for e in stream]
    elapsed = time.monotonic() - started
    assert events == [
        ("ADDED", "c", {"a": "1"}),
        ("MODIFIED", "c", {"a": "2"}),
        ("DELETED", "c", {"a": "2"}),  # it left the selector
    ]
    assert elapsed > 0.9  # it waited for its timeout (and then ended: no upper bound here)

    everything = watch.Watch().stream(v1.list_namespaced_config_map, "default", timeout_seconds=1)
    assert [(e["type"], e["object"].metadata.name) for e in everything] == [("ADDED", "c")]


@pytest.mark.parametrize(
    ("label_selector", "field_selector", "expected"),
    [
        ("app=web", "", ["a", "b"]),
        ("app=web,tier", "", ["a"]),
        ("app!=web", "", ["c", "d"]),
        ("app in (db, cache)", "", ["c"]),
        ("app notin (web),!tier", "", ["c", "d"]),
        ("!app", "", ["d"]),
        ("", "metadata.name=b", ["b"]),
        ("", "spec.nodeName=n1", ["a", "c"]),
        ("", "status.phase!=Running", ["b", "c", "d"]),
        ("app=web", "status.phase=Running,metadata.namespace=default", ["a"]),
    ],
)
def test_selectors(
    v1: client.CoreV1Api, label_selector: str, field_selector: str, expected: list[str]
) -> None:
    labels = {"a": {"app": "web", "tier": "1"}, "b": {"app": "web"}, "c": {"app": "db"}, "d": {}}
    for name, pod_labels in labels.items():
        node = {"nodeName": "n1"} if name in ("a", "c") else {}
        v1.create_namespaced_pod("default", pod(name, metadata={"labels": pod_labels}, **node))
    v1.patch_namespaced_pod_status("a", "default", {"status": {"phase": "Running"}})
    found = v1.list_namespaced_pod(
        "default", label_selector=label_selector, field_selector=field_selector
    )
    assert names(found.items) == expected


def test_wrong_token_is_unauthorized(api: KubeAPI, tmp_path: Path) -> None:
    configuration = client.Configuration()
    configuration.host = api.url
    configuration.api_key = {"authorization": "Bearer wrong"}
    with client.ApiClient(configuration) as api_client, pytest.raises(ApiException) as error:
        client.CoreV1Api(api_client).list_namespaced_pod("default")
    assert error.value.status == 401
    assert requests.get(f"{api.url}/version", timeout=5).ok  # public, as on a cluster


@pytest.mark.parametrize(
    ("container", "message"),
    [
        ({"name": None}, "'name' is a required property"),
        ({"resources": {"requests": {"cpu": "lots"}}}, "quantities must match"),
        ({"ports": [{"containerPort": "http"}]}, "is not of type"),
        ({"name": "Main_1"}, "spec.containers[0].name"),
    ],
)
def test_invalid_manifests_are_rejected(
    v1: client.CoreV1Api, api: KubeAPI, container: dict[str, Any], message: str
) -> None:
    manifest = pod("bad", container=container)
    manifest["spec"]["containers"][0] = {
        k: v for k, v in manifest["spec"]["containers"][0].items() if v is not None
    }
    with pytest.raises(ApiException) as error:
        v1.create_namespaced_pod("default", manifest)
    assert error.value.status == 422
    assert message in error.value.body
    assert [r["metadata"]["name"] for r in api.rejected] == ["bad"]
    assert api.objects("Pod") == []


def test_invalid_labels_and_patches_are_rejected(v1: client.CoreV1Api, api: KubeAPI) -> None:
    with pytest.raises(ApiException) as error:
        v1.create_namespaced_pod("default", pod("p", metadata={"labels": {"user": "a@b.c"}}))
    assert error.value.status == 422
    v1.create_namespaced_pod("default", pod("p"))
    limits = {"limits": {"memory": "much"}}
    with pytest.raises(ApiException) as patched:
        v1.patch_namespaced_pod(
            "p", "default", {"spec": {"containers": [{"name": "main", "resources": limits}]}}
        )
    assert patched.value.status == 422  # the patch is fine, the object it makes is not
    assert len(api.rejected) == 2
    assert v1.read_namespaced_pod("p", "default").spec.containers[0].resources is None


@pytest.mark.asyncio
async def test_kubernetes_asyncio_lists_and_watches(api: KubeAPI, tmp_path: Path) -> None:
    from kubernetes_asyncio import client as aclient
    from kubernetes_asyncio import config as aconfig
    from kubernetes_asyncio import watch as awatch

    configuration = aclient.Configuration()
    kubeconfig = api.write_kubeconfig(tmp_path / "kc.yaml")
    await aconfig.load_kube_config(str(kubeconfig), client_configuration=configuration)
    async with aclient.ApiClient(configuration) as api_client:
        core = aclient.CoreV1Api(api_client)
        await core.create_namespaced_pod("default", pod("before"))
        listed = await core.list_namespaced_pod("default")
        assert names(listed.items) == ["before"]

        async def watch_pods() -> list[tuple[str, str]]:
            stream = awatch.Watch().stream(
                core.list_namespaced_pod,
                "default",
                resource_version=listed.metadata.resource_version,
                timeout_seconds=1,
            )
            async with stream as events:
                return [(e["type"], e["object"].metadata.name) async for e in events]

        watching = asyncio.create_task(watch_pods())
        # once the watch is connected, what follows is live rather than replayed
        await asyncio.to_thread(wait_until, lambda: api.store.watchers, 5)
        await core.create_namespaced_pod("default", pod("during"))
        await core.delete_namespaced_pod("during", "default")
        assert await watching == [("ADDED", "during"), ("DELETED", "during")]


def test_pod_metrics_of_running_pods_as_the_metrics_server_serves_them(
    v1: client.CoreV1Api, api: KubeAPI
) -> None:
    for name, app in (("web", "web"), ("db", "db"), ("new", "web")):
        v1.create_namespaced_pod("default", pod(name, metadata={"labels": {"app": app}}))
    for name in ("web", "db", "new"):
        v1.patch_namespaced_pod_status(name, "default", {"status": {"phase": "Running"}})
    api.set_pod_usage("default", "web", cpu="250m", memory="512Mi")
    api.set_pod_usage("default", "db", cpu="1234567n", memory="1Gi")
    metrics = client.CustomObjectsApi(v1.api_client)

    listed = metrics.list_namespaced_custom_object("metrics.k8s.io", "v1beta1", "default", "pods")
    assert listed["kind"] == "PodMetricsList"
    usage = {m["metadata"]["name"]: m["containers"] for m in listed["items"]}
    # "new" was never scraped: not listed, as a metrics server's fresh pod is not
    assert usage == {
        "web": [{"name": "main", "usage": {"cpu": "250m", "memory": "512Mi"}}],
        "db": [{"name": "main", "usage": {"cpu": "1234567n", "memory": "1Gi"}}],
    }
    web = metrics.list_namespaced_custom_object(
        "metrics.k8s.io", "v1beta1", "default", "pods", label_selector="app=web"
    )
    assert [m["metadata"]["name"] for m in web["items"]] == ["web"]
    one = metrics.get_namespaced_custom_object("metrics.k8s.io", "v1beta1", "default", "pods", "db")
    assert (one["kind"], one["window"]) == ("PodMetrics", "30s")
    with pytest.raises(ApiException) as missing:
        metrics.get_namespaced_custom_object("metrics.k8s.io", "v1beta1", "default", "pods", "new")
    assert missing.value.status == 404
    everywhere = metrics.list_cluster_custom_object("metrics.k8s.io", "v1beta1", "pods")
    assert len(everywhere["items"]) == 2
    groups = client.ApisApi(v1.api_client).get_api_versions()
    assert "metrics.k8s.io" in [g.name for g in groups.groups]

    v1.patch_namespaced_pod_status("web", "default", {"status": {"phase": "Succeeded"}})
    listed = metrics.list_namespaced_custom_object("metrics.k8s.io", "v1beta1", "default", "pods")
    assert [m["metadata"]["name"] for m in listed["items"]] == ["db"]  # running pods only
