"""Whether a profile can start now, and whether a person may start it: headroom and quotas.

Both are answered from plain snapshots — the nodes with what is already requested on them, and
the servers that run — so the same rules serve Kubernetes (nodes from the API) and the embedded
workbench (this machine as the only node).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from jupyterlab_mlplat.core.kernel.errors import Forbidden

from .rules import Profile, cpu_cores, memory_bytes


@dataclass(frozen=True)
class Taint:
    key: str
    value: str = ""
    effect: str = "NoSchedule"


@dataclass(frozen=True)
class Node:
    """A node as the scheduler sees it: allocatable capacity minus what pods already request."""

    name: str
    cpu_free: Decimal
    memory_free: int
    #: extended resources (``nvidia.com/gpu``): (free, allocatable)
    extended: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    taints: Sequence[Taint] = ()


@dataclass(frozen=True)
class Headroom:
    """What the spawn page says about one profile."""

    can_start: bool
    #: why not, for a person: "no node has 16 GiB of memory free"
    reason: str = ""
    gpu_free: int = 0
    gpu_total: int = 0
    #: how many nodes could take the profile at all (labels and taints), whatever their load
    eligible_nodes: int = 0

    @property
    def gpu_text(self) -> str:
        return f"GPU: {self.gpu_free} of {self.gpu_total} free"


def _tolerated(profile: Profile, taint: Taint) -> bool:
    if taint.effect == "PreferNoSchedule":
        return True
    for toleration in profile.tolerations:
        if toleration.effect not in (None, taint.effect):
            continue
        if toleration.key != taint.key:
            continue
        if toleration.operator == "Exists" or (toleration.value or "") == taint.value:
            return True
    return False


def _eligible(profile: Profile, node: Node) -> bool:
    labels_match = all(node.labels.get(k) == v for k, v in profile.node_selector.items())
    return labels_match and all(_tolerated(profile, t) for t in node.taints)


def _gib(n_bytes: int) -> str:
    return f"{n_bytes / 2**30:.1f} GiB"


def headroom(profile: Profile, nodes: Iterable[Node]) -> Headroom:
    """Can one more server of ``profile`` be scheduled now? Mirrors the scheduler's filters.

    Requests are the guarantees (what Kubernetes reserves); a GPU is requested as its limit.
    """
    eligible = [n for n in nodes if _eligible(profile, n)]
    cpu = cpu_cores(profile.cpu_guarantee)
    memory = memory_bytes(profile.mem_guarantee)
    gpu_free = sum(n.extended.get(profile.gpu_resource, (0, 0))[0] for n in eligible)
    gpu_total = sum(n.extended.get(profile.gpu_resource, (0, 0))[1] for n in eligible)

    def answer(can_start: bool, reason: str = "") -> Headroom:
        return Headroom(can_start, reason, gpu_free, gpu_total, len(eligible))

    if not eligible:
        return answer(False, "no node matches this profile's node selector and taints")
    fits = [
        n
        for n in eligible
        if n.cpu_free >= cpu
        and n.memory_free >= memory
        and n.extended.get(profile.gpu_resource, (0, 0))[0] >= profile.gpu
    ]
    if fits:
        return answer(True)
    if profile.gpu and max(n.extended.get(profile.gpu_resource, (0, 0))[0] for n in eligible) < (
        profile.gpu
    ):
        reason = f"no node has {profile.gpu} free {profile.gpu_resource}"
    elif max(n.cpu_free for n in eligible) < cpu:
        reason = f"no node has {cpu} CPU free"
    elif max(n.memory_free for n in eligible) < memory:
        reason = f"no node has {_gib(memory)} of memory free"
    else:
        reason = "no single node has all of this profile's CPU, memory and GPU free"
    return answer(False, reason)


@dataclass(frozen=True)
class RunningServer:
    """A server that runs or is starting, as quotas count it."""

    user: str
    groups: tuple[str, ...]
    gpus: int


class QuotaExceeded(Forbidden):
    reason = "quota_exceeded"


def check_quota(
    profile: Profile, user: str, groups: Sequence[str], running: Iterable[RunningServer]
) -> None:
    """Refuse a start that would break one of the profile's limits, naming the limit.

    ``running`` must not include the server being started.
    """
    quota = profile.quota
    servers = list(running)
    mine = [s for s in servers if s.user == user]
    _check(
        quota.servers_per_user,
        len(mine) + 1,
        f"The {profile.display_name} profile allows {quota.servers_per_user} running "
        f"server(s) per person and you have {len(mine)}. Stop one first.",
    )
    my_gpus = sum(s.gpus for s in mine)
    _check(
        quota.gpus_per_user,
        my_gpus + profile.gpu,
        f"The {profile.display_name} profile allows {quota.gpus_per_user} GPU(s) per person; "
        f"you already use {my_gpus} and it needs {profile.gpu}.",
    )
    counted = (
        [g for g in groups if g in profile.allowed_groups] if profile.allowed_groups else groups
    )
    for group in sorted(counted):
        members = [s for s in servers if group in s.groups]
        _check(
            quota.servers_per_group,
            len(members) + 1,
            f"The {profile.display_name} profile allows {quota.servers_per_group} running "
            f"server(s) for group {group}, and its members run {len(members)}. "
            "Try again when a colleague stops theirs.",
        )
        group_gpus = sum(s.gpus for s in members)
        _check(
            quota.gpus_per_group,
            group_gpus + profile.gpu,
            f"The {profile.display_name} profile allows {quota.gpus_per_group} GPU(s) for group "
            f"{group}; its members use {group_gpus} and this server needs {profile.gpu}.",
        )


def _check(limit: int | None, wanted: int, message: str) -> None:
    if limit is not None and wanted > limit:
        raise QuotaExceeded(message)
