"""The periodic drift job: every ``drift_interval_minutes`` the platform compares each served
version's newly sampled requests with its reference (``DriftService.run_once``), on the
platform's own event loop, one pass at a time."""

from __future__ import annotations

from jupyterlab_mlplat.core.deployments.drift_service import DriftService, RunSummary

from .observability import Metrics
from .periodic import Interval, PeriodicJob


class DriftJob(PeriodicJob[RunSummary]):
    def __init__(
        self, service: DriftService, interval: Interval, metrics: Metrics | None = None
    ) -> None:
        # the interval runs from a pass's end to the next start, the first pass after one
        # interval: a platform that restarts does not rush at its object store
        super().__init__("drift", interval, run=service.run_once)
        self.service = service
        self.metrics = metrics

    def passed(self, summary: RunSummary) -> None:
        if self.metrics is not None:
            self._count(self.metrics, summary)
        if summary.reports or summary.failed:
            self.log.info(
                "drift pass: %d report(s), %d owner(s) told, %d version(s) failed",
                summary.reports,
                summary.notified,
                summary.failed,
            )

    @staticmethod
    def _count(metrics: Metrics, summary: RunSummary) -> None:
        metrics.drift_failures.inc(summary.failed)
        for report in summary.stored:
            metrics.drift_reports.labels(str(report.status)).inc()
            if report.features:
                labels = metrics.drift_share.labels(report.deployment, report.version)
                labels.set(report.drifted_share)
