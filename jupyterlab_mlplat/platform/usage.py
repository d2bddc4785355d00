"""The usage sampler: every ``sample_interval`` seconds the platform samples every running
workload (``UsageService.sample_once``), on the platform's own event loop, one pass at a time."""

from __future__ import annotations

import asyncio
import logging

from tornado.ioloop import IOLoop

from jupyterlab_mlplat.core.analytics.usage import SampleSummary
from jupyterlab_mlplat.core.analytics.usage_service import UsageService

from .observability import Metrics

log = logging.getLogger("mlplat.usage")


class UsageJob:
    def __init__(
        self, service: UsageService, interval: float, metrics: Metrics | None = None
    ) -> None:
        self.service = service
        self.metrics = metrics
        #: seconds between the starts of two passes: each sample stands for one interval, so
        #: a slow pass shortens the wait rather than lengthening the minute
        self.interval = interval
        self._task: asyncio.Task[object] | None = None
        self._started = False
        self.passes = 0

    def start(self) -> UsageJob:
        """Start on this thread's event loop, running or not yet (the first pass after one
        interval: a sample stands for the interval before it)."""
        if self.interval > 0 and not self._started:
            self._started = True
            IOLoop.current().spawn_callback(self._loop)
        return self

    async def _loop(self) -> None:
        self._task = asyncio.current_task()
        if not self._started:  # stopped before the loop ran
            return
        loop = asyncio.get_running_loop()
        next_at = loop.time() + self.interval
        while True:
            await asyncio.sleep(max(0.0, next_at - loop.time()))
            await self.run_pass()
            next_at = max(next_at + self.interval, loop.time())

    async def run_pass(self) -> SampleSummary | None:
        """One pass; nothing it meets stops the job (the next pass tries again)."""
        try:
            summary = await self.service.sample_once()
        except Exception as err:
            log.error("usage pass failed: %s", type(err).__name__)
            return None
        finally:
            self.passes += 1
        if self.metrics is not None:
            self.metrics.usage_samples.inc(summary.samples)
            self.metrics.usage_idle.set(summary.idle)
            self.metrics.usage_source_failures.inc(summary.failed)
        if summary.failed or summary.notified:
            log.info(
                "usage pass: %d sample(s), %d idle, %d owner(s) told of an idle GPU, "
                "%d source(s) failed",
                summary.samples,
                summary.idle,
                summary.notified,
                summary.failed,
            )
        return summary

    def stop(self) -> None:
        self._started = False
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
