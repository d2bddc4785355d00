"""Traffic: how many requests each served version of a deployment answered, minute by minute,
how many failed and how long they took, for the Deployments tab's charts (and, summed per
person, team and day, the analytics' "requests served and error rates").

The invocations gateway counts every answer it writes for a deployment in the minute it wrote
it: requests, client errors (4xx but 429), server errors (5xx: the model server's failures and
the gateway's 502/503/504 alike), rate-limited refusals (429), and the time each took as a
histogram of fixed buckets. A request refused before a version was chosen (a rate limit, no
ready model server) is counted for the version ``""``. Closed minutes go to the platform in
batches, which keeps one row per deployment, version, minute and gateway process.

Why bucket counts rather than percentiles: percentiles cannot be added up. Two gateway
processes, five minutes, a day of a team: each is a sum of bucket counts, done by the database
with ``SUM``, and the percentiles are read from the summed buckets afterwards (as Prometheus'
``histogram_quantile`` does), accurate to within a bucket.

Pure rules and records: no I/O and nothing third-party, so every decision is tested alone.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from jupyterlab_mlplat.core.kernel.errors import InvalidInput

from .drift import DriftSinceInvalid, parse_since

#: the upper bounds of the latency buckets, in milliseconds (the gateway's Prometheus
#: histogram's, in seconds there); one more bucket counts everything slower than the last
LATENCY_BOUNDS_MS: tuple[int, ...] = (1, 2, 3, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000)
BUCKETS = len(LATENCY_BOUNDS_MS) + 1

#: the steps a series may be read in, by name, in seconds
STEPS: dict[str, int] = {"1m": 60, "5m": 300, "1h": 3600}
#: the most points one version's series may have (a week of 5-minute steps is 2,016)
MAX_POINTS = 3000
#: the most minutes one report of a gateway may carry (~300 kB of JSON, under any body limit)
MAX_REPORT_MINUTES = 2000
#: how far ahead of the platform's clock a reported minute may lie (clocks differ a little)
CLOCK_SKEW = timedelta(minutes=5)
#: the chart's range without ``since``
DEFAULT_RANGE = timedelta(hours=1)
#: the quantiles each point carries
QUANTILES = (0.5, 0.95, 0.99)


class TrafficRangeInvalid(InvalidInput):
    """A traffic chart's range cannot be read: ``params.field`` (``since``, ``until``,
    ``step``) and ``params.rule``: ``not_a_time`` (``params.value``), ``after_until``,
    ``beyond_retention`` (``params.days``: how long minutes are kept), ``not_offered``
    (``params.steps``: those there are), ``too_many_points`` (``params.limit``)."""

    reason = "traffic_range_invalid"


class TrafficReportInvalid(InvalidInput):
    """A gateway's report of minutes does not add up: ``params.field`` (the minute's path, e.g.
    ``minutes.3.latency``) and ``params.rule``: ``not_a_minute`` (not a whole UTC minute),
    ``ahead`` (later than the platform's clock allows), ``buckets`` (not one count per
    bucket), ``more_than_requests`` (more errors, or timed requests, than requests),
    ``repeated`` (the same deployment, version and minute twice)."""

    reason = "traffic_report_invalid"


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class TrafficMinute:
    """What one gateway process counted for one served version in one minute."""

    deployment: str
    #: the version that answered, or ``""`` for requests refused before one was chosen
    version: str
    #: the minute's start, UTC, on a whole minute
    minute: datetime
    requests: int
    client_errors: int = 0
    server_errors: int = 0
    rate_limited: int = 0
    #: requests per latency bucket (``BUCKETS`` counts, the slowest last): only requests a
    #: version was chosen for are timed
    latency: tuple[int, ...] = (0,) * BUCKETS


@dataclass(frozen=True)
class TrafficPoint:
    """One step of a version's series: the minutes from ``at`` on, summed."""

    at: datetime
    requests: int
    client_errors: int
    server_errors: int
    rate_limited: int
    latency: tuple[int, ...]

    @property
    def errors(self) -> int:
        """Every request that got no answer from the model: 4xx, 5xx and 429 alike."""
        return self.client_errors + self.server_errors + self.rate_limited

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.requests if self.requests else None

    @property
    def p50_ms(self) -> float | None:
        return quantile(self.latency, 0.5)

    @property
    def p95_ms(self) -> float | None:
        return quantile(self.latency, 0.95)

    @property
    def p99_ms(self) -> float | None:
        return quantile(self.latency, 0.99)


