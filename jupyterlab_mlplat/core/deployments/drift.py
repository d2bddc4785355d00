"""Drift: whether what a deployment is asked now still looks like what its model was made for.

The gateway keeps a share of the requests each served version receives, as JSON Lines objects
``drift/<deployment>/<version>/<UTC timestamp>-<n>.jsonl``. A periodic job reads what came
since a version's last report, turns the requests into rows of features, and compares each
feature with the version's *reference* (the rows its run logged as the input example, or a
dataset sample): numeric features with a two-sample Kolmogorov-Smirnov test, categorical ones
with a chi-square test of the category counts (the statistics are an adapter's: a kept
library, never written here). A feature drifted when its p-value is below the threshold; a
report is drifted when the share of drifted features reaches its threshold, as Evidently's
``DataDriftPreset`` decides.

Pure rules and records: no I/O and nothing third-party, so every decision is tested alone.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from jupyterlab_mlplat.core.kernel.errors import InvalidInput
from jupyterlab_mlplat.core.kernel.times import parse_instant

#: where the gateway writes a deployment's samples
SAMPLES_ROOT = "drift"


class FeatureKind(StrEnum):
    NUMERIC = "numeric"
    CATEGORICAL = "categorical"


class StatTest(StrEnum):
    """The statistical test a feature was compared with."""

    KOLMOGOROV_SMIRNOV = "ks"
    CHI_SQUARE = "chi2"


class ReportStatus(StrEnum):
    """What a report could say; the UI translates each (``drift_<status>``)."""

    #: compared: each feature has its statistic and p-value
    COMPARED = "compared"
    #: the version's run logged no input example and no dataset sample
    NO_REFERENCE = "no_reference"
    #: the requests and the reference share no feature the tests can compare
    NO_COMMON_FEATURES = "no_common_features"
    #: the samples held no request the job could read as rows of features
    NO_ROWS = "no_rows"


@dataclass(frozen=True)
class DriftSettings:
    """Thresholds, from the platform's configuration."""

    #: a feature drifted when the test's p-value is below this
    p_value: float = 0.05
    #: a report is drifted when at least this share of its features drifted
    share: float = 0.5
    #: a window is compared once it holds this many rows (fewer wait for the next run)
    min_rows: int = 30
    #: the newest rows of a window that are compared (older ones of a long window are left)
    max_rows: int = 10_000
    #: a window older than this is compared with fewer than ``min_rows`` (a quiet deployment
    #: still gets a report now and then), in seconds
    max_wait: float = 24 * 3600.0


@dataclass(frozen=True)
class FeatureDrift:
    feature: str
    kind: FeatureKind
    test: StatTest
    statistic: float
    p_value: float
    drifted: bool
    reference_rows: int
    current_rows: int


@dataclass(frozen=True)
class NewDriftReport:
    """What one run of the job found for one deployment version and one window of samples."""

    deployment: str
    version: str
    status: ReportStatus
    #: the window: the first and the last sample's time
    window_start: datetime | None
    window_end: datetime | None
    #: the newest sample object read: the next window starts after it
    last_sample: str
    rows: int
    reference: str
    reference_rows: int
    features: tuple[FeatureDrift, ...] = ()

    @property
    def drifted_features(self) -> tuple[str, ...]:
        return tuple(f.feature for f in self.features if f.drifted)

    @property
    def drifted_share(self) -> float:
        return len(self.drifted_features) / len(self.features) if self.features else 0.0


@dataclass(frozen=True)
class DriftReport(NewDriftReport):
    """A report as stored."""

    id: int = 0
    computed_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: whether the share of drifted features reached the threshold when it was computed
    drifted: bool = False


class DriftSinceInvalid(InvalidInput):
    """``params.value``: the ``since`` of the drift reports is not a date or a time (ISO 8601,
    e.g. 2026-12-01 or 2026-12-01T12:00:00Z)."""

    reason = "drift_since_invalid"


