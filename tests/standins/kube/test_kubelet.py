"""The emulated kubelet schedules like the real scheduler and runs pods as real processes."""

from __future__ import annotations

import base64
import contextlib
import os
import threading
from pathlib import Path
from typing import Any

import pytest
import requests
from kubernetes import client

from tests.standins.kube.apiserver import KubeAPI, wait_until

GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}


def pod(name: str, command: list[str], **spec: Any) -> dict[str, Any]:
    container = {"name": "main", "image": "busybox", "command": command}
    container.update(spec.pop("container", {}))
    return {"metadata": {"name": name}, "spec": {"containers": [container], **spec}}


def phase(v1: client.CoreV1Api, name: str) -> str:
    return str(v1.read_namespaced_pod(name, "default").status.phase)


def gpu_pod(name: str) -> dict[str, Any]:
    return pod(
        name,
        ["sleep", "60"],
        container={"resources": {"limits": {"nvidia.com/gpu": "1"}}},
        nodeSelector={"accelerator": "nvidia"},
        tolerations=[{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
    )


def test_scheduling_against_node_capacity(kube: KubeAPI, core_v1: client.CoreV1Api) -> None:
    kube.add_node("cpu-1", cpu="2", memory="4Gi")
    kube.add_node("gpu-1", cpu="8", gpus=1, labels={"accelerator": "nvidia"}, taints=[GPU_TAINT])
    one_cpu = {"resources": {"requests": {"cpu": "1500m", "memory": "1Gi"}}}
    core_v1.create_namespaced_pod("default", pod("small", ["sleep", "60"], container=one_cpu))
    core_v1.create_namespaced_pod("default", pod("second", ["sleep", "60"], container=one_cpu))
    core_v1.create_namespaced_pod("default", gpu_pod("gpu-a"))
    core_v1.create_namespaced_pod("default", gpu_pod("gpu-b"))

    wait_until(lambda: phase(core_v1, "small") == phase(core_v1, "gpu-a") == "Running", 5)
    assert core_v1.read_namespaced_pod("small", "default").spec.node_name == "cpu-1"
    gpu_a = core_v1.read_namespaced_pod("gpu-a", "default")
    assert gpu_a.spec.node_name == "gpu-1"
    # API defaulting: a limit without a request requests as much
    assert gpu_a.spec.containers[0].resources.requests == {"nvidia.com/gpu": "1"}

    def failed_scheduling(name: str) -> str:
        events = core_v1.list_namespaced_event(
            "default", field_selector=f"involvedObject.name={name},reason=FailedScheduling"
        ).items
        return events[-1].message if events else ""

    assert wait_until(lambda: failed_scheduling("second"), 5) == (
        "0/2 nodes are available: 1 Insufficient cpu, "
        "1 node(s) had untolerated taint {nvidia.com/gpu: present}."
    )
    assert wait_until(lambda: failed_scheduling("gpu-b"), 5) == (
        "0/2 nodes are available: 1 Insufficient nvidia.com/gpu, "
        "1 node(s) didn't match Pod's node affinity/selector."
    )
    pending = core_v1.read_namespaced_pod("gpu-b", "default")
    assert pending.status.phase == "Pending" and pending.spec.node_name is None
    [condition] = pending.status.conditions
    assert (condition.type, condition.status, condition.reason) == (
        "PodScheduled",
        "False",
        "Unschedulable",
    )

    # freeing the GPU lets the waiting pod in, as the scheduler's retry would
    core_v1.delete_namespaced_pod("gpu-a", "default", grace_period_seconds=1)
    wait_until(lambda: phase(core_v1, "gpu-b") == "Running", 10)
    assert core_v1.read_namespaced_pod("gpu-b", "default").spec.node_name == "gpu-1"
    assert phase(core_v1, "second") == "Pending"
    assert kube.rejected == []


def test_pod_runs_with_its_env_and_keeps_its_volume(
    kube: KubeAPI, core_v1: client.CoreV1Api
) -> None:
    kube.add_node("node-1")
    core_v1.create_namespaced_secret(
        "default",
        {"metadata": {"name": "s"}, "data": {"greeting": base64.b64encode(b"hi").decode()}},
    )
    claim = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
    core_v1.create_namespaced_persistent_volume_claim(
        "default", {"metadata": {"name": "data"}, "spec": claim}
    )
    script = 'echo "$GREETING from $POD_NAME" >> "$DATA/visits"; exec python3 -m http.server'
    web = pod(
        "web",
        ["sh", "-c", f"{script} --bind $(POD_IP) 8000"],
        container={
            "ports": [{"containerPort": 8000}],
            "workingDir": "/data",
            "env": [
                {"name": "DATA", "value": "/data"},
                {
                    "name": "GREETING",
                    "valueFrom": {"secretKeyRef": {"name": "s", "key": "greeting"}},
                },
                {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
            ],
            "volumeMounts": [{"name": "data", "mountPath": "/data"}],
        },
        volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}],
    )

    def visits() -> str | None:
        running = core_v1.read_namespaced_pod("web", "default")
        if running.status.phase != "Running":
            return None
        try:
            return requests.get(f"http://{running.status.pod_ip}:8000/visits", timeout=1).text
        except requests.ConnectionError:
            return None

    core_v1.create_namespaced_pod("default", web)
    assert wait_until(visits, 10) == "hi from web\n"
    status = core_v1.read_namespaced_pod("web", "default").status
    assert status.pod_ip.startswith("127.0.0.") and status.host_ip == "127.0.0.1"
    assert [c.type for c in status.conditions if c.status == "True"] == [
        "PodReadyToStartContainers",
        "Initialized",
        "ContainersReady",
        "Ready",
        "PodScheduled",
    ]
    assert status.container_statuses[0].ready and status.container_statuses[0].state.running
    pid = int(status.container_statuses[0].container_id.rpartition("/")[2])
    assert "GET /visits" in core_v1.read_namespaced_pod_log("web", "default")

    terminating = core_v1.delete_namespaced_pod("web", "default")
    assert terminating.metadata.deletion_timestamp is not None
    wait_until(lambda: not kube.objects("Pod"), 10, what="the pod to be removed")
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)

    # the claim's data outlives the pod: a new pod of the same name sees it
    core_v1.create_namespaced_pod("default", web)
    assert wait_until(visits, 10) == "hi from web\nhi from web\n"
    volume = kube.kubelet.volume_dir("default", "data")
    assert (volume / "visits").read_text() == "hi from web\nhi from web\n"
    assert core_v1.read_namespaced_persistent_volume_claim("data", "default").status.phase == (
        "Bound"
    )
    assert kube.rejected == []


