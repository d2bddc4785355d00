"""The wire shapes of a deployment's drift reports (``GET …/deployments/{name}/drift``), which
the Deployments tab charts: one report per served version and window of sampled requests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import Field

from jupyterlab_mlplat.core.deployments.drift import (
    DriftReport,
    DriftSettings,
    FeatureKind,
    ReportStatus,
    StatTest,
)
from jupyterlab_mlplat.core.deployments.drift_service import Watched

from .base import FromCore, Wire
from .openapi import Query

#: the charts' ``?since=``: both APIs parse it with ``parse_since``, which takes any RFC 3339
#: date-time as the document promises (and a bare date)
SINCE = Query("since", "An ISO 8601 date or time, e.g. 2026-12-01T00:00:00Z.", format="date-time")


class FeatureDriftBody(FromCore):
    feature: str
    kind: FeatureKind
    test: StatTest = Field(description="ks: two-sample Kolmogorov-Smirnov; chi2: chi-square.")
    statistic: float
    p_value: float
    drifted: bool = Field(description="Whether the p-value is below the threshold.")
    reference_rows: int
    current_rows: int


class DriftReportBody(FromCore):
    id: int
    version: str
    status: ReportStatus = Field(
        description="compared, or why nothing was compared: no_reference (the run logged no "
        "input example nor dataset sample), no_common_features, no_rows."
    )
    window_start: datetime | None = Field(description="The first sampled request's time.")
    window_end: datetime | None = Field(description="The last sampled request's time.")
    computed_at: datetime
    rows: int = Field(description="Requests' rows compared.")
    reference: str = Field(description="input_example, dataset, or empty without one.")
    reference_rows: int
    drifted_share: float = Field(description="The share of the features that drifted, 0..1.")
    drifted: bool = Field(description="Whether the share reached the threshold.")
    features: list[FeatureDriftBody]


class DriftThresholds(FromCore):
    p_value: float = Field(description="A feature drifted when its p-value is below this.")
    share: float = Field(description="A report drifted when this share of features drifted.")
    min_rows: int = Field(description="Rows a window waits for before it is compared.")


class DriftReportList(Wire):
    deployment: str
    model_name: str
    thresholds: DriftThresholds
    reports: list[DriftReportBody] = Field(description="Oldest first, at most 1,000.")

    @classmethod
    def of(
        cls, watched: Watched, reports: Sequence[DriftReport], settings: DriftSettings
    ) -> DriftReportList:
        return cls(
            deployment=watched.name,
            model_name=watched.model_name,
            thresholds=DriftThresholds.model_validate(settings),
            reports=[DriftReportBody.model_validate(r) for r in reports],
        )