def parse_since(text: str | None) -> datetime | None:
    """The ``since`` of a chart: an ISO 8601 date or time, or any RFC 3339 date-time the
    document promises to take (``kernel.times.parse_instant``)."""
    if text is None or not text.strip():
        return None
    try:
        return parse_instant(text)
    except ValueError:
        raise DriftSinceInvalid(
            "since must be an ISO 8601 date or time, e.g. 2026-12-01T12:00:00Z",
            "since",
            params={"value": text[:40]},
        ) from None


def is_drifted(report: NewDriftReport, settings: DriftSettings) -> bool:
    return bool(report.features) and report.drifted_share >= settings.share


def newly_drifted(previous: NewDriftReport | None, current: NewDriftReport) -> tuple[str, ...]:
    """The features that crossed the threshold with this report: drifted now and not in the
    previous compared report. The owner is told of each crossing once, not at every run while
    a feature stays drifted; a feature that recovers and drifts again is told again."""
    before = set(previous.drifted_features) if previous is not None else set()
    return tuple(f for f in current.drifted_features if f not in before)


# ---------------------------------------------------------------- sample objects


def samples_prefix(deployment: str, version: str) -> str:
    return f"{SAMPLES_ROOT}/{deployment}/{version}/"


_SAMPLE_NAME = re.compile(r"^(?P<stamp>\d{8}T\d{6}(?:\.\d{1,6})?)Z-(?P<n>\d{1,12})\.jsonl$")


def sample_time(key: str) -> datetime | None:
    """The UTC time a sample object's name carries (None for a name the gateway never
    writes, which the job leaves alone)."""
    found = _SAMPLE_NAME.match(key.rpartition("/")[2])
    if found is None:
        return None
    stamp = found["stamp"]
    pattern = "%Y%m%dT%H%M%S.%f" if "." in stamp else "%Y%m%dT%H%M%S"
    try:
        return datetime.strptime(stamp, pattern).replace(tzinfo=UTC)
    except ValueError:
        return None


def _order(key: str) -> tuple[datetime, int, str]:
    found = _SAMPLE_NAME.match(key.rpartition("/")[2])
    at = sample_time(key)
    assert found is not None and at is not None
    return (at, int(found["n"]), key)


def new_samples(keys: Iterable[str], last_sample: str | None) -> list[str]:
    """The sample objects written after ``last_sample`` (the previous report's), oldest first.
    Ordered by the time and then the batch number in the name, not as text (batch 10 of one
    instant comes after batch 9)."""
    ours = sorted((k for k in keys if sample_time(k) is not None), key=_order)
    if not last_sample or sample_time(last_sample) is None:
        return ours
    after = _order(last_sample)
    return [k for k in ours if _order(k) > after]


def listing_start(last_sample: str | None) -> str:
    """Where to list a version's samples from after its last report: just before the last
    object's instant, so its later batches of that same instant are listed again (as text,
    batch 10 sorts before batch 9; ``new_samples`` then orders and filters them)."""
    if not last_sample or sample_time(last_sample) is None:
        return ""
    return last_sample.rpartition("Z-")[0] + "Z"


def due(keys: Sequence[str], rows: int, settings: DriftSettings, now: datetime) -> bool:
    """Whether a window of new samples (``keys``, oldest first, holding ``rows`` rows) is
    compared now: enough rows, or its oldest sample has waited long enough."""
    if not keys:
        return False
    if rows >= settings.min_rows:
        return True
    oldest = sample_time(keys[0])
    return oldest is not None and (now - oldest).total_seconds() >= settings.max_wait


# ---------------------------------------------------------------- requests as rows

Row = dict[str, Any]


def _records(columns: Sequence[Any], data: Any) -> list[Row]:
    names = [str(c) for c in columns]
    rows = []
    for values in data if isinstance(data, list) else []:
        if isinstance(values, list) and len(values) == len(names):
            rows.append(dict(zip(names, values, strict=True)))
    return rows


