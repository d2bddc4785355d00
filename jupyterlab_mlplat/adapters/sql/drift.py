"""Drift reports in the metadata database: the drift half of the unit of work the one
``_SqlTransaction`` of ``store.py`` inherits, and the reads outside a transaction (the job's
last report of a version, the chart's reports)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from jupyterlab_mlplat.adapters.sql.part import StorePart
from jupyterlab_mlplat.core.deployments.drift import (
    DriftReport,
    FeatureDrift,
    FeatureKind,
    NewDriftReport,
    ReportStatus,
    StatTest,
)
from jupyterlab_mlplat.core.deployments.drift_service import DriftTx

from .schema import drift_reports


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _feature_json(feature: FeatureDrift) -> dict[str, Any]:
    return {
        "feature": feature.feature,
        "kind": str(feature.kind),
        "test": str(feature.test),
        "statistic": feature.statistic,
        "p_value": feature.p_value,
        "drifted": feature.drifted,
        "reference_rows": feature.reference_rows,
        "current_rows": feature.current_rows,
    }


def _feature(data: dict[str, Any]) -> FeatureDrift:
    return FeatureDrift(
        feature=str(data["feature"]),
        kind=FeatureKind(data["kind"]),
        test=StatTest(data["test"]),
        statistic=float(data["statistic"]),
        p_value=float(data["p_value"]),
        drifted=bool(data["drifted"]),
        reference_rows=int(data["reference_rows"]),
        current_rows=int(data["current_rows"]),
    )


def _report(row: Any) -> DriftReport:
    computed = _utc(row["computed_at"])
    assert computed is not None
    return DriftReport(
        id=int(row["id"]),
        deployment=row["deployment"],
        version=row["version"],
        status=ReportStatus(row["status"]),
        window_start=_utc(row["window_start"]),
        window_end=_utc(row["window_end"]),
        last_sample=row["last_sample"],
        rows=int(row["rows"]),
        reference=row["reference"],
        reference_rows=int(row["reference_rows"]),
        features=tuple(_feature(f) for f in row["features"] or []),
        computed_at=computed,
        drifted=bool(row["drifted"]),
    )


class SqlDriftTx(DriftTx):
    """The drift half of the SQL unit of work; ``_conn`` is the transaction's connection.
    ``notify`` is the reviews half's (one table of notifications)."""

    _conn: sa.Connection

    def add_drift_report(self, report: NewDriftReport, *, drifted: bool, at: datetime) -> int:
        result = self._conn.execute(
            sa.insert(drift_reports).values(
                deployment=report.deployment,
                version=report.version,
                status=str(report.status),
                window_start=report.window_start,
                window_end=report.window_end,
                last_sample=report.last_sample,
                rows=report.rows,
                reference=report.reference,
                reference_rows=report.reference_rows,
                features=[_feature_json(f) for f in report.features],
                drifted_share=report.drifted_share,
                drifted=drifted,
                computed_at=at,
            )
        )
        assert result.inserted_primary_key is not None
        return int(result.inserted_primary_key[0])


class SqlDriftIndex(StorePart):
    """The reports' reads outside a transaction (``DriftStore``); mixed into ``SqlStore``."""

    def last_drift_report(
        self,
        deployment: str,
        version: str,
        *,
        compared: bool = False,
        since: datetime | None = None,
    ) -> DriftReport | None:
        d = drift_reports.c
        query = sa.select(drift_reports).where(d.deployment == deployment, d.version == version)
        if compared:
            query = query.where(d.status == str(ReportStatus.COMPARED))
        if since is not None:
            query = query.where(d.computed_at >= since)
        query = query.order_by(d.id.desc()).limit(1)
        with self._reading() as connection:
            row = connection.execute(query).mappings().first()
        return _report(row) if row is not None else None

    def drift_reports(
        self, deployment: str, *, since: datetime | None, limit: int
    ) -> list[DriftReport]:
        d = drift_reports.c
        query = sa.select(drift_reports).where(d.deployment == deployment)
        if since is not None:
            query = query.where(d.computed_at >= since)
        # the newest ``limit``, returned oldest first (a chart reads left to right)
        query = query.order_by(d.id.desc()).limit(limit)
        with self._reading() as connection:
            rows = [_report(row) for row in connection.execute(query).mappings()]
        return rows[::-1]
