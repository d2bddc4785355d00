"""The periodic deletion of traffic minutes past the retention (``traffic_retention_days``):
every ``traffic_prune_minutes`` on the platform's own event loop, in the style of the drift
job. Not audited: it is the retention setting at work, nobody's decision (the count is logged).
"""

from __future__ import annotations

import asyncio
import logging

from tornado.ioloop import IOLoop

from jupyterlab_mlplat.core.deployments.traffic_service import TrafficService

log = logging.getLogger("mlplat.traffic")


class TrafficPruneJob:
    def __init__(self, service: TrafficService, interval: float) -> None:
        self.service = service
        #: seconds between the end of a pass and the start of the next
        self.interval = interval
        self._task: asyncio.Task[object] | None = None
        self._started = False
        self.passes = 0

    def start(self) -> TrafficPruneJob:
        """Start on this thread's event loop: the first pass a minute after the start (or one
        interval, if shorter: not in the rush of a start), then one per interval."""
        if self.interval > 0 and not self._started:
            self._started = True
            IOLoop.current().spawn_callback(self._loop)
        return self

    async def _loop(self) -> None:
        self._task = asyncio.current_task()
        if not self._started:  # stopped before the loop ran
            return
        await asyncio.sleep(min(60.0, self.interval))
        while self._started:
            await self.run_pass()
            await asyncio.sleep(self.interval)

    async def run_pass(self) -> int | None:
        """One pass; a failure is logged and the next pass tries again."""
        try:
            deleted = await asyncio.to_thread(self.service.prune)
        except Exception as err:
            log.warning(
                "traffic minutes not pruned: %s", getattr(err, "reason", type(err).__name__)
            )
            return None
        finally:
            self.passes += 1
        if deleted:
            log.info("traffic: %d minute(s) past the retention deleted", deleted)
        return deleted

    def stop(self) -> None:
        self._started = False
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
