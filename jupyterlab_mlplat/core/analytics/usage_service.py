"""Usage: the sampler's pass (what the platform's job runs every interval) and the questions
the Analytics tab asks of the daily sums.

A pass observes every running workload through the sources, turns each into a sample (idle or
not, by the live ``idle_cpu_fraction``), writes the samples and their days' sums, deletes the
raw samples past the retention and tells the owner of a workspace that has held a GPU idle
past the live ``idle_gpu_notify_minutes``, once per stretch: all in one unit of work.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from jupyterlab_mlplat.core.kernel.errors import PlatformError
from jupyterlab_mlplat.core.kernel.identity import Identity
from jupyterlab_mlplat.core.reviews.records import NewNotification, NotificationKind

from . import rules
from .errors import GroupingInvalid
from .ports import IdleStretch, SeenPeople, UsageSource, UsageStore
from .records import Period, Scope
from .usage import (
    GROUPINGS,
    IDLE_CPU_FRACTION,
    IDLE_GPU_NOTIFY_MINUTES,
    KINDS,
    IdleWorkload,
    Observation,
    Sample,
    SampleSummary,
    UsageDay,
    UsageReport,
    UsageRow,
    UsageSums,
    WorkloadKind,
    idle_stretch_due,
    sample_of,
    total,
    was_active,
)

log = logging.getLogger("mlplat.usage")

#: the most idle workloads one question lists
MAX_IDLE = 100

Number = int | float
Setting = Number | Callable[[], Number]


def _reader(value: Setting) -> Callable[[], Number]:
    return value if callable(value) else (lambda: value)


class UsageService:
    def __init__(
        self,
        store: UsageStore,
        people: SeenPeople,
        sources: Sequence[UsageSource] = (),
        *,
        interval: float = 60.0,
        retention_days: int = 14,
        idle_cpu_fraction: Setting = IDLE_CPU_FRACTION,
        idle_gpu_notify_minutes: Setting = IDLE_GPU_NOTIFY_MINUTES,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        actor: str = "mlplat-platform",
    ) -> None:
        self.store = store
        self.people = people
        self.sources = tuple(sources)
        #: seconds between passes: each sample stands for this many seconds of its workload
        self.interval = interval
        self.retention_days = retention_days
        # live settings (the admin console's): a function is asked at each pass
        self._idle_cpu_fraction = _reader(idle_cpu_fraction)
        self._idle_gpu_notify_minutes = _reader(idle_gpu_notify_minutes)
        self._now = now
        self.actor = actor
        #: the hub's last activity of each workspace at the previous pass
        self._activity: dict[tuple[str, str], datetime | None] = {}

    @property
    def idle_cpu_fraction(self) -> float:
        return float(self._idle_cpu_fraction())

    @property
    def idle_gpu_notify_minutes(self) -> float:
        return float(self._idle_gpu_notify_minutes())

    # ------------------------------------------------------------------ the questions
    def usage(self, identity: Identity, period: Period, by: str, kind: str = "all") -> UsageReport:
        """Figures over the period per team, profile (or size) or person, and per day.

        An admin sees everything. Anybody else: per person, their own row only; per team, the
        rows of their teams, each the sum of every member's usage (a person in two teams counts
        in both); per profile and per day, their own usage only."""
        if by not in GROUPINGS:
            raise _grouping("by", by, GROUPINGS)
        if kind not in KINDS:
            raise _grouping("kind", kind, KINDS)
        scope = rules.scope(identity)
        workload = None if kind == "all" else WorkloadKind(kind)
        own = None if scope.everyone else [scope.person]
        if by == "person":
            rows = self.store.usage_sums(period, "owner", kind=workload, owners=own)
        elif by == "profile":
            rows = self.store.usage_sums(period, "profile", kind=workload, owners=own)
        else:
            rows = self._teams(scope, period, workload)
        found = dict(self.store.usage_sums(period, "day", kind=workload, owners=own))
        days = tuple(
            UsageDay(day, found.get(day.isoformat(), UsageSums()).figures())
            for day in period.each_day()
        )
        ordered = sorted(rows, key=lambda row: (-row[1].minutes, row[0]))
        return UsageReport(
            period=period,
            by=by,
            kind=kind,
            rows=tuple(UsageRow(key, sums.figures()) for key, sums in ordered),
            days=days,
        )

    def _teams(
        self, scope: Scope, period: Period, kind: WorkloadKind | None
    ) -> list[tuple[str, UsageSums]]:
        members: dict[str, list[str]] = defaultdict(list)
        for person in self.people.platform_users():
            for team in person.groups:
                if scope.may_see_team(team):
                    members[team].append(person.name)
        if not members:
            return []
        everyone = sorted({name for names in members.values() for name in names})
        per_person = dict(self.store.usage_sums(period, "owner", kind=kind, owners=everyone))
        rows = []
        for team, names in members.items():
            sums = [per_person[name] for name in names if name in per_person]
            if sums:
                rows.append((team, total(sums)))
        return rows

    def idle_workloads(
        self, identity: Identity, period: Period, limit: int = 10, kind: str = "all"
    ) -> list[IdleWorkload]:
        """The workloads (of ``kind``, as the usage report's) that were idle longest in the
        period: most idle GPU hours first, then most idle hours. An admin sees everybody's,
        anyone else their own."""
        if kind not in KINDS:
            raise _grouping("kind", kind, KINDS)
        if not 1 <= limit <= MAX_IDLE:
            raise GroupingInvalid(
                f"'limit' must be between 1 and {MAX_IDLE}.",
                "limit",
                params={"field": "limit", "maximum": MAX_IDLE},
            )
        scope = rules.scope(identity)
        found = self.store.idle_workload_sums(
            period,
            owner=None if scope.everyone else scope.person,
            limit=limit,
            kind=None if kind == "all" else WorkloadKind(kind),
        )
        return [IdleWorkload(w.kind, w.name, w.owner, w.profile, w.sums.figures()) for w in found]

    # ------------------------------------------------------------------ the sampler
    async def sample_once(self) -> SampleSummary:
        """One pass: observe, then write in one unit of work. A source that does not answer is
        logged and counted; the others are still sampled."""
        at = self._now()
        summary = SampleSummary(at=at)
        observed: list[Observation] = []
        for source in self.sources:
            try:
                observed.extend(await source.observe())
            except PlatformError as err:
                log.warning("usage source %s not read: %s (%s)", _name(source), err.reason, err)
                summary = replace(summary, failed=summary.failed + 1)
            except Exception as err:  # one source's bug stops no other
                log.error("usage source %s failed: %s", _name(source), type(err).__name__)
                summary = replace(summary, failed=summary.failed + 1)
        return await asyncio.to_thread(self.record, observed, at, summary)

    def samples(self, observed: Sequence[Observation], at: datetime) -> list[Sample]:
        """The pass's samples: idle decided by the live fraction, activity by the hub's record
        moving since the previous pass."""
        interval = timedelta(seconds=self.interval)
        fraction = self.idle_cpu_fraction
        seen: dict[tuple[str, str], datetime | None] = {}
        samples: dict[tuple[str, str, str], Sample] = {}
        for one in observed:
            active = False
            if one.kind is WorkloadKind.WORKSPACE:
                key = (one.owner, one.name)
                active = was_active(one.last_activity, self._activity.get(key), at, interval)
                seen[key] = one.last_activity
            sample = sample_of(
                one, at=at, minutes=self.interval / 60, active=active, idle_cpu_fraction=fraction
            )
            # a source listing a workload twice (two replicas' pods of one deployment are
            # summed by the source; this guards the key) keeps the first
            samples.setdefault((str(one.kind), one.owner, one.name), sample)
        self._activity = seen
        return list(samples.values())

    def record(
        self,
        observed: Sequence[Observation],
        at: datetime,
        summary: SampleSummary | None = None,
    ) -> SampleSummary:
        """Write one pass's samples, delete the raw ones past the retention and tell the owners
        of workspaces that held a GPU idle past the threshold."""
        summary = summary or SampleSummary(at=at)
        samples = self.samples(observed, at)
        threshold = self.idle_gpu_notify_minutes
        cutoff = at - timedelta(days=self.retention_days)
        with self.store.transaction(self.actor) as tx:
            stored = tx.add_usage_samples(samples)
            deleted = tx.delete_usage_samples_before(cutoff)
            stretches, due = _stretches(
                tx.idle_stretches(), samples, at, timedelta(seconds=self.interval), threshold
            )
            tx.replace_idle_stretches(stretches)
            if due:
                tx.notify([_gpu_idle_note(s, at) for s in due], at)
                for stretch in due:
                    tx.audit(
                        "workspace.gpu_idle",
                        "workspace",
                        f"{stretch.owner}/{stretch.name}" if stretch.name else stretch.owner,
                        owner=stretch.owner,
                        workspace=stretch.name,
                        minutes=_held(stretch, at),
                    )
        return replace(
            summary,
            samples=stored,
            idle=sum(1 for s in samples if s.idle),
            notified=len(due),
            deleted=deleted,
        )


def _stretches(
    previous: Sequence[IdleStretch],
    samples: Sequence[Sample],
    at: datetime,
    interval: timedelta,
    threshold: float,
) -> tuple[list[IdleStretch], list[IdleStretch]]:
    """The idle GPU stretches after this pass, and the ones whose owner is to be told now. A
    workspace that is not idle, holds no GPU or is gone ends its stretch."""
    before = {(s.owner, s.name): s for s in previous}
    after: list[IdleStretch] = []
    due: list[IdleStretch] = []
    for sample in samples:
        if sample.kind is not WorkloadKind.WORKSPACE or not sample.idle or sample.gpus < 1:
            continue
        stretch = before.get((sample.owner, sample.name)) or IdleStretch(
            sample.owner, sample.name, at - interval
        )
        if idle_stretch_due(stretch.since, stretch.notified, at, threshold):
            stretch = replace(stretch, notified=True)
            due.append(stretch)
        after.append(stretch)
    return after, due


def _held(stretch: IdleStretch, at: datetime) -> int:
    return round((at - stretch.since).total_seconds() / 60)


def _gpu_idle_note(stretch: IdleStretch, at: datetime) -> NewNotification:
    return NewNotification(
        recipient=stretch.owner,
        recipient_role=None,
        kind=NotificationKind.GPU_IDLE,
        publication_id=None,
        model_name="",
        version="",
        # the minutes held idle, as data: the UI says it in the person's language
        comment=str(_held(stretch, at)),
        workspace=stretch.name,
    )


def _grouping(field: str, value: str, allowed: Sequence[str]) -> GroupingInvalid:
    return GroupingInvalid(
        f"'{field}' must be one of {', '.join(allowed)} (not {value[:40]!r}).",
        field,
        params={"field": field, "allowed": ",".join(allowed)},
    )


def _name(source: object) -> str:
    return type(source).__name__
