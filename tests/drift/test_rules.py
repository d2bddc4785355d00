"""The drift rules alone: requests in every form the model server takes become rows, sample
objects are read in order, features are matched, a crossing is told once."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from jupyterlab_mlplat.core.deployments.drift import (
    DriftSettings,
    DriftSinceInvalid,
    FeatureDrift,
    FeatureKind,
    NewDriftReport,
    ReportStatus,
    StatTest,
    comparisons,
    due,
    listing_start,
    new_samples,
    newly_drifted,
    parse_since,
    rows_of_request,
    rows_of_samples,
    sample_time,
)
from jupyterlab_mlplat.core.deployments.routing import drift_key

ROWS = [{"age": 30, "plan": "basic"}, {"age": 41, "plan": "pro"}]


@pytest.mark.parametrize(
    "body",
    [
        {"dataframe_split": {"columns": ["age", "plan"], "data": [[30, "basic"], [41, "pro"]]}},
        {"dataframe_records": ROWS},
        {"instances": ROWS},
        {"instances": {"age": [30, 41], "plan": ["basic", "pro"]}},
        {"inputs": {"age": [30, 41], "plan": ["basic", "pro"]}},
        {
            "inputs": [
                {"name": "age", "shape": [2], "datatype": "INT64", "data": [30, 41]},
                {"name": "plan", "shape": [2], "datatype": "BYTES", "data": ["basic", "pro"]},
            ]
        },
        {"columns": ["age", "plan"], "data": [[30, "basic"], [41, "pro"]]},
    ],
    ids=["split", "records", "instances", "instances-columns", "inputs", "v2", "logged-example"],
)
def test_every_request_form_becomes_the_same_rows(body: object) -> None:
    assert rows_of_request(body) == ROWS


def test_unnamed_rows_are_matched_by_position() -> None:
    current = rows_of_request({"instances": [[30, "basic"], [41, "pro"]]})
    v2 = rows_of_request(
        {"inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP64", "data": [1, 2, 3, 4]}]}
    )
    assert v2 == [{"0": 1, "1": 2}, {"0": 3, "1": 4}]
    pairs = comparisons(ROWS, current)
    assert [(p.feature, p.kind) for p in pairs] == [
        ("age", FeatureKind.NUMERIC),
        ("plan", FeatureKind.CATEGORICAL),
    ]


def test_sample_lines_are_read_and_bad_ones_counted() -> None:
    good = {"at": "2026-12-03T12:00:00Z", "payload": {"dataframe_records": ROWS}}
    text = "\n".join([json.dumps(good), "not json", json.dumps({"payload": {"x": 1}}), ""])
    rows, unreadable = rows_of_samples(text)
    assert rows == ROWS and unreadable == 2


def test_a_poison_sample_is_counted_not_fatal() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    tensor = {"name": "x", "shape": [1], "datatype": "FP64", "data": [[[[[[1.5]]]]]]}
    text = "\n".join(
        [deep, json.dumps({"payload": {"inputs": [tensor]}}), '{"payload": "{not json"}']
    )
    rows, unreadable = rows_of_samples(text)
    assert rows == [{"x": 1.5}] and unreadable == 2


def test_new_samples_follow_the_gateways_names_in_time_then_batch_order() -> None:
    at = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    keys = [drift_key("churn", "3", at, n) for n in (10, 9, 1)] + ["drift/churn/3/other.txt"]
    assert sample_time(keys[0]) == at
    ordered = new_samples(keys, None)
    assert ordered == [keys[2], keys[1], keys[0]]
    assert new_samples(keys, keys[1]) == [keys[0]]
    # listed again from the last one's instant: its batch 10 sorts before it as text
    start = listing_start(keys[1])
    assert all(k > start for k in keys[:3]) and start.endswith("Z")
    assert listing_start(None) == "" and listing_start("drift/churn/3/other.txt") == ""


def test_a_window_waits_for_rows_unless_it_is_old() -> None:
    settings = DriftSettings(min_rows=30, max_wait=3600)
    at = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    keys = [drift_key("churn", "3", at, 1)]
    assert not due([], 100, settings, at)
    assert not due(keys, 29, settings, at.replace(minute=30))
    assert due(keys, 30, settings, at)
    assert due(keys, 1, settings, at.replace(hour=13))


def _feature(name: str, drifted: bool) -> FeatureDrift:
    p_value = 0.001 if drifted else 0.5
    return FeatureDrift(
        name, FeatureKind.NUMERIC, StatTest.KOLMOGOROV_SMIRNOV, 0.5, p_value, drifted, 5, 50
    )


def _report(*drifted: str) -> NewDriftReport:
    features = (*(_feature(f, True) for f in drifted), _feature("calm", False))
    return NewDriftReport(
        "churn", "3", ReportStatus.COMPARED, None, None, "k", 50, "x", 5, features
    )


def test_a_crossing_is_told_once() -> None:
    assert newly_drifted(None, _report("age")) == ("age",)
    assert newly_drifted(_report("age"), _report("age")) == ()
    assert newly_drifted(_report("age"), _report("age", "plan")) == ("plan",)
    assert newly_drifted(_report(), _report("age")) == ("age",)


def test_since_is_an_iso_time() -> None:
    assert parse_since("2026-12-01") == datetime(2026, 12, 1, tzinfo=UTC)
    assert parse_since(None) is None
    with pytest.raises(DriftSinceInvalid):
        parse_since("yesterday")


def test_since_takes_every_rfc_3339_time_the_document_promises() -> None:
    """The document says ``format: date-time``: each spelling RFC 3339 allows is taken."""
    assert parse_since("2026-12-01t12:00:00z") == datetime(2026, 12, 1, 12, tzinfo=UTC)
    assert parse_since("2026-12-01T23:59:60Z") == datetime(2026, 12, 1, 23, 59, 59, tzinfo=UTC)
    assert parse_since("2026-12-01T14:00:00+02:00") == datetime(2026, 12, 1, 12, tzinfo=UTC)
    assert parse_since("0001-01-01T00:00:00+01:00") == datetime.min.replace(tzinfo=UTC)
    assert parse_since("9999-12-31T23:59:59-05:00") == datetime.max.replace(tzinfo=UTC)
