"""Usage samples: what every running workload was given and what it used, minute by minute,
and the figures the Analytics tab reads from their daily sums.

Each pass of the sampler turns what a source observed (a workspace's or a deployment's
requested and used CPU, memory and GPUs, and the hub's last activity of a workspace) into one
``Sample`` per workload. The store keeps the samples for a retention period and adds each to its
day's sums as it is written, so a question over 90 days reads at most one row per workload and
day, never the minutes. Hours are floats; memory is in GiB (2**30 bytes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from .records import Period

GIB = 2**30
#: the share of its requested CPU below which a workload's minute is idle (the default of the
#: live setting ``idle_cpu_fraction``)
IDLE_CPU_FRACTION = 0.05
#: consecutive idle GPU minutes after which a workspace's owner is told (the default of the
#: live setting ``idle_gpu_notify_minutes``)
IDLE_GPU_NOTIFY_MINUTES = 60


class WorkloadKind(StrEnum):
    #: a person's single-user server (owner, server name, profile)
    WORKSPACE = "workspace"
    #: a served model (owner, deployment name, size)
    DEPLOYMENT = "deployment"


#: what ``UsageService.usage`` groups rows by
GROUPINGS = ("team", "profile", "person")
#: the workloads a question may be narrowed to
KINDS = ("all", "workspace", "deployment")


@dataclass(frozen=True)
class Observation:
    """One workload as a source saw it at a pass."""

    kind: WorkloadKind
    #: a workspace's server name (``""`` for a person's default server), a deployment's name
    name: str
    owner: str
    #: a workspace's profile slug, a deployment's size name (``""`` when unknown)
    profile: str
    #: cores, bytes and GPUs requested (what the scheduler or the spawner was asked for)
    cpu_requested: float
    memory_requested: int
    gpus: int
    #: cores and bytes used over the last interval; None when the source could not measure
    #: (a pod the metrics server has not scraped yet): counted as 0
    cpu_used: float | None
    memory_used: int | None
    #: a workspace's last activity as the hub records it (kernels, terminals, requests);
    #: None for a deployment or a server the hub has no activity for
    last_activity: datetime | None = None


@dataclass(frozen=True)
class Sample:
    """One workload's minute (or ``minutes``: the sampler's interval in minutes), as stored."""

    minute: datetime
    kind: WorkloadKind
    name: str
    owner: str
    profile: str
    minutes: float
    cpu_requested: float
    cpu_used: float
    memory_requested: int
    memory_used: int
    gpus: int
    #: the workspace's kernels showed activity in the interval
    active: bool
    #: used < ``idle_cpu_fraction`` of its requested CPU and no activity
    idle: bool

    @property
    def day(self) -> date:
        return self.minute.date()


@dataclass(frozen=True)
class UsageSums:
    """One day's (or one question's) sums, in minutes as stored."""

    minutes: float = 0.0
    cpu_requested_core_minutes: float = 0.0
    cpu_used_core_minutes: float = 0.0
    memory_requested_gib_minutes: float = 0.0
    memory_used_gib_minutes: float = 0.0
    gpu_minutes: float = 0.0
    idle_minutes: float = 0.0
    idle_gpu_minutes: float = 0.0

    def __add__(self, other: UsageSums) -> UsageSums:
        # spelled out: the sampler's bulk writes add one per sample
        return UsageSums(
            self.minutes + other.minutes,
            self.cpu_requested_core_minutes + other.cpu_requested_core_minutes,
            self.cpu_used_core_minutes + other.cpu_used_core_minutes,
            self.memory_requested_gib_minutes + other.memory_requested_gib_minutes,
            self.memory_used_gib_minutes + other.memory_used_gib_minutes,
            self.gpu_minutes + other.gpu_minutes,
            self.idle_minutes + other.idle_minutes,
            self.idle_gpu_minutes + other.idle_gpu_minutes,
        )

    @classmethod
    def of(cls, sample: Sample) -> UsageSums:
        m = sample.minutes
        return cls(
            minutes=m,
            cpu_requested_core_minutes=sample.cpu_requested * m,
            cpu_used_core_minutes=sample.cpu_used * m,
            memory_requested_gib_minutes=sample.memory_requested / GIB * m,
            memory_used_gib_minutes=sample.memory_used / GIB * m,
            gpu_minutes=sample.gpus * m,
            idle_minutes=m if sample.idle else 0.0,
            idle_gpu_minutes=sample.gpus * m if sample.idle else 0.0,
        )

    def figures(self) -> UsageFigures:
        return UsageFigures(
            server_hours=self.minutes / 60,
            cpu_requested_core_hours=self.cpu_requested_core_minutes / 60,
            cpu_used_core_hours=self.cpu_used_core_minutes / 60,
            memory_requested_gib_hours=self.memory_requested_gib_minutes / 60,
            memory_used_gib_hours=self.memory_used_gib_minutes / 60,
            gpu_hours=self.gpu_minutes / 60,
            idle_hours=self.idle_minutes / 60,
            idle_gpu_hours=self.idle_gpu_minutes / 60,
        )


def total(sums: Iterable[UsageSums]) -> UsageSums:
    result = UsageSums()
    for one in sums:
        result = result + one
    return result


@dataclass(frozen=True)
class UsageFigures:
    """What a row of the Analytics tab shows: hours (core-hours, GiB-hours, GPU-hours)."""

    server_hours: float = 0.0
    cpu_requested_core_hours: float = 0.0
    cpu_used_core_hours: float = 0.0
    memory_requested_gib_hours: float = 0.0
    memory_used_gib_hours: float = 0.0
    gpu_hours: float = 0.0
    idle_hours: float = 0.0
    idle_gpu_hours: float = 0.0

    @property
    def cpu_efficiency(self) -> float | None:
        """Used / requested CPU; None when nothing was requested (no share to speak of)."""
        return _share(self.cpu_used_core_hours, self.cpu_requested_core_hours)

    @property
    def memory_efficiency(self) -> float | None:
        return _share(self.memory_used_gib_hours, self.memory_requested_gib_hours)


def _share(used: float, requested: float) -> float | None:
    return used / requested if requested > 0 else None


@dataclass(frozen=True)
class UsageRow:
    """A team's, a profile's or a person's figures over the period."""

    key: str
    figures: UsageFigures


