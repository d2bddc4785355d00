"""The periodic deletion of traffic minutes past the retention (``traffic_retention_days``):
every ``traffic_prune_minutes``, a blocking database pass run off the platform's event loop.
Not audited: it is the retention setting at work, nobody's decision (the count is logged).
"""

from __future__ import annotations

from jupyterlab_mlplat.core.deployments.traffic_service import TrafficService

from .periodic import Interval, PeriodicJob


class TrafficPruneJob(PeriodicJob[int]):
    def __init__(self, service: TrafficService, interval: Interval) -> None:
        # the first pass a minute after the start (or one interval, if shorter: not in the
        # rush of a start), then one an interval after each pass's end
        super().__init__("traffic", interval, run_blocking=service.prune, first_at_most=60.0)
        self.service = service

    def passed(self, deleted: int) -> None:
        if deleted:
            self.log.info("traffic: %d minute(s) past the retention deleted", deleted)
