"""A traffic world: the platform's real metadata store (SQLite, PostgreSQL), deployments made
through the deployments' own store, and the traffic service on it with a clock the test sets."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from jupyterlab_mlplat.adapters.sql.store import SqlStore
from jupyterlab_mlplat.core.deployments.records import (
    Change,
    DeploymentSpec,
    Resources,
    ServedVersion,
    Stage,
    Traffic,
)
from jupyterlab_mlplat.core.deployments.traffic import BUCKETS, TrafficMinute, bucket_of
from jupyterlab_mlplat.core.deployments.traffic_service import TrafficService
from jupyterlab_mlplat.core.kernel.identity import REPORT_TRAFFIC_SCOPE, Identity, Role

ALICE = Identity("alice", ("data-scientists",))
BOB = Identity("bob", ("data-scientists",))
ADAM = Identity("adam", ("admins",), roles=(Role.DATA_SCIENTIST, Role.ADMIN))
GATEWAY = Identity(
    "deployments", roles=(), kind="service", grants=frozenset({REPORT_TRAFFIC_SCOPE})
)
NOW = datetime(2026, 12, 3, 12, 0, 30, tzinfo=UTC)


def spec(*versions: tuple[str, Traffic, int]) -> DeploymentSpec:
    return DeploymentSpec(
        model_name="churn-model",
        versions=tuple(ServedVersion(v, t, p) for v, t, p in versions)
        or (ServedVersion("1", Traffic.PRIMARY, 100),),
        size="small",
        resources=Resources(),
    )


def minute(
    at: datetime,
    requests: int,
    *,
    deployment: str = "churn-api",
    version: str = "1",
    client_errors: int = 0,
    server_errors: int = 0,
    rate_limited: int = 0,
    ms: float = 4.0,
) -> TrafficMinute:
    """``requests`` in one minute, the timed ones (all but rate-limited) taking ``ms``."""
    latency = [0] * BUCKETS
    latency[bucket_of(ms)] = requests - rate_limited
    return TrafficMinute(
        deployment=deployment,
        version=version,
        minute=at,
        requests=requests,
        client_errors=client_errors,
        server_errors=server_errors,
        rate_limited=rate_limited,
        latency=tuple(latency),
    )


@dataclass
class World:
    store: SqlStore
    service: TrafficService
    clock: list[datetime] = field(default_factory=lambda: [NOW])

    def deploy(self, name: str = "churn-api", owner: str = "alice", at: datetime = NOW) -> None:
        with self.store.transaction(owner) as tx:
            tx.insert_deployment(name, owner, Stage.STAGING, spec(), at)

    def stop(self, name: str = "churn-api") -> None:
        """Delete it and mark its workloads gone, as the control plane does: the name is
        free again."""
        found = self.store.deployment(name)
        assert found is not None
        with self.store.transaction(found.owner) as tx:
            assert tx.save_spec(
                name,
                expected_revision=found.revision,
                spec=found.spec,
                change=Change.DELETE,
                at=NOW,
                deleted=True,
            )
            tx.mark_stopped(name, NOW)


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    store = SqlStore.from_url(database_url)
    clock = [NOW]
    service = TrafficService(store, store, now=lambda: clock[0])
    yield World(store, service, clock)
    store.close()
