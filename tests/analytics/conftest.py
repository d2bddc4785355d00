"""A usage sampler's world: the real metadata store (SQLite, PostgreSQL), the people the
platform has seen with their teams, a clock the test moves, and sources whose observations the
test sets (the real sources, the cluster's and the processes', have tests of their own)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from jupyterlab_mlplat.adapters.sql.store import SqlStore
from jupyterlab_mlplat.core.accounts.records import UserRecord
from jupyterlab_mlplat.core.analytics.usage import Observation, SampleSummary, WorkloadKind
from jupyterlab_mlplat.core.analytics.usage_service import UsageService
from jupyterlab_mlplat.core.kernel.identity import Identity, Role

GIB = 2**30
ALICE = Identity("alice", groups=("fraud", "churn"))
BOB = Identity("bob", groups=("fraud",))
CAROL = Identity("carol", groups=("churn",))
ADAM = Identity("adam", groups=("admins",), roles=(Role.DATA_SCIENTIST, Role.ADMIN))
#: a Monday at 23:58 UTC: three minutes span two days
START = datetime(2026, 11, 30, 23, 58, tzinfo=UTC)


@dataclass
class SetSource:
    """The ``UsageSource`` port with what the test says is running."""

    running: list[Observation] = field(default_factory=list)
    fail: Exception | None = None

    async def observe(self) -> list[Observation]:
        if self.fail is not None:
            raise self.fail
        return list(self.running)


def workspace(
    owner: str,
    *,
    name: str = "",
    profile: str = "cpu",
    cpu: float = 2.0,
    used: float = 1.0,
    memory: int = 4 * GIB,
    memory_used: int = 2 * GIB,
    gpus: int = 0,
    activity: datetime | None = None,
) -> Observation:
    return Observation(
        WorkloadKind.WORKSPACE, name, owner, profile, cpu, memory, gpus, used, memory_used, activity
    )


def deployment(owner: str, name: str, *, cpu: float = 1.0, used: float = 0.5) -> Observation:
    return Observation(
        WorkloadKind.DEPLOYMENT, name, owner, "small", cpu, GIB, 0, used, GIB // 2, None
    )


@dataclass
class World:
    store: SqlStore
    source: SetSource
    clock: list[datetime]
    service: UsageService
    settings: dict[str, float]

    def tick(self, minutes: float = 1.0) -> datetime:
        self.clock[0] += timedelta(minutes=minutes)
        return self.clock[0]

    async def pass_(self, minutes: float = 1.0) -> SampleSummary:
        self.tick(minutes)
        return await self.service.sample_once()


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    store = SqlStore.from_url(database_url)
    at = START
    with store.transaction("test") as tx:
        for person in (ALICE, BOB, CAROL, ADAM):
            tx.save_user(UserRecord(person.name, person.roles, person.groups, at, at))
    clock = [START - timedelta(minutes=1)]
    source = SetSource()
    settings = {"idle_cpu_fraction": 0.05, "idle_gpu_notify_minutes": 60}
    service = UsageService(
        store,
        store,
        [source],
        interval=60.0,
        retention_days=14,
        idle_cpu_fraction=lambda: settings["idle_cpu_fraction"],
        idle_gpu_notify_minutes=lambda: settings["idle_gpu_notify_minutes"],
        now=lambda: clock[0],
    )
    try:
        yield World(store, source, clock, service, settings)
    finally:
        store.close()