def _positional(items: Any) -> list[Row]:
    """Rows given as lists (or single values) without names: the features are their positions
    (``"0"``, ``"1"``…), matched with the reference's columns by position."""
    rows: list[Row] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping):
            rows.append({str(k): v for k, v in item.items()})
        elif isinstance(item, list):
            rows.append({str(i): v for i, v in enumerate(item)})
        else:
            rows.append({"0": item})
    return rows


def _columnar(columns: Mapping[str, Any]) -> list[Row]:
    """``{"a": [1, 2], "b": [3, 4]}``: one list per feature, of one length."""
    lists = {str(k): v for k, v in columns.items() if isinstance(v, list)}
    if not lists or len({len(v) for v in lists.values()}) != 1:
        return [{str(k): v for k, v in columns.items()}] if columns else []
    length = len(next(iter(lists.values())))
    return [{k: v[i] for k, v in lists.items()} for i in range(length)]


def _tensors(inputs: Sequence[Mapping[str, Any]]) -> list[Row]:
    """The Open Inference Protocol's ``inputs``: named tensors; a 1-D tensor (or ``[n, 1]``) is
    one feature, a 2-D one ``[n, k]`` is ``k`` features named by position."""
    columns: dict[str, list[Any]] = {}
    for tensor in inputs:
        name, data, shape = str(tensor.get("name", "")), tensor.get("data"), tensor.get("shape")
        if not isinstance(data, list):
            continue
        flat = _flatten(data)
        if isinstance(shape, list) and len(shape) == 2 and isinstance(shape[1], int):
            width = shape[1]
            if width > 1 and len(flat) % width == 0:
                for j in range(width):
                    columns[f"{j}" if len(inputs) == 1 else f"{name}_{j}"] = flat[j::width]
                continue
        columns[name] = flat
    return _columnar(columns) if columns else []


def _flatten(data: list[Any]) -> list[Any]:
    """A nested list's leaves in order, without recursion (a request nested 10,000 deep is
    data, not a reason to stop the job)."""
    out: list[Any] = []
    stack: list[Iterator[Any]] = [iter(data)]
    while stack:
        item = next(stack[-1], _END)
        if item is _END:
            stack.pop()
        elif isinstance(item, list):
            stack.append(iter(item))
        else:
            out.append(item)
    return out


_END = object()


def rows_of_request(body: Any) -> list[Row]:
    """The rows of features of one request body, in every form the model server takes: the
    MLflow scoring protocol (``dataframe_split``, ``dataframe_records``, ``instances``,
    ``inputs``), the Open Inference Protocol v2 (``inputs`` as named tensors), and a pandas
    ``split`` frame (``{"columns", "data"}``, how MLflow logs an input example). A body in no
    known form gives no rows (it is counted, never fatal)."""
    if isinstance(body, list):
        return _positional(body)
    if not isinstance(body, Mapping):
        return []
    if "dataframe_split" in body and isinstance(body["dataframe_split"], Mapping):
        split = body["dataframe_split"]
        return _records(split.get("columns") or [], split.get("data"))
    if "columns" in body and "data" in body:
        return _records(body.get("columns") or [], body.get("data"))
    if "dataframe_records" in body:
        return _positional(body["dataframe_records"])
    if "instances" in body:
        instances = body["instances"]
        return _columnar(instances) if isinstance(instances, Mapping) else _positional(instances)
    if "inputs" in body:
        inputs = body["inputs"]
        if (
            isinstance(inputs, list)
            and inputs
            and all(isinstance(t, Mapping) and "data" in t and "name" in t for t in inputs)
        ):
            return _tensors(inputs)
        if isinstance(inputs, Mapping):
            return _columnar(inputs)
        return _positional(inputs)
    return []


#: the keys a sample line may keep the request under (the gateway's ``payload``)
_PAYLOAD_KEYS = ("payload", "request", "body")


