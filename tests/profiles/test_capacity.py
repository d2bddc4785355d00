"""Headroom mirrors the scheduler's filters; quotas name the limit a start would break."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jupyterlab_mlplat.core.profiles.capacity import (
    Node,
    QuotaExceeded,
    RunningServer,
    Taint,
    check_quota,
    headroom,
)
from jupyterlab_mlplat.core.profiles.rules import Profile, validate_profile

GIB = 2**30


def _profile(**fields: object) -> Profile:
    return validate_profile({"slug": "p", "display_name": "P", "image": "i", **fields})


GPU = _profile(
    display_name="One GPU",
    gpu=1,
    cpu_guarantee="2",
    cpu_limit="4",
    mem_guarantee="8Gi",
    mem_limit="16Gi",
    node_selector={"mlplat/accelerator": "nvidia"},
    tolerations=[{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
    quota={"gpus_per_user": 1, "gpus_per_group": 2, "servers_per_user": 2},
    allowed_groups=["data-scientists", "gpu-users"],
)
CPU = _profile(cpu_guarantee="1", mem_guarantee="2Gi", mem_limit="4Gi")


def _gpu_node(name: str, free: int, total: int = 4, **kw: object) -> Node:
    return Node(
        name=name,
        cpu_free=Decimal(kw.get("cpu", 16)),  # type: ignore[arg-type]
        memory_free=int(kw.get("memory", 64 * GIB)),  # type: ignore[call-overload]
        extended={"nvidia.com/gpu": (free, total)},
        labels={"mlplat/accelerator": "nvidia"},
        taints=(Taint("nvidia.com/gpu", "", "NoSchedule"),),
    )


CPU_NODE = Node("cpu-1", Decimal(3), 10 * GIB)


def test_gpu_headroom_counts_only_nodes_the_profile_may_use() -> None:
    room = headroom(GPU, [_gpu_node("g1", 1), _gpu_node("g2", 0), CPU_NODE])
    assert room.can_start
    assert room.gpu_text == "GPU: 1 of 8 free"
    assert room.eligible_nodes == 2


def test_a_full_cluster_says_which_resource_is_missing() -> None:
    room = headroom(GPU, [_gpu_node("g1", 0), _gpu_node("g2", 0)])
    assert not room.can_start
    assert room.reason == "no node has 1 free nvidia.com/gpu"
    assert room.gpu_text == "GPU: 0 of 8 free"
    short_of_memory = headroom(GPU, [_gpu_node("g1", 2, memory=4 * GIB)])
    assert short_of_memory.reason == "no node has 8.0 GiB of memory free"
    short_of_cpu = headroom(CPU, [Node("c", Decimal("0.5"), 64 * GIB)])
    assert short_of_cpu.reason == "no node has 1 CPU free"


def test_resources_must_fit_on_one_node_not_in_sum() -> None:
    # 2 CPU on one node and 8 GiB on the other: neither can take the GPU profile
    nodes = [_gpu_node("a", 1, cpu=1), _gpu_node("b", 1, memory=1 * GIB)]
    room = headroom(GPU, nodes)
    assert not room.can_start
    assert room.gpu_free == 2


def test_taints_and_selectors_keep_profiles_off_nodes() -> None:
    untolerated = headroom(CPU, [_gpu_node("g1", 4)])
    assert not untolerated.can_start
    assert "node selector and taints" in untolerated.reason
    assert headroom(CPU, [CPU_NODE]).can_start
    assert not headroom(GPU, [CPU_NODE]).can_start
    soft = Node("soft", Decimal(8), 64 * GIB, taints=(Taint("x", "y", "PreferNoSchedule"),))
    assert headroom(CPU, [soft]).can_start


def _running(user: str, groups: tuple[str, ...], gpus: int) -> RunningServer:
    return RunningServer(user=user, groups=groups, gpus=gpus)


def test_a_second_gpu_for_one_person_is_refused_naming_the_limit() -> None:
    running = [_running("alice", ("data-scientists",), 1)]
    with pytest.raises(QuotaExceeded) as caught:
        check_quota(GPU, "alice", ["data-scientists"], running)
    assert "1 GPU(s) per person" in caught.value.message
    assert "already use 1" in caught.value.message
    check_quota(GPU, "bob", ["data-scientists"], running)  # bob has none


def test_a_group_gpu_quota_counts_every_member() -> None:
    running = [
        _running("bob", ("data-scientists",), 1),
        _running("carol", ("data-scientists", "reviewers"), 1),
    ]
    with pytest.raises(QuotaExceeded, match="group data-scientists"):
        check_quota(GPU, "alice", ["data-scientists"], running)
    # a group the profile is not open to is not counted against the profile's group quota
    check_quota(GPU, "dave", ["gpu-users", "reviewers"], running)


def test_servers_per_user() -> None:
    profile = _profile(quota={"servers_per_user": 1})
    with pytest.raises(QuotaExceeded, match="1 running server"):
        check_quota(profile, "alice", [], [_running("alice", (), 0)])
    check_quota(profile, "alice", [], [])


def test_no_quota_means_no_limit() -> None:
    check_quota(CPU, "alice", ["g"], [_running("alice", ("g",), 0)] * 50)