@dataclass(frozen=True)
class UsageDay:
    day: date
    figures: UsageFigures


@dataclass(frozen=True)
class UsageReport:
    period: Period
    #: ``team``, ``profile`` or ``person``
    by: str
    #: ``all``, ``workspace`` or ``deployment``
    kind: str
    #: largest server hours first, then by key
    rows: tuple[UsageRow, ...]
    #: one per day of the period, oldest first, days without usage as zeros (a chart has no
    #: holes); the whole platform's for an admin, the asker's own for anyone else
    days: tuple[UsageDay, ...]


@dataclass(frozen=True)
class IdleWorkload:
    """A workload with idle time in the period, and its figures over it."""

    kind: WorkloadKind
    #: a workspace's server name (``""`` for the default server), a deployment's name
    name: str
    owner: str
    #: profile slug (workspace) or size name (deployment)
    profile: str
    figures: UsageFigures


@dataclass(frozen=True)
class SampleSummary:
    """What one pass of the sampler did (for its log line, its metrics and its tests)."""

    at: datetime
    samples: int = 0
    idle: int = 0
    #: owners told that a workspace held a GPU idle past the threshold
    notified: int = 0
    #: raw samples deleted past the retention
    deleted: int = 0
    #: sources that did not answer this pass (the next pass tries again)
    failed: int = 0


# ---------------------------------------------------------------------- the pure rules
def minute_of(at: datetime) -> datetime:
    """The start of the minute ``at`` falls in: a sample's key."""
    return at.replace(second=0, microsecond=0)


def is_idle(cpu_used: float, cpu_requested: float, active: bool, fraction: float) -> bool:
    """A minute is idle when the workload used less than ``fraction`` of the CPU it asked for
    and its kernels showed no activity. A workload that asked for no CPU is idle when it used
    none (nothing to compare with)."""
    if active:
        return False
    if cpu_requested <= 0:
        return cpu_used <= 0
    return cpu_used < fraction * cpu_requested


def was_active(
    last_activity: datetime | None,
    previous: datetime | None,
    at: datetime,
    interval: timedelta,
) -> bool:
    """Whether the hub's record of the workspace's last activity moved within the interval:
    newer than the interval's start, or changed since the previous pass saw it (the server
    reports activity to the hub every few minutes, stamped with when it happened, so a report
    that arrives late still counts once)."""
    if last_activity is None:
        return False
    if last_activity > at - interval:
        return True
    return previous is not None and last_activity > previous


def sample_of(
    seen: Observation,
    *,
    at: datetime,
    minutes: float,
    active: bool,
    idle_cpu_fraction: float,
) -> Sample:
    cpu_used = max(0.0, seen.cpu_used or 0.0)
    cpu_requested = max(0.0, seen.cpu_requested)
    return Sample(
        minute=minute_of(at),
        kind=seen.kind,
        name=seen.name,
        owner=seen.owner,
        profile=seen.profile,
        minutes=minutes,
        cpu_requested=cpu_requested,
        cpu_used=cpu_used,
        memory_requested=max(0, seen.memory_requested),
        memory_used=max(0, seen.memory_used or 0),
        gpus=max(0, seen.gpus),
        active=active,
        idle=is_idle(cpu_used, cpu_requested, active, idle_cpu_fraction),
    )


def idle_stretch_due(idle_since: datetime, notified: bool, at: datetime, threshold: float) -> bool:
    """Whether a workspace idle with a GPU since ``idle_since`` (the start of its stretch's
    first idle interval) has held it idle for longer than ``threshold`` minutes at ``at``, and
    nobody was told of this stretch yet (once per stretch: the next is a new one)."""
    held = (at - idle_since).total_seconds() / 60
    return not notified and held > threshold