def rows_of_samples(text: str) -> tuple[list[Row], int]:
    """The rows of a JSON Lines object of samples, and how many lines could not be read. A
    line is ``{"at": …, "payload": <request body>}`` (or the bare body)."""
    rows: list[Row] = []
    unreadable = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            sample = json.loads(line)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than Python reads
            unreadable += 1
            continue
        if isinstance(sample, Mapping):
            key = next((k for k in _PAYLOAD_KEYS if k in sample), None)
            if key is not None:
                sample = sample[key]
                if isinstance(sample, str):  # a payload kept as the text it arrived as
                    try:
                        sample = json.loads(sample)
                    except (ValueError, RecursionError):
                        unreadable += 1
                        continue
        found = rows_of_request(sample)
        if not found:
            unreadable += 1
        rows.extend(found)
    return rows, unreadable


# ---------------------------------------------------------------- features to compare


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def kind_of(values: Sequence[Any]) -> FeatureKind | None:
    """Numeric when every present value is a number (not a boolean), categorical when every
    one is a string or a boolean; None for a feature of nested values (a tensor, an image)
    or no present values."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    if all(_number(v) is not None for v in present):
        return FeatureKind.NUMERIC
    if all(isinstance(v, str | bool) for v in present):
        return FeatureKind.CATEGORICAL
    return None


@dataclass(frozen=True)
class Comparison:
    """One feature's values on both sides, ready for its test."""

    feature: str
    kind: FeatureKind
    reference: tuple[Any, ...]
    current: tuple[Any, ...]


def _column(rows: Sequence[Row], name: str) -> list[Any]:
    return [row.get(name) for row in rows]


def _clean(values: Sequence[Any], kind: FeatureKind) -> tuple[Any, ...]:
    if kind is FeatureKind.NUMERIC:
        return tuple(n for n in (_number(v) for v in values) if n is not None)
    return tuple(str(v) for v in values if v is not None)


def _names(rows: Sequence[Row]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        for name in row:
            seen.setdefault(name, None)
    return list(seen)


def _positional_names(names: Sequence[str]) -> bool:
    return bool(names) and all(n.isdigit() for n in names)


def comparisons(reference: Sequence[Row], current: Sequence[Row]) -> list[Comparison]:
    """Each feature both sides have, of one kind on both, with at least one value on each.
    Features are matched by name; requests sent without names (lists) are matched with the
    reference's columns by position when both have as many."""
    ref_names, cur_names = _names(reference), _names(current)
    positional = _positional_names(cur_names) and not _positional_names(ref_names)
    if positional and len(cur_names) == len(ref_names):
        rename = dict(zip(cur_names, ref_names, strict=True))
        current = [{rename.get(k, k): v for k, v in row.items()} for row in current]
        cur_names = ref_names
    found = []
    for name in ref_names:
        if name not in cur_names:
            continue
        ref_values, cur_values = _column(reference, name), _column(current, name)
        kind = kind_of(ref_values)
        if kind is None or kind_of(cur_values) not in (kind, None):
            continue
        ref, cur = _clean(ref_values, kind), _clean(cur_values, kind)
        if ref and cur:
            found.append(Comparison(name, kind, ref, cur))
    return found


def statistical_test(kind: FeatureKind) -> StatTest:
    return StatTest.KOLMOGOROV_SMIRNOV if kind is FeatureKind.NUMERIC else StatTest.CHI_SQUARE


def feature_drift(
    comparison: Comparison, statistic: float, p_value: float, settings: DriftSettings
) -> FeatureDrift:
    return FeatureDrift(
        feature=comparison.feature,
        kind=comparison.kind,
        test=statistical_test(comparison.kind),
        statistic=statistic,
        p_value=p_value,
        drifted=p_value < settings.p_value,
        reference_rows=len(comparison.reference),
        current_rows=len(comparison.current),
    )
