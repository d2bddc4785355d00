"""Whether a profile can start now, and whether a person may start it: headroom and quotas.

Both are answered from plain snapshots — the nodes with what is already requested on them, the
machine with what it has and has promised, and the servers that run — so the spawn page, the
spawners' refusal at start and the tests share one decision. Kubernetes is answered as its
scheduler would (``headroom``); the embedded workbench, whose processes share one machine that
reserves nothing for them, by ``machine_headroom`` (docs/capacity.md says why the two differ).

A "cannot start" answer carries its reason as an English template with parameters, so the hub
can show it in the person's language, and whether waiting can help (``lasting``): a profile no
node or machine could ever hold needs an admin, a busy one needs time or a stopped server.
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
    """What the spawn page says about one profile, and what a start is refused with."""

    can_start: bool
    #: why not, as an English template the hub translates: "no node has {memory} of memory free"
    why: str = ""
    #: the values ``why`` names, already written for a person ("16.0 GiB")
    params: Mapping[str, str] = field(default_factory=dict)
    gpu_free: int = 0
    gpu_total: int = 0
    #: how many nodes could take the profile at all (labels and taints), whatever their load
    eligible_nodes: int = 0
    #: True when waiting cannot help: the profile is bigger than anything there is
    lasting: bool = False
    #: False where GPUs are not given at all (one machine's local processes): no GPU figures
    gpus_counted: bool = True

    @property
    def reason(self) -> str:
        """Why not, in English: "no node has 16.0 GiB of memory free"."""
        return self.why.format(**self.params)

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

    def answer(can_start: bool, why: str = "", lasting: bool = False, **params: str) -> Headroom:
        return Headroom(can_start, why, params, gpu_free, gpu_total, len(eligible), lasting)

    if not eligible:
        return answer(False, "no node matches this profile's node selector and taints", True)
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
        return answer(
            False,
            "no node has {gpu} free {resource}",
            gpu=str(profile.gpu),
            resource=profile.gpu_resource,
        )
    if max(n.cpu_free for n in eligible) < cpu:
        return answer(False, "no node has {cpu} CPU free", cpu=str(cpu))
    if max(n.memory_free for n in eligible) < memory:
        return answer(False, "no node has {memory} of memory free", memory=_gib(memory))
    return answer(False, "no single node has all of this profile's CPU, memory and GPU free")


@dataclass(frozen=True)
class Machine:
    """The one machine of the embedded workbench, as ``machine_headroom`` weighs it.

    ``cpus`` and ``memory`` are what the operating system lets the workbench use (its CPU
    affinity and control-group limits, physical memory); ``memory_available`` is what the
    kernel could hand out right now; ``cpu_promised``/``memory_promised`` are the guarantees
    of the hub's servers that run or are starting. The ratios say how far the guarantees may
    add up beyond the machine (see ``machine_headroom``).
    """

    cpus: Decimal
    memory: int
    memory_available: int
    cpu_promised: Decimal = Decimal(0)
    memory_promised: int = 0
    cpu_ratio: Decimal = Decimal(16)
    memory_ratio: Decimal = Decimal("1.5")


def _cores(value: Decimal) -> str:
    return f"{value.normalize():f}"


def machine_headroom(profile: Profile, machine: Machine) -> Headroom:
    """Can one more server of ``profile`` start on this machine now?

    Local processes share the machine: nothing reserves CPU or memory for them, and an idle
    notebook uses a small part of what its profile guarantees. Summing guarantees against the
    bare machine, as the Kubernetes scheduler does against a node, would let a two-core
    machine hold four Small servers where thirty people work well; ignoring guarantees would
    let one person start a server promised more than the machine has. So three rules, each
    one a promise the machine can keep:

    1. one server alone gets its guarantee: it is no more than the machine's CPUs and memory
       (else no wait helps: ``lasting``, ask an admin);
    2. the guarantees of all servers stay within the machine times an allocation ratio
       (16 for CPU, which only slows down when shared; 1.5 for memory, which does not
       stretch), as hosts of shared virtual machines do;
    3. the memory it is promised is free now, whatever else runs on the machine.

    GPUs, node selectors and tolerations mean nothing to a local process and are not weighed.
    """
    cpu = cpu_cores(profile.cpu_guarantee)
    memory = memory_bytes(profile.mem_guarantee)

    def refuse(why: str, lasting: bool = False, **params: str) -> Headroom:
        return Headroom(False, why, params, eligible_nodes=1, lasting=lasting, gpus_counted=False)

    if cpu > machine.cpus:
        return refuse(
            "this machine has {cpus} CPU and the profile is promised {cpu}",
            True,
            cpus=_cores(machine.cpus),
            cpu=_cores(cpu),
        )
    if memory > machine.memory:
        return refuse(
            "this machine has {memory} of memory and the profile is promised {need}",
            True,
            memory=_gib(machine.memory),
            need=_gib(memory),
        )
    cpu_shares = machine.cpus * machine.cpu_ratio
    if machine.cpu_promised + cpu > cpu_shares:
        return refuse(
            "the running servers are promised {promised} of the {shares} CPU this machine "
            "shares out, and the profile needs {cpu} more",
            promised=_cores(machine.cpu_promised),
            shares=_cores(cpu_shares),
            cpu=_cores(cpu),
        )
    memory_shares = int(machine.memory * machine.memory_ratio)
    if machine.memory_promised + memory > memory_shares:
        return refuse(
            "the running servers are promised {promised} of the {shares} of memory this "
            "machine shares out, and the profile needs {need} more",
            promised=_gib(machine.memory_promised),
            shares=_gib(memory_shares),
            need=_gib(memory),
        )
    if machine.memory_available < memory:
        return refuse(
            "only {available} of memory is free now and the profile is promised {need}",
            available=_gib(machine.memory_available),
            need=_gib(memory),
        )
    return Headroom(True, eligible_nodes=1, gpus_counted=False)


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
