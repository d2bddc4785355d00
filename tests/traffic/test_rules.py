"""The traffic rules alone: how the gateway counts an answer, when a minute is closed, how
percentiles come out of bucket counts, how a chart's range is read, and which reports of a
gateway cannot be true."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jupyterlab_mlplat.api.traffic import TrafficMinuteBody, TrafficReport
from jupyterlab_mlplat.core.deployments.traffic import (
    BUCKETS,
    LATENCY_BOUNDS_MS,
    MAX_POINTS,
    TrafficMinute,
    TrafficPoint,
    TrafficRangeInvalid,
    TrafficReportInvalid,
    TrafficSettings,
    TrafficTally,
    bucket_of,
    checked_report,
    quantile,
    traffic_window,
)

NOW = datetime(2026, 12, 3, 12, 0, 30, tzinfo=UTC)
T0 = datetime(2026, 12, 3, 12, 0, tzinfo=UTC).timestamp()


def test_each_status_lands_in_its_own_count_and_only_routed_requests_are_timed() -> None:
    tally = TrafficTally()
    for status in (200, 200, 400, 404, 429, 502, 503):
        version = "" if status == 429 else "1"  # a rate limit refuses before a version
        tally.count("churn", version, status, 0.004, T0 + 5)
    minutes = tally.closed(T0 + 60)
    assert [(m.deployment, m.version) for m in minutes] == [("churn", ""), ("churn", "1")]
    refused, answered = minutes
    assert (refused.requests, refused.rate_limited, sum(refused.latency)) == (1, 1, 0)
    assert (answered.requests, answered.client_errors, answered.server_errors) == (6, 2, 2)
    assert answered.latency[bucket_of(4.0)] == 6  # 4 ms: the (3, 5] bucket
    assert answered.minute == datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def test_a_minute_is_handed_over_once_the_clock_has_passed_it_and_only_once() -> None:
    tally = TrafficTally()
    tally.count("churn", "1", 200, 0.001, T0 + 59.9)
    tally.count("churn", "1", 200, 0.001, T0 + 60.0)  # the next minute
    assert tally.closed(T0 + 59.95) == []
    [first] = tally.closed(T0 + 61)
    assert (first.minute.minute, first.requests) == (0, 1)
    assert tally.closed(T0 + 61) == []
    [second] = tally.closed(T0 + 61, everything=True)  # a stopping gateway sends the open one
    assert (second.minute.minute, second.requests) == (1, 1)
    assert len(tally) == 0


@pytest.mark.parametrize(
    ("milliseconds", "bucket"),
    [(0.2, 0), (1.0, 0), (1.01, 1), (10.0, 4), (10_000.0, 12), (10_000.1, 13), (9e9, 13)],
)
def test_a_latency_falls_in_the_first_bucket_it_does_not_exceed(
    milliseconds: float, bucket: int
) -> None:
    assert bucket_of(milliseconds) == bucket
    assert len(LATENCY_BOUNDS_MS) + 1 == BUCKETS


def test_percentiles_interpolate_within_the_bucket_they_fall_in() -> None:
    latency = [0] * BUCKETS
    latency[bucket_of(4)] = 50  # 50 requests in (3, 5] ms
    latency[bucket_of(40)] = 50  # 50 in (25, 50] ms
    assert quantile(latency, 0.5) == pytest.approx(5.0)
    assert quantile(latency, 0.25) == pytest.approx(4.0)
    assert quantile(latency, 0.99) == pytest.approx(25 + 25 * 49 / 50)
    slow = [0] * BUCKETS
    slow[-1] = 3  # beyond the last bound: read as the last bound, never made up
    assert quantile(slow, 0.95) == LATENCY_BOUNDS_MS[-1]
    assert quantile([0] * BUCKETS, 0.5) is None


def test_a_point_says_its_errors_rate_and_percentiles() -> None:
    latency = [0] * BUCKETS
    latency[bucket_of(2)] = 8
    point = TrafficPoint(NOW, 10, 1, 1, 0, tuple(latency))
    assert (point.errors, point.error_rate) == (2, 0.2)
    assert point.p50_ms == pytest.approx(1.5)
    assert TrafficPoint(NOW, 0, 0, 0, 0, (0,) * BUCKETS).error_rate is None


def test_a_range_defaults_to_the_last_hour_in_minutes() -> None:
    window = traffic_window(None, None, None, now=NOW, settings=TrafficSettings())
    assert (window.since, window.until, window.step) == (
        datetime(2026, 12, 3, 11, 0, tzinfo=UTC),
        NOW,
        "1m",
    )


@pytest.mark.parametrize(
    ("span", "step"),
    [(timedelta(hours=1), "1m"), (timedelta(days=1), "5m"), (timedelta(days=7), "1h")],
)
def test_the_step_follows_the_span_unless_named(span: timedelta, step: str) -> None:
    since = (NOW - span).isoformat()
    window = traffic_window(since, None, None, now=NOW, settings=TrafficSettings())
    assert window.step == step
    assert window.since.timestamp() % window.seconds == 0  # on a step's boundary


@pytest.mark.parametrize(
    ("since", "until", "step", "field", "rule"),
    [
        ("last week", None, None, "since", "not_a_time"),
        (None, "2026-13-01", None, "until", "not_a_time"),
        ("2026-12-03T12:00:00Z", "2026-12-03T11:00:00Z", None, "since", "after_until"),
        ("2026-12-03T12:00:00Z", "2026-12-03T12:00:00Z", None, "since", "after_until"),
        ("2026-10-01T00:00:00Z", None, None, "since", "beyond_retention"),
        (None, None, "2m", "step", "not_offered"),
        (None, None, "1M", "step", "not_offered"),
        ("2026-11-20T00:00:00Z", None, "1m", "step", "too_many_points"),
    ],
)
def test_a_range_that_cannot_be_read_names_its_field(
    since: str | None, until: str | None, step: str | None, field: str, rule: str
) -> None:
    with pytest.raises(TrafficRangeInvalid) as refused:
        traffic_window(since, until, step, now=NOW, settings=TrafficSettings())
    assert (refused.value.field, refused.value.params["field"]) == (field, field)
    assert refused.value.params["rule"] == rule
    assert refused.value.reason == "traffic_range_invalid"


def test_a_week_in_five_minutes_fits_and_a_longer_retention_reads_further_back() -> None:
    week = (NOW - timedelta(days=7)).isoformat()
    assert traffic_window(week, None, "5m", now=NOW, settings=TrafficSettings()).step == "5m"
    assert MAX_POINTS >= 7 * 24 * 12
    far = (NOW - timedelta(days=60)).isoformat()
    long_kept = TrafficSettings(retention_days=90)
    assert traffic_window(far, None, None, now=NOW, settings=long_kept).step == "1h"


def _minute(**changes: object) -> TrafficMinute:
    latency = [0] * BUCKETS
    latency[3] = 5
    fields: dict[str, object] = {
        "deployment": "churn",
        "version": "1",
        "minute": datetime(2026, 12, 3, 11, 59, tzinfo=UTC),
        "requests": 6,
        "client_errors": 1,
        "latency": tuple(latency),
    }
    fields.update(changes)
    return TrafficMinute(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("bad", "field", "rule"),
    [
        (
            _minute(minute=datetime(2026, 12, 3, 11, 59, 30, tzinfo=UTC)),
            "minutes.1.minute",
            "not_a_minute",
        ),
        (_minute(minute=datetime(2026, 12, 3, 12, 30, tzinfo=UTC)), "minutes.1.minute", "ahead"),
        (_minute(latency=(1, 2)), "minutes.1.latency", "buckets"),
        (_minute(requests=1, client_errors=1, rate_limited=1), "minutes.1", "more_than_requests"),
        (_minute(requests=4), "minutes.1", "more_than_requests"),
        (_minute(), "minutes.1", "repeated"),
    ],
)
def test_a_report_that_cannot_be_true_is_refused_naming_the_minute(
    bad: TrafficMinute, field: str, rule: str
) -> None:
    with pytest.raises(TrafficReportInvalid) as refused:
        checked_report([_minute(), bad], now=NOW, settings=TrafficSettings())
    assert refused.value.params == {"field": field, "rule": rule}


def test_minutes_past_the_retention_are_counted_not_kept() -> None:
    old = _minute(minute=datetime(2026, 10, 1, tzinfo=UTC))
    kept, expired = checked_report([old, _minute()], now=NOW, settings=TrafficSettings())
    assert (kept, expired) == ([_minute()], 1)


def test_a_report_travels_as_the_platforms_own_wire_model() -> None:
    at = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)
    report = TrafficReport(gateway="gw-1", minutes=[TrafficMinuteBody.of(_minute(minute=at))])
    again = TrafficReport.model_validate_json(report.model_dump_json())
    assert again.records() == [_minute(minute=at)]
