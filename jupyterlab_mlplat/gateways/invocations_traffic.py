"""The gateway's traffic counts: every answer written for a deployment is counted in its
minute (``core/deployments/traffic.TrafficTally``), and closed minutes go to the platform
every ``seconds`` in one batch, off the response path.

A platform that does not answer loses nothing at first: the minutes wait in a bounded buffer
and are sent again at the next tick (a minute sent twice replaces itself there, so a retry
after an answer that was lost counts nothing twice). When the buffer is full the oldest
minutes go, counted (``mlplat_gateway_traffic_minutes{outcome="dropped"}``); a report the
platform refuses as invalid will never be taken, and is dropped and counted too.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import secrets
import socket
import time
from collections import deque
from collections.abc import Callable, Sequence
from itertools import islice
from typing import Protocol, runtime_checkable

from prometheus_client import CollectorRegistry, Counter, Gauge

from jupyterlab_mlplat.core.deployments.traffic import (
    MAX_REPORT_MINUTES,
    TrafficMinute,
    TrafficReceipt,
    TrafficTally,
)
from jupyterlab_mlplat.core.kernel.errors import InvalidInput, PlatformError

log = logging.getLogger("mlplat.invocations")


@runtime_checkable
class TrafficSink(Protocol):
    """Where closed minutes go: the platform's ``POST …/deployment-traffic``."""

    async def report_traffic(
        self, gateway: str, minutes: Sequence[TrafficMinute]
    ) -> TrafficReceipt: ...


def gateway_id() -> str:
    """This process's name in the platform's rows: host, process and a random tail, so two
    processes (replicas, or a restart) never replace each other's minutes."""
    host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname())[:40] or "gateway"
    return f"{host}-{os.getpid()}-{secrets.token_hex(3)}"


class TrafficReporter:
    def __init__(
        self,
        sink: TrafficSink | None,
        registry: CollectorRegistry,
        *,
        gateway: str,
        seconds: float = 5.0,
        limit: int = 100_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sink = sink
        self.gateway = gateway
        self.seconds = seconds
        #: the most minutes waiting to be sent (a deployment's version's minute is one)
        self.limit = max(limit, 1)
        self.clock = clock
        self.tally = TrafficTally()
        self.outbox: deque[TrafficMinute] = deque()
        self._failing = False
        self.minutes = Counter(
            "mlplat_gateway_traffic_minutes",
            "Minutes of traffic counts by what became of them: sent (stored by the platform), "
            "unknown (its deployment is gone), expired (past the retention), refused (the "
            "platform said the report was invalid), dropped (the buffer was full)",
            ["outcome"],
            registry=registry,
        )
        self.failures = Counter(
            "mlplat_gateway_traffic_report_failures",
            "Reports of traffic the platform did not answer (sent again later)",
            registry=registry,
        )
        self.buffered = Gauge(
            "mlplat_gateway_traffic_buffered",
            "Closed minutes waiting to be sent to the platform",
            registry=registry,
        )

    def count(self, deployment: str, version: str, status: int, seconds: float) -> None:
        """One answer of a deployment (on the response path: a few additions)."""
        if self.sink is not None:
            self.tally.count(deployment, version, status, seconds, self.clock())

    async def run(self) -> None:
        """Send closed minutes every ``seconds`` until cancelled."""
        while True:
            await asyncio.sleep(self.seconds)
            await self.send()

    async def send(self, *, everything: bool = False) -> None:
        """Send what is closed (all that is counted, with ``everything``: at the gateway's
        stop, as nobody will add to this process's minutes any more)."""
        if self.sink is None:
            return
        self.outbox.extend(self.tally.closed(self.clock(), everything=everything))
        overflow = len(self.outbox) - self.limit
        if overflow > 0:
            for _ in range(overflow):
                self.outbox.popleft()
            self.minutes.labels("dropped").inc(overflow)
            log.warning("traffic: %d minute(s) dropped, the platform is not taking them", overflow)
        try:
            while self.outbox:
                batch = list(islice(self.outbox, MAX_REPORT_MINUTES))
                if not await self._report(batch):
                    break  # the rest waits for the next tick
                for _ in batch:
                    self.outbox.popleft()
        finally:
            self.buffered.set(len(self.outbox))

    async def _report(self, batch: list[TrafficMinute]) -> bool:
        """Whether the batch is done with (taken, or refused for good)."""
        assert self.sink is not None
        try:
            receipt = await self.sink.report_traffic(self.gateway, batch)
        except InvalidInput as err:  # never taken, however often sent: drop it, say so
            self.minutes.labels("refused").inc(len(batch))
            log.warning("traffic: the platform refused %d minute(s): %s", len(batch), err.reason)
            return True
        except PlatformError as err:
            self.failures.inc()
            if not self._failing:
                log.warning(
                    "traffic: the platform did not take %d minute(s) (%s); they wait and are "
                    "sent again",
                    len(self.outbox),
                    err.reason,
                )
            self._failing = True
            return False
        if self._failing:
            log.info("traffic: the platform takes reports again")
        self._failing = False
        self.minutes.labels("sent").inc(receipt.stored)
        self.minutes.labels("unknown").inc(receipt.unknown)
        self.minutes.labels("expired").inc(receipt.expired)
        return True
