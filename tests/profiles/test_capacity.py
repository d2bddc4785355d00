"""Headroom mirrors the scheduler's filters on a cluster and keeps the machine's promises
embedded; quotas name the limit a start would break."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from jupyterlab_mlplat.core.profiles.capacity import (
    Machine,
    Node,
    QuotaExceeded,
    RunningServer,
    Taint,
    check_quota,
    headroom,
    machine_headroom,
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


# ---- the embedded workbench: one machine that reserves nothing for its processes

SMALL = _profile(display_name="Small CPU", cpu_guarantee="0.5", mem_guarantee="1Gi")
LARGE = _profile(
    display_name="Large CPU",
    cpu_guarantee="4",
    cpu_limit="8",
    mem_guarantee="16Gi",
    mem_limit="32Gi",
)
TWO_CORES = Machine(cpus=Decimal(2), memory=24 * GIB, memory_available=20 * GIB)


def test_a_profile_promised_more_than_the_machine_has_never_starts_and_says_ask_an_admin() -> None:
    room = machine_headroom(LARGE, TWO_CORES)
    assert not room.can_start and room.lasting
    assert room.reason == "this machine has 2 CPU and the profile is promised 4"
    small_memory = Machine(cpus=Decimal(8), memory=8 * GIB, memory_available=8 * GIB)
    assert machine_headroom(LARGE, small_memory).reason == (
        "this machine has 8.0 GiB of memory and the profile is promised 16.0 GiB"
    )


def test_a_small_profile_starts_while_a_server_holding_every_core_runs() -> None:
    """The rita case: what runs was guaranteed the whole machine, yet a shared CPU only slows
    down; a scheduler's sum over the bare machine would say "no node has 0.5 CPU free"."""
    busy = replace(TWO_CORES, cpu_promised=Decimal(2), memory_promised=2 * GIB)
    assert machine_headroom(SMALL, busy).can_start
    # thirty people on two cores, as the workbench is meant to hold
    thirty = replace(TWO_CORES, cpu_promised=Decimal("14.5"), memory_promised=29 * GIB)
    assert machine_headroom(SMALL, thirty).can_start


def test_guarantees_add_up_only_to_the_machine_times_its_ratio() -> None:
    full_cpu = replace(TWO_CORES, cpu_promised=Decimal(32))
    room = machine_headroom(SMALL, full_cpu)
    assert not room.can_start and not room.lasting
    assert room.reason == (
        "the running servers are promised 32 of the 32 CPU this machine shares out, "
        "and the profile needs 0.5 more"
    )
    full_memory = replace(TWO_CORES, memory_promised=36 * GIB)
    assert "of memory this machine shares out" in machine_headroom(SMALL, full_memory).reason
    strict = replace(TWO_CORES, cpu_ratio=Decimal(1), cpu_promised=Decimal("1.75"))
    assert not machine_headroom(SMALL, strict).can_start


def test_memory_in_use_by_anything_on_the_machine_counts() -> None:
    crowded = replace(TWO_CORES, memory_available=GIB // 2)
    room = machine_headroom(SMALL, crowded)
    assert not room.can_start and not room.lasting
    assert room.reason == "only 0.5 GiB of memory is free now and the profile is promised 1.0 GiB"


def test_gpus_and_node_selectors_do_not_decide_on_one_machine() -> None:
    small_gpu = _profile(**{**GPU.model_dump(), "cpu_guarantee": "1", "mem_guarantee": "1Gi"})
    assert small_gpu.gpu and small_gpu.node_selector
    assert machine_headroom(small_gpu, TWO_CORES).can_start


def test_a_reason_is_a_template_with_params_for_translation() -> None:
    room = headroom(CPU, [Node("c", Decimal("0.5"), 64 * GIB)])
    assert room.why == "no node has {cpu} CPU free"
    assert dict(room.params) == {"cpu": "1"}
    assert not room.lasting
    assert headroom(GPU, [CPU_NODE]).lasting  # no node may take it: waiting cannot help