@dataclass(frozen=True)
class VersionSeries:
    version: str
    #: oldest first; steps without a request are left out
    points: tuple[TrafficPoint, ...]


@dataclass(frozen=True)
class TrafficWindow:
    """A chart's range: ``[since, until)`` in steps of ``step`` seconds, ``since`` on a
    step's boundary."""

    since: datetime
    until: datetime
    step: str

    @property
    def seconds(self) -> int:
        return STEPS[self.step]


@dataclass(frozen=True)
class TrafficSettings:
    #: how long minutes are kept; older ones are deleted by the platform's periodic job
    retention_days: int = 30


@dataclass(frozen=True)
class TrafficReceipt:
    """What the platform did with a gateway's report."""

    #: minutes stored (a minute sent again replaces itself: never counted twice)
    stored: int
    #: minutes of a deployment that no longer exists (dropped)
    unknown: int
    #: minutes older than the retention (dropped)
    expired: int


# ---------------------------------------------------------------- counting (the gateway)


def bucket_of(milliseconds: float) -> int:
    """The latency bucket of one request: the first whose bound it does not exceed."""
    return bisect_left(LATENCY_BOUNDS_MS, milliseconds)


def minute_of(epoch_seconds: float) -> int:
    """The start of the minute holding a Unix time, in Unix seconds."""
    return int(epoch_seconds // 60) * 60


#: a tally's counters: requests, client errors, server errors, rate-limited, then the buckets
_REQUESTS, _CLIENT, _SERVER, _LIMITED, _FIRST_BUCKET = 0, 1, 2, 3, 4


class TrafficTally:
    """The gateway's counts of the minutes not yet closed, per deployment, version and minute.

    ``count`` is on every request's path: one dictionary lookup and a few additions. A minute
    is closed once the clock has passed it (answers are counted in the minute they are
    written, so nothing adds to a past minute); ``closed`` hands those over and forgets them.
    """

    def __init__(self) -> None:
        self._open: dict[tuple[str, str, int], list[int]] = {}

    def count(self, deployment: str, version: str, status: int, seconds: float, now: float) -> None:
        key = (deployment, version, minute_of(now))
        counts = self._open.get(key)
        if counts is None:
            counts = self._open[key] = [0] * (_FIRST_BUCKET + BUCKETS)
        counts[_REQUESTS] += 1
        if status == 429:
            counts[_LIMITED] += 1
        elif status >= 500:
            counts[_SERVER] += 1
        elif status >= 400:
            counts[_CLIENT] += 1
        if version:  # only a request a version was chosen for took the model's time
            counts[_FIRST_BUCKET + bucket_of(seconds * 1000.0)] += 1

    def closed(self, now: float, *, everything: bool = False) -> list[TrafficMinute]:
        """The minutes before ``now``'s (every minute with ``everything``), oldest first;
        they are no longer kept here."""
        current = minute_of(now)
        done = sorted((k for k in self._open if everything or k[2] < current), key=_by_minute)
        return [_minute(key, self._open.pop(key)) for key in done]

    def __len__(self) -> int:
        return len(self._open)


def _by_minute(key: tuple[str, str, int]) -> tuple[int, str, str]:
    return key[2], key[0], key[1]


def _minute(key: tuple[str, str, int], counts: list[int]) -> TrafficMinute:
    deployment, version, minute = key
    return TrafficMinute(
        deployment=deployment,
        version=version,
        minute=datetime.fromtimestamp(minute, UTC),
        requests=counts[_REQUESTS],
        client_errors=counts[_CLIENT],
        server_errors=counts[_SERVER],
        rate_limited=counts[_LIMITED],
        latency=tuple(counts[_FIRST_BUCKET:]),
    )


# ---------------------------------------------------------------- reading


def quantile(latency: Sequence[int], q: float) -> float | None:
    """The ``q`` quantile of the timed requests, in milliseconds, from bucket counts: linear
    within the bucket it falls in (as Prometheus' ``histogram_quantile``); the slowest bucket
    has no upper bound, so a quantile there reads as the last bound. None without a request."""
    total = sum(latency)
    if total <= 0:
        return None
    rank = q * total
    seen = 0
    for index, count in enumerate(latency):
        if count and seen + count >= rank:
            if index >= len(LATENCY_BOUNDS_MS):
                return float(LATENCY_BOUNDS_MS[-1])
            low = 0.0 if index == 0 else float(LATENCY_BOUNDS_MS[index - 1])
            high = float(LATENCY_BOUNDS_MS[index])
            return low + (high - low) * (rank - seen) / count
        seen += count
    return float(LATENCY_BOUNDS_MS[-1])  # pragma: no cover - the loop always returns


def default_step(span: timedelta) -> str:
    """The finest step that keeps a chart of ``span`` readable: minutes up to three hours,
    five minutes up to two days, hours beyond."""
    if span <= timedelta(hours=3):
        return "1m"
    if span <= timedelta(days=2):
        return "5m"
    return "1h"


def traffic_window(
    since: str | None,
    until: str | None,
    step: str | None,
    *,
    now: datetime,
    settings: TrafficSettings,
) -> TrafficWindow:
    """A chart's range from its query (``?since=&until=&step=``): the last hour up to now
    by default, the step by the span unless named; every way it cannot be read is a 400
    naming the field."""
    end = _instant(until, "until") if until else now
    start = _instant(since, "since") if since else end - DEFAULT_RANGE
    if start >= end:
        raise TrafficRangeInvalid(
            "since must be before until.", "since", params={"field": "since", "rule": "after_until"}
        )
    kept_from = now - timedelta(days=settings.retention_days)
    if start < kept_from - timedelta(minutes=1):
        raise TrafficRangeInvalid(
            f"since lies beyond the {settings.retention_days} days traffic is kept.",
            "since",
            params={"field": "since", "rule": "beyond_retention", "days": settings.retention_days},
        )
    if step is None or step == "":
        step = default_step(end - start)
    if step not in STEPS:
        offered = ", ".join(STEPS)
        raise TrafficRangeInvalid(
            f"step must be one of {offered}.",
            "step",
            params={"field": "step", "rule": "not_offered", "steps": offered},
        )
    seconds = STEPS[step]
    aligned = datetime.fromtimestamp(math.floor(start.timestamp() / seconds) * seconds, UTC)
    if (end - aligned).total_seconds() / seconds > MAX_POINTS:
        raise TrafficRangeInvalid(
            f"The range holds more than {MAX_POINTS} steps of {step}: take a longer step.",
            "step",
            params={"field": "step", "rule": "too_many_points", "limit": MAX_POINTS},
        )
    return TrafficWindow(since=aligned, until=end, step=step)


def _instant(text: str, field: str) -> datetime:
    """Read as every chart's ``since`` is (one reading of a time for all charts)."""
    try:
        at = parse_since(text)
    except DriftSinceInvalid:
        at = None
    if at is None:
        raise TrafficRangeInvalid(
            f"{field} must be an ISO 8601 date or time, e.g. 2026-12-01T12:00:00Z.",
            field,
            params={"field": field, "rule": "not_a_time", "value": text[:40]},
        )
    return at


# ---------------------------------------------------------------- a gateway's report


def checked_report(
    minutes: Sequence[TrafficMinute], *, now: datetime, settings: TrafficSettings
) -> tuple[list[TrafficMinute], int]:
    """The minutes of a report worth storing and how many are too old to keep; a minute that
    cannot be true (not a whole minute, ahead of the clock, more errors than requests, the
    wrong number of buckets, given twice) refuses the whole report, naming it."""
    seen: set[tuple[str, str, datetime]] = set()
    kept: list[TrafficMinute] = []
    expired = 0
    oldest = now - timedelta(days=settings.retention_days)
    for index, minute in enumerate(minutes):
        where = f"minutes.{index}"
        at = minute.minute
        if at.second or at.microsecond or at.utcoffset() != timedelta(0):
            _refuse(f"{where}.minute", "not_a_minute", "is not the start of a UTC minute")
        if at > now + CLOCK_SKEW:
            _refuse(f"{where}.minute", "ahead", "lies ahead of the platform's clock")
        if len(minute.latency) != BUCKETS:
            _refuse(f"{where}.latency", "buckets", f"must hold {BUCKETS} counts")
        errors = minute.client_errors + minute.server_errors + minute.rate_limited
        if errors > minute.requests or sum(minute.latency) > minute.requests:
            _refuse(where, "more_than_requests", "counts more errors or timings than requests")
        key = (minute.deployment, minute.version, at)
        if key in seen:
            _refuse(where, "repeated", "repeats a deployment, version and minute")
        seen.add(key)
        if at < oldest:
            expired += 1
        else:
            kept.append(minute)
    return kept, expired


def _refuse(field: str, rule: str, said: str) -> None:
    raise TrafficReportInvalid(f"{field} {said}.", field, params={"field": field, "rule": rule})
