"""The drift job and the drift reports' reads: what the platform's periodic job runs (one pass
over every served version) and what the Deployments tab's chart asks.

The job reads the gateway's request samples from the object store, the version's reference
through the registry, compares them with a statistics library (the ``DriftStatistics`` port),
stores one report per window and tells the owner when a feature crosses the threshold (a
notification of the reviews feature's kind ``drifted``), all in one unit of work.
"""

from __future__ import annotations

import asyncio
import logging
from abc import abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from jupyterlab_mlplat.core.kernel.audit import Transactional, UnitOfWork
from jupyterlab_mlplat.core.kernel.errors import PlatformError
from jupyterlab_mlplat.core.kernel.identity import Identity
from jupyterlab_mlplat.core.kernel.storage import ObjectStore
from jupyterlab_mlplat.core.reviews.records import NewNotification, NotificationKind

from . import rules
from .drift import (
    Comparison,
    DriftReport,
    DriftSettings,
    NewDriftReport,
    ReportStatus,
    Row,
    comparisons,
    due,
    feature_drift,
    is_drifted,
    listing_start,
    new_samples,
    newly_drifted,
    rows_of_samples,
    sample_time,
    samples_prefix,
)
from .records import Deployment, Stage

log = logging.getLogger("mlplat.drift")

#: the most sample objects one window reads (a backlog is worked off over several runs)
MAX_OBJECTS = 500
#: the most reports one chart reads
MAX_REPORTS = 1_000
#: the references held between passes (a dataset sample may be large: each is cut to the
#: settings' ``max_rows``)
MAX_REFERENCES = 64


@dataclass(frozen=True)
class Watched:
    """A deployment as the drift job and the route see it."""

    name: str
    owner: str
    model_name: str
    #: the versions it serves now (primary, canary, shadow)
    versions: tuple[str, ...]
    #: when it was made: reports and samples from before belong to an earlier deployment of
    #: the same name (names are freed when a deployment stops)
    created_at: datetime | None = None


@dataclass(frozen=True)
class Reference:
    """What a version's requests are compared with."""

    #: ``input_example`` (MLflow's logged example) or ``dataset`` (a sample the run logged)
    source: str
    rows: tuple[Row, ...]


class DeploymentDirectory(Protocol):
    """The deployments that exist: the control plane's store (``DeploymentsStore``)."""

    def deployments(self, *, owner: str | None = None) -> list[Deployment]: ...

    def deployment(self, name: str) -> Deployment | None: ...


@runtime_checkable
class ReferenceSource(Protocol):
    """The registry, read as the deployment's owner."""

    async def reference(self, owner: str, model_name: str, version: str) -> Reference | None:
        """None when the version's run logged neither an input example nor a dataset sample;
        ``Unavailable`` when the registry does not answer (the job tries again next run)."""


@runtime_checkable
class DriftStatistics(Protocol):
    def compare(self, comparison: Comparison) -> tuple[float, float]:
        """The test's statistic and p-value for one feature (``statistical_test(kind)``)."""


class DriftTx(UnitOfWork):
    @abstractmethod
    def add_drift_report(self, report: NewDriftReport, *, drifted: bool, at: datetime) -> int:
        """Store it; its id."""

    @abstractmethod
    def notify(self, notifications: Sequence[NewNotification], at: datetime) -> None:
        """The reviews feature's notifications (``ReviewsTx.notify``)."""


class DriftStore(Transactional[DriftTx], Protocol):
    def last_drift_report(
        self,
        deployment: str,
        version: str,
        *,
        compared: bool = False,
        since: datetime | None = None,
    ) -> DriftReport | None:
        """The newest report of the version (only one with features when ``compared``;
        only one computed from ``since`` on)."""
        ...

    def drift_reports(
        self, deployment: str, *, since: datetime | None, limit: int
    ) -> list[DriftReport]:
        """Oldest first, from ``since`` on (window end, or computed time without one)."""
        ...


@dataclass(frozen=True)
class RunSummary:
    """What one pass of the job did (for its log line and its tests)."""

    reports: int = 0
    notified: int = 0
    failed: int = 0
    #: the reports stored, for the job's metrics
    stored: tuple[DriftReport, ...] = ()


