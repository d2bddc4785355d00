"""The wire shapes of a deployment's traffic: the invocations gateway's report of closed minutes
(``POST …/deployment-traffic``, its hub service only) and the series the Deployments tab
charts (``GET …/deployments/{name}/traffic/series``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from jupyterlab_mlplat.core.deployments.traffic import (
    BUCKETS,
    LATENCY_BOUNDS_MS,
    MAX_REPORT_MINUTES,
    STEPS,
    TrafficMinute,
    TrafficPoint,
    TrafficReceipt,
    VersionSeries,
)
from jupyterlab_mlplat.core.deployments.traffic_service import TrafficChart
from jupyterlab_mlplat.core.kernel.naming import DEPLOYMENT_NAME_MAX

from .base import FromCore, WholeNumber, Wire
from .openapi import Query

#: the chart's query: both APIs read it with ``traffic_window``
TRAFFIC_QUERY = [
    Query(
        "since",
        "The range's start, an ISO 8601 date or time, e.g. 2026-12-01T00:00:00Z (default: an "
        "hour before `until`); at most the retention back.",
        format="date-time",
    ),
    Query(
        "until",
        "The range's end, e.g. 2026-12-01T12:00:00Z (default: now).",
        format="date-time",
    ),
    Query(
        "step",
        "Minutes summed per point: 1m, 5m or 1h (default: by the range's length).",
        enum=tuple(STEPS),
    ),
]
TRAFFIC_ERRORS = {
    400: "since, until or step cannot be read (`traffic_range_invalid` names the field): "
    "not a time, since after until, beyond the retention, a step not offered, too many steps.",
    404: "No such deployment, or not the caller's to see.",
}

Count = Annotated[int, Field(ge=0, le=2**31 - 1), WholeNumber]
#: how a gateway process names itself (its ``gateway_id``)
GATEWAY_ID_PATTERN = "^[A-Za-z0-9._:-]{1,64}$"


class TrafficMinuteBody(Wire):
    deployment: str = Field(min_length=1, max_length=DEPLOYMENT_NAME_MAX)
    version: str = Field(
        max_length=64,
        description="The version that answered; empty for requests refused before one was "
        "chosen (rate-limited, nothing ready).",
    )
    minute: datetime = Field(description="The minute's start (UTC, whole minute).")
    requests: Count
    client_errors: Count = Field(description="4xx answers but 429.")
    server_errors: Count = Field(description="5xx answers, the gateway's 502/503/504 too.")
    rate_limited: Count = Field(description="429 answers.")
    latency: list[Count] = Field(
        min_length=BUCKETS,
        max_length=BUCKETS,
        description="Timed requests per latency bucket, in milliseconds up to "
        f"{', '.join(str(b) for b in LATENCY_BOUNDS_MS)}, and slower.",
    )

    def record(self) -> TrafficMinute:
        return TrafficMinute(
            deployment=self.deployment,
            version=self.version,
            minute=self.minute,
            requests=self.requests,
            client_errors=self.client_errors,
            server_errors=self.server_errors,
            rate_limited=self.rate_limited,
            latency=tuple(self.latency),
        )

    @classmethod
    def of(cls, minute: TrafficMinute) -> TrafficMinuteBody:
        return cls(
            deployment=minute.deployment,
            version=minute.version,
            minute=minute.minute,
            requests=minute.requests,
            client_errors=minute.client_errors,
            server_errors=minute.server_errors,
            rate_limited=minute.rate_limited,
            latency=list(minute.latency),
        )


class TrafficReport(Wire):
    """Closed minutes of one gateway process; sent again after a failure, each replaces
    itself (never counted twice)."""

    gateway: str = Field(
        min_length=1,
        max_length=64,
        pattern=GATEWAY_ID_PATTERN,
        description="The gateway process that counted them, unique per process.",
    )
    minutes: list[TrafficMinuteBody] = Field(max_length=MAX_REPORT_MINUTES)

    def records(self) -> list[TrafficMinute]:
        return [m.record() for m in self.minutes]


class TrafficReceiptBody(FromCore):
    stored: int = Field(description="Minutes stored (or stored again).")
    unknown: int = Field(description="Minutes of a deployment that no longer exists: dropped.")
    expired: int = Field(description="Minutes older than the retention: dropped.")

    @classmethod
    def of(cls, receipt: TrafficReceipt) -> TrafficReceiptBody:
        return cls.model_validate(receipt)


class TrafficPointBody(FromCore):
    at: datetime = Field(description="The step's start.")
    requests: int
    errors: int = Field(description="Client errors, server errors and rate-limited together.")
    client_errors: int
    server_errors: int
    rate_limited: int
    error_rate: float | None = Field(description="errors / requests; null without requests.")
    p50_ms: float | None = Field(description="Median latency (ms), from the buckets.")
    p95_ms: float | None
    p99_ms: float | None

    @classmethod
    def of(cls, point: TrafficPoint) -> TrafficPointBody:
        return cls.model_validate(point)


class VersionSeriesBody(Wire):
    version: str = Field(description="Empty: requests refused before a version was chosen.")
    points: list[TrafficPointBody] = Field(description="Oldest first; quiet steps left out.")

    @classmethod
    def of(cls, series: VersionSeries) -> VersionSeriesBody:
        return cls(version=series.version, points=[TrafficPointBody.of(p) for p in series.points])


class TrafficSeriesBody(Wire):
    deployment: str
    since: datetime = Field(description="The range's start, on a step's boundary.")
    until: datetime
    step: str = Field(
        description="Minutes summed per point.", json_schema_extra={"enum": list(STEPS)}
    )
    step_seconds: int
    series: list[VersionSeriesBody] = Field(description="One per version, by number.")

    @classmethod
    def of(cls, chart: TrafficChart) -> TrafficSeriesBody:
        window = chart.window
        return cls(
            deployment=chart.deployment.name,
            since=window.since,
            until=window.until,
            step=window.step,
            step_seconds=window.seconds,
            series=[VersionSeriesBody.of(s) for s in chart.series],
        )
