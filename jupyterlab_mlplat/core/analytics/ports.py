"""What the usage service needs from outside: the sources that observe the running workloads
(the cluster's pods and metrics API, or the embedded machine's processes), the store of samples
and daily sums, and the people the platform has seen (their teams)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from jupyterlab_mlplat.core.accounts.records import UserRecord
from jupyterlab_mlplat.core.kernel.audit import Transactional, UnitOfWork
from jupyterlab_mlplat.core.reviews.records import NewNotification

from .records import Period
from .usage import Observation, Sample, UsageSums, WorkloadKind

#: what the store sums the daily rows by: the person, the profile or size, the day
SumBy = Literal["owner", "profile", "day"]


@dataclass(frozen=True)
class RunningServer:
    """A single-user server as the hub records it."""

    owner: str
    #: ``""`` for a person's default server
    name: str
    #: the profile it was started with (its ``user_options``), ``""`` when none
    profile: str
    #: the hub's record of its last activity (kernels, terminals, requests)
    last_activity: datetime | None
    #: the spawner's process id (embedded: the local process spawner's state), else None
    pid: int | None = None


class HubServers(Protocol):
    async def servers(self) -> list[RunningServer]:
        """Every server the hub has started and not stopped (``Unavailable`` when the hub
        does not answer or refuses)."""


class SeenPeople(Protocol):
    def platform_users(self) -> list[UserRecord]:
        """Everybody the platform has served, with the hub groups (teams) their token last
        carried (the people's store, ``adapters/sql/people.py``)."""
        ...


class UsageSource(Protocol):
    async def observe(self) -> list[Observation]:
        """Every workload running now with what it requested and used over the last interval;
        ``Unavailable`` when the source does not answer (the pass counts it as failed and
        samples the other sources)."""


@dataclass(frozen=True)
class IdleStretch:
    """A workspace holding a GPU idle since ``since`` (the start of the first idle interval of
    the stretch); ``notified`` once its owner was told of this stretch."""

    owner: str
    name: str
    since: datetime
    notified: bool = False


@dataclass(frozen=True)
class WorkloadSums:
    """One workload's sums over a period (the idle list's row)."""

    kind: WorkloadKind
    name: str
    owner: str
    profile: str
    sums: UsageSums


class UsageTx(UnitOfWork):
    @abstractmethod
    def add_usage_samples(self, samples: Sequence[Sample]) -> int:
        """Store the samples and add each to its day's sums, in this transaction; a sample of
        a minute already stored (two passes in one minute) is left out of both. The number
        stored."""

    @abstractmethod
    def delete_usage_samples_before(self, cutoff: datetime) -> int:
        """Delete the raw samples of minutes before ``cutoff``; the daily sums stay."""

    @abstractmethod
    def idle_stretches(self) -> list[IdleStretch]:
        """The workspaces holding a GPU idle at the last pass."""

    @abstractmethod
    def replace_idle_stretches(self, stretches: Sequence[IdleStretch]) -> None:
        """The stretches after this pass (the ones not listed ended)."""

    @abstractmethod
    def notify(self, notifications: Sequence[NewNotification], at: datetime) -> None:
        """The reviews feature's notifications (``ReviewsTx.notify``)."""


class UsageStore(Transactional[UsageTx], Protocol):
    def usage_sums(
        self,
        period: Period,
        by: SumBy,
        *,
        kind: WorkloadKind | None = None,
        owners: Collection[str] | None = None,
    ) -> list[tuple[str, UsageSums]]:
        """The daily sums over the period summed per ``by`` (a day as ``YYYY-MM-DD``), of one
        kind of workload or both, of the ``owners`` only when given."""
        ...

    def idle_workload_sums(
        self,
        period: Period,
        *,
        owner: str | None,
        limit: int,
        kind: WorkloadKind | None = None,
    ) -> list[WorkloadSums]:
        """The workloads with idle time in the period (of ``owner`` and of ``kind`` only when
        given), most idle GPU time first, then most idle time."""
        ...
