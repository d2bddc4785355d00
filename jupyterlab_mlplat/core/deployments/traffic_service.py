"""A deployment's traffic: what the invocations gateway reports (minutes of counts), what the
Deployments tab's charts read (series per served version), and the periodic deletion of
minutes past the retention.

None of it is audited: a gateway's counts are measurements, not a person's change of a
shared object, and reading them changes nothing. Deleting minutes past the retention is the
retention itself (a setting), not a decision of anyone's; it is logged, not audited.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from jupyterlab_mlplat.core.kernel.audit import Transactional, UnitOfWork
from jupyterlab_mlplat.core.kernel.errors import TokenLacksAccess
from jupyterlab_mlplat.core.kernel.identity import REPORT_TRAFFIC_SCOPE, Identity

from . import rules
from .records import Deployment
from .traffic import (
    TrafficMinute,
    TrafficReceipt,
    TrafficSettings,
    TrafficWindow,
    VersionSeries,
    checked_report,
    traffic_window,
)


class TrafficTx(UnitOfWork):
    @abstractmethod
    def put_traffic(self, gateway: str, minutes: Sequence[TrafficMinute]) -> int:
        """Store each minute of a deployment that exists now (its owner with it), replacing
        the one stored before under the same deployment, version, minute and gateway: a
        minute sent twice counts once. How many were stored (the rest named no deployment)."""

    @abstractmethod
    def delete_traffic_before(self, cutoff: datetime) -> int:
        """Delete every minute before ``cutoff``; how many."""


class TrafficStore(Transactional[TrafficTx], Protocol):
    def traffic_series(self, deployment: str, window: TrafficWindow) -> list[VersionSeries]:
        """The deployment's (the one of that name now) minutes in the window, summed per
        version and step, by version, each oldest first."""
        ...


class DeploymentLookup(Protocol):
    """The deployment of a name now (``DeploymentsStore.deployment``)."""

    def deployment(self, name: str) -> Deployment | None: ...


@dataclass(frozen=True)
class TrafficChart:
    """What a chart reads: the deployment, the range it was read for, a series per version."""

    deployment: Deployment
    window: TrafficWindow
    series: list[VersionSeries]


class TrafficService:
    def __init__(
        self,
        store: TrafficStore,
        deployments: DeploymentLookup,
        settings: TrafficSettings | None = None,
        *,
        actor: str = "mlplat-platform",
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.deployments = deployments
        self.settings = settings or TrafficSettings()
        self.actor = actor
        self._now = now

    def record(
        self, identity: Identity, gateway: str, minutes: Sequence[TrafficMinute]
    ) -> TrafficReceipt:
        """A gateway's closed minutes, stored (only the gateway's hub service may report)."""
        if not identity.may(REPORT_TRAFFIC_SCOPE):
            raise TokenLacksAccess(
                f"Only the hub service holding {REPORT_TRAFFIC_SCOPE} reports traffic.",
                params={"grant": REPORT_TRAFFIC_SCOPE},
            )
        kept, expired = checked_report(minutes, now=self._now(), settings=self.settings)
        stored = 0
        if kept:
            with self.store.transaction(identity.name) as tx:
                stored = tx.put_traffic(gateway, kept)
        return TrafficReceipt(stored=stored, unknown=len(kept) - stored, expired=expired)

    def chart(
        self,
        identity: Identity,
        name: str,
        *,
        since: str | None = None,
        until: str | None = None,
        step: str | None = None,
    ) -> TrafficChart:
        """The deployment's series for its charts: its owner's and admins' only; anyone else
        is told it is not there (a name says nothing about whose it is)."""
        found = rules.visible(identity, name, self.deployments.deployment)
        window = traffic_window(since, until, step, now=self._now(), settings=self.settings)
        return TrafficChart(found, window, self.store.traffic_series(found.name, window))

    def prune(self) -> int:
        """Delete the minutes past the retention; how many (not audited: see the module)."""
        cutoff = self._now() - timedelta(days=self.settings.retention_days)
        with self.store.transaction(self.actor) as tx:
            return tx.delete_traffic_before(cutoff)
