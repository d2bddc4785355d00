"""The periodic drift job: every ``drift_interval_minutes`` the platform compares each served
version's newly sampled requests with its reference (``DriftService.run_once``), on the
platform's own event loop, one pass at a time."""

from __future__ import annotations

import asyncio
import logging

from tornado.ioloop import IOLoop

from jupyterlab_mlplat.core.deployments.drift_service import DriftService, RunSummary

from .observability import Metrics

log = logging.getLogger("mlplat.drift")


class DriftJob:
    def __init__(
        self, service: DriftService, interval: float, metrics: Metrics | None = None
    ) -> None:
        self.service = service
        self.metrics = metrics
        #: seconds between the end of a pass and the start of the next
        self.interval = interval
        self._task: asyncio.Task[object] | None = None
        self._started = False
        self.passes = 0

    def start(self) -> DriftJob:
        """Start on this thread's event loop, running or not yet (the first pass after one
        interval: a platform that restarts does not rush at its object store)."""
        if self.interval > 0 and not self._started:
            self._started = True
            IOLoop.current().spawn_callback(self._loop)
        return self

    async def _loop(self) -> None:
        self._task = asyncio.current_task()
        if not self._started:  # stopped before the loop ran
            return
        while True:
            await asyncio.sleep(self.interval)
            await self.run_pass()

    async def run_pass(self) -> RunSummary | None:
        """One pass; nothing it meets stops the job (the next pass tries again)."""
        try:
            summary = await self.service.run_once()
        except Exception as err:
            log.error("drift pass failed: %s", type(err).__name__)
            return None
        finally:
            self.passes += 1
        if self.metrics is not None:
            self._count(self.metrics, summary)
        if summary.reports or summary.failed:
            log.info(
                "drift pass: %d report(s), %d owner(s) told, %d version(s) failed",
                summary.reports,
                summary.notified,
                summary.failed,
            )
        return summary

    def stop(self) -> None:
        self._started = False
        task, self._task = self._task, None
        if task is not None:
            task.cancel()

    @staticmethod
    def _count(metrics: Metrics, summary: RunSummary) -> None:
        metrics.drift_failures.inc(summary.failed)
        for report in summary.stored:
            metrics.drift_reports.labels(str(report.status)).inc()
            if report.features:
                labels = metrics.drift_share.labels(report.deployment, report.version)
                labels.set(report.drifted_share)