@pytest.mark.parametrize(
    ("command", "expected_phase", "exit_code", "reason"),
    [(["true"], "Succeeded", 0, "Completed"), (["sh", "-c", "exit 3"], "Failed", 3, "Error")],
)
def test_exited_process_ends_the_pod(
    kube: KubeAPI,
    core_v1: client.CoreV1Api,
    command: list[str],
    expected_phase: str,
    exit_code: int,
    reason: str,
) -> None:
    kube.add_node("node-1")
    core_v1.create_namespaced_pod("default", pod("job", command))
    wait_until(lambda: phase(core_v1, "job") == expected_phase, 5)
    [container] = core_v1.read_namespaced_pod("job", "default").status.container_statuses
    assert (container.state.terminated.exit_code, container.state.terminated.reason) == (
        exit_code,
        reason,
    )
    assert not container.ready


def test_missing_secret_keeps_the_container_waiting(
    kube: KubeAPI, core_v1: client.CoreV1Api
) -> None:
    kube.add_node("node-1")
    env = [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "absent", "key": "k"}}}]
    core_v1.create_namespaced_pod("default", pod("p", ["true"], container={"env": env}))

    def waiting_reason() -> str | None:
        statuses = core_v1.read_namespaced_pod("p", "default").status.container_statuses
        return statuses[0].state.waiting.reason if statuses else None

    assert wait_until(waiting_reason, 5) == "CreateContainerConfigError"
    assert phase(core_v1, "p") == "Pending"


def _group_alive(group: int) -> bool:
    """Whether a live process is left in the group (orphans linger as zombies until init reaps
    them, which takes seconds on these machines)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rpartition(")")[2].split()
            if int(fields[2]) == group and fields[0] != "Z":
                return True
    return False


def test_stop_leaves_no_process_or_thread(tmp_path: Path) -> None:
    threads_before = set(threading.enumerate())
    with KubeAPI(kubelet=True, kubelet_dir=tmp_path) as api:
        api.add_node("node-1")
        # the container's own child must go too: the kubelet kills the process group
        api.create({"apiVersion": "v1", "kind": "Pod", **pod("p", ["sh", "-c", "sleep 60 & wait"])})

        def running_pid() -> int | None:
            statuses = api.objects("Pod")[0]["status"].get("containerStatuses") or []
            running = [s for s in statuses if "running" in s["state"]]
            return int(running[0]["containerID"].rpartition("/")[2]) if running else None

        group = wait_until(running_pid, 5)
        assert _group_alive(group)

    wait_until(lambda: not _group_alive(group), 5, what="the pod's process group to exit")
    wait_until(lambda: set(threading.enumerate()) <= threads_before, 5, what="threads to end")


def test_parallel_clusters_never_share_a_pod_address(tmp_path: Path) -> None:
    """Test runs of other sessions run kubelets too: the address is locked machine-wide."""
    with (
        KubeAPI(kubelet=True, kubelet_dir=tmp_path / "a") as first,
        KubeAPI(kubelet=True, kubelet_dir=tmp_path / "b") as second,
    ):
        addresses = []
        for api in (first, second):
            api.add_node("node-1")
            manifest = pod("web", ["sleep", "60"], container={"ports": [{"containerPort": 8000}]})
            api.create({"apiVersion": "v1", "kind": "Pod", **manifest})
            running = wait_until(lambda api=api: api.objects("Pod")[0]["status"].get("podIP"), 5)
            addresses.append(running)
        assert addresses[0] != addresses[1]