class DriftService:
    def __init__(
        self,
        store: DriftStore,
        objects: ObjectStore,
        deployments: DeploymentDirectory,
        references: ReferenceSource,
        statistics: DriftStatistics,
        settings: DriftSettings | Callable[[], DriftSettings] | None = None,
        *,
        catalog_prefix: str = "catalog.",
        actor: str = "mlplat-platform",
    ) -> None:
        self.catalog_prefix = catalog_prefix
        self.store = store
        self.objects = objects
        self.deployments = deployments
        self.references = references
        self.statistics = statistics
        self.settings = settings or DriftSettings()
        self.actor = actor
        self._references: dict[tuple[str, str], Reference] = {}

    @property
    def settings(self) -> DriftSettings:
        """The thresholds in force now: a function (the admin console's live settings) is
        asked at each use, so a change applies to the next pass and the next chart."""
        return self._settings()

    @settings.setter
    def settings(self, value: DriftSettings | Callable[[], DriftSettings]) -> None:
        self._settings: Callable[[], DriftSettings] = value if callable(value) else (lambda: value)

    @staticmethod
    def _now() -> datetime:
        return datetime.now(UTC)

    # ------------------------------------------------------------------ reads (the route)
    def reports(
        self, identity: Identity, name: str, *, since: datetime | None = None
    ) -> tuple[Watched, list[DriftReport]]:
        """The deployment's reports for its chart: its owner's and admins' only; anyone else
        is told it is not there (a name says nothing about whose it is)."""
        found = rules.visible(identity, name, self.deployments.deployment)
        # a name freed by a stopped deployment may be taken again: not its predecessor's reports
        since = max(since, found.created_at) if since is not None else found.created_at
        reports = self.store.drift_reports(name, since=since, limit=MAX_REPORTS)
        return self._watched(found), reports

    def watched(self) -> list[Watched]:
        """Every deployment still serving, with the versions it serves."""
        return [self._watched(d) for d in self.deployments.deployments() if d.deleted_at is None]

    def _watched(self, found: Deployment) -> Watched:
        name = found.spec.model_name
        if found.stage is Stage.PRODUCTION and not name.startswith(self.catalog_prefix):
            name = self.catalog_prefix + name  # production serves the catalog's copy
        return Watched(
            name=found.name,
            owner=found.owner,
            model_name=name,
            versions=tuple(dict.fromkeys(v.version for v in found.spec.versions)),
            created_at=found.created_at,
        )

    # ------------------------------------------------------------------ the job
    async def run_once(self) -> RunSummary:
        """One pass: every served version with new samples since its last report. A version
        that fails (the object store or the registry not answering) is logged and left for
        the next pass; it never stops the others."""
        summary = RunSummary()
        for deployment in await asyncio.to_thread(self.watched):
            for version in deployment.versions:
                try:
                    outcome = await self.check(deployment, version)
                except PlatformError as err:
                    log.warning(
                        "drift of %s version %s not checked: %s (%s)",
                        deployment.name,
                        version,
                        err.reason,
                        err,
                    )
                    summary = replace(summary, failed=summary.failed + 1)
                    continue
                except Exception as err:  # one version's bug stops no other
                    log.error(
                        "drift of %s version %s failed: %s",
                        deployment.name,
                        version,
                        type(err).__name__,  # the type only: a message may quote the data
                    )
                    summary = replace(summary, failed=summary.failed + 1)
                    continue
                if outcome is not None:
                    summary = replace(
                        summary,
                        reports=summary.reports + 1,
                        notified=summary.notified + (1 if outcome[1] else 0),
                        stored=(*summary.stored, outcome[0]),
                    )
        return summary

    async def check(self, deployment: Watched, version: str) -> tuple[DriftReport, bool] | None:
        """Compare the version's new samples when a window is due; the report stored and
        whether the owner was told, or None when nothing was due. The object store, the
        database and the statistics block: they run off the event loop."""
        window = await asyncio.to_thread(self._window, deployment, version)
        if window is None:
            return None
        keys, rows = window
        reference = await self._reference(deployment, version)
        return await asyncio.to_thread(self._finish, deployment, version, keys, rows, reference)

    def _window(self, deployment: Watched, version: str) -> tuple[list[str], list[Row]] | None:
        born = deployment.created_at
        last = self.store.last_drift_report(deployment.name, version, since=born)
        last_sample = last.last_sample if last else None
        listed = self.objects.keys(
            samples_prefix(deployment.name, version), start_after=listing_start(last_sample)
        )
        keys = new_samples(listed, last_sample)
        if born is not None:  # an earlier deployment's samples under the same name
            keys = [k for k in keys if (sample_time(k) or born) >= born]
        keys = keys[:MAX_OBJECTS]
        rows: list[Row] = []
        for key in keys:
            found, unreadable = rows_of_samples(self.objects.get(key).decode("utf-8", "replace"))
            if unreadable:
                log.info("drift: %d unreadable sample line(s) in %s", unreadable, key)
            rows.extend(found)
        if not due(keys, len(rows), self.settings, self._now()):
            return None
        return keys, rows[-self.settings.max_rows :]

    async def _reference(self, deployment: Watched, version: str) -> Reference | None:
        """A version's reference, read once: a registered version never changes."""
        key = (deployment.model_name, version)
        if key not in self._references:
            found = await self.references.reference(
                deployment.owner, deployment.model_name, version
            )
            if found is None:
                return None  # asked again next time: the run may log one yet
            if len(self._references) >= MAX_REFERENCES:  # the longest-held goes
                del self._references[next(iter(self._references))]
            self._references[key] = _bounded(found, self.settings.max_rows)
        return self._references[key]

    def _finish(
        self,
        deployment: Watched,
        version: str,
        keys: list[str],
        rows: list[Row],
        reference: Reference | None,
    ) -> tuple[DriftReport, bool]:
        window = (sample_time(keys[0]), sample_time(keys[-1]))
        report = self._compare(deployment.name, version, keys[-1], window, rows, reference)
        return self._store(deployment, report, self._now())

    def _compare(
        self,
        deployment: str,
        version: str,
        last_sample: str,
        window: tuple[datetime | None, datetime | None],
        rows: list[Row],
        reference: Reference | None,
    ) -> NewDriftReport:
        base = NewDriftReport(
            deployment=deployment,
            version=version,
            status=ReportStatus.COMPARED,
            window_start=window[0],
            window_end=window[1],
            last_sample=last_sample,
            rows=len(rows),
            reference=reference.source if reference else "",
            reference_rows=len(reference.rows) if reference else 0,
        )
        if reference is None or not reference.rows:
            return replace(base, status=ReportStatus.NO_REFERENCE)
        if not rows:
            return replace(base, status=ReportStatus.NO_ROWS)
        pairs = comparisons(reference.rows, rows)
        if not pairs:
            return replace(base, status=ReportStatus.NO_COMMON_FEATURES)
        features = []
        for pair in pairs:
            statistic, p_value = self.statistics.compare(pair)
            features.append(feature_drift(pair, statistic, p_value, self.settings))
        return replace(base, features=tuple(features))

    def _store(
        self, deployment: Watched, report: NewDriftReport, now: datetime
    ) -> tuple[DriftReport, bool]:
        drifted = is_drifted(report, self.settings)
        previous = (
            self.store.last_drift_report(
                deployment.name, report.version, compared=True, since=deployment.created_at
            )
            if report.features
            else None
        )
        crossed = newly_drifted(previous, report) if report.features else ()
        with self.store.transaction(self.actor) as tx:
            report_id = tx.add_drift_report(report, drifted=drifted, at=now)
            if crossed:
                tx.notify([_drift_note(deployment, report, crossed)], now)
                tx.audit(
                    "deployment.drift_detected",
                    "deployment",
                    deployment.name,
                    version=report.version,
                    features=list(crossed),
                    report=report_id,
                )
        stored = DriftReport(
            **{f: getattr(report, f) for f in NewDriftReport.__dataclass_fields__},
            id=report_id,
            computed_at=now,
            drifted=drifted,
        )
        return stored, bool(crossed)


def _bounded(reference: Reference, limit: int) -> Reference:
    """At most ``limit`` rows, evenly spread over the reference (a sorted dataset keeps its
    range)."""
    rows = reference.rows
    if len(rows) <= limit:
        return reference
    step = len(rows) / limit
    return replace(reference, rows=tuple(rows[int(i * step)] for i in range(limit)))


def _drift_note(
    deployment: Watched, report: NewDriftReport, crossed: Sequence[str]
) -> NewNotification:
    return NewNotification(
        recipient=deployment.owner,
        recipient_role=None,
        kind=NotificationKind.DRIFTED,
        publication_id=None,
        model_name=deployment.model_name,
        version=report.version,
        deployment=deployment.name,
        # the features, as data: the UI names them in the person's language
        comment=", ".join(crossed),
    )
