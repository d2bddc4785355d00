"""The usage sampler: every ``sample_interval`` seconds the platform samples every running
workload (``UsageService.sample_once``), on the platform's own event loop, one pass at a time."""

from __future__ import annotations

from jupyterlab_mlplat.core.analytics.usage import SampleSummary
from jupyterlab_mlplat.core.analytics.usage_service import UsageService

from .observability import Metrics
from .periodic import Interval, PeriodicJob


class UsageJob(PeriodicJob[SampleSummary]):
    def __init__(
        self, service: UsageService, interval: Interval, metrics: Metrics | None = None
    ) -> None:
        # the interval runs from one pass's start to the next: each sample stands for one
        # interval, so a slow pass shortens the wait rather than lengthening the minute; the
        # first pass after one interval, as a sample stands for the interval before it
        super().__init__("usage", interval, run=service.sample_once, from_start=True)
        self.service = service
        self.metrics = metrics

    def passed(self, summary: SampleSummary) -> None:
        if self.metrics is not None:
            self.metrics.usage_samples.inc(summary.samples)
            self.metrics.usage_idle.set(summary.idle)
            self.metrics.usage_source_failures.inc(summary.failed)
        if summary.failed or summary.notified:
            self.log.info(
                "usage pass: %d sample(s), %d idle, %d owner(s) told of an idle GPU, "
                "%d source(s) failed",
                summary.samples,
                summary.idle,
                summary.notified,
                summary.failed,
            )
