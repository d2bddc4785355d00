"""Deployment traffic in the metadata database: the traffic half of the unit of work the one
``_SqlTransaction`` of ``store.py`` inherits (a gateway's minutes stored, old ones deleted),
and the charts' read outside a transaction, summed per version and step by the database."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from jupyterlab_mlplat.adapters.sql.part import StorePart
from jupyterlab_mlplat.core.analytics.teams import TrafficDay
from jupyterlab_mlplat.core.deployments.traffic import (
    BUCKETS,
    TrafficMinute,
    TrafficPoint,
    TrafficWindow,
    VersionSeries,
)
from jupyterlab_mlplat.core.deployments.traffic_service import TrafficTx

from .schema import TRAFFIC_LATENCY_COLUMNS, deployment_traffic, deployments

assert len(TRAFFIC_LATENCY_COLUMNS) == BUCKETS, "one column per latency bucket"

t = deployment_traffic.c
_KEY = ("deployment_id", "version", "minute", "gateway")
_COUNTS = ("requests", "client_errors", "server_errors", "rate_limited", *TRAFFIC_LATENCY_COLUMNS)
_LIVE = deployments.c.stopped_at.is_(None)
_DAY = 86_400


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


def _before(at: datetime) -> int:
    """The bound that keeps the minutes begun before ``at``: a minute that began at 12:29:00
    holds requests of 12:29:00.4, so a chart read then shows it (``_epoch`` would cut it)."""
    return math.ceil(at.timestamp())


def _upsert(dialect: str) -> Any:
    """An INSERT that replaces the row of the same key (both databases speak ON CONFLICT)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(deployment_traffic)
    replaced = {name: statement.excluded[name] for name in ("deployment", "owner", *_COUNTS)}
    return statement.on_conflict_do_update(index_elements=list(_KEY), set_=replaced)


class SqlTrafficTx(TrafficTx):
    """The traffic half of the SQL unit of work; ``_conn`` is the transaction's connection."""

    _conn: sa.Connection

    def put_traffic(self, gateway: str, minutes: Sequence[TrafficMinute]) -> int:
        names = sorted({m.deployment for m in minutes})
        d = deployments.c
        live = {
            row.name: (row.id, row.owner)
            for row in self._conn.execute(
                sa.select(d.id, d.name, d.owner).where(d.name.in_(names), _LIVE)
            )
        }
        rows = []
        for minute in minutes:
            found = live.get(minute.deployment)
            if found is None:
                continue
            rows.append(
                {
                    "deployment_id": found[0],
                    "version": minute.version,
                    "minute": _epoch(minute.minute),
                    "gateway": gateway,
                    "deployment": minute.deployment,
                    "owner": found[1],
                    "requests": minute.requests,
                    "client_errors": minute.client_errors,
                    "server_errors": minute.server_errors,
                    "rate_limited": minute.rate_limited,
                    **dict(zip(TRAFFIC_LATENCY_COLUMNS, minute.latency, strict=True)),
                }
            )
        if rows:
            self._conn.execute(_upsert(self._conn.dialect.name), rows)
        return len(rows)

    def delete_traffic_before(self, cutoff: datetime) -> int:
        deleted = self._conn.execute(sa.delete(deployment_traffic).where(t.minute < _epoch(cutoff)))
        return int(deleted.rowcount or 0)


class SqlTrafficIndex(StorePart):
    """The charts' read outside a transaction (``TrafficStore``); mixed into ``SqlStore``."""

    def traffic_series(self, deployment: str, window: TrafficWindow) -> list[VersionSeries]:
        d = deployments.c
        live_id = sa.select(d.id).where(d.name == deployment, _LIVE).scalar_subquery()
        step: sa.ColumnElement[int] = sa.literal_column(str(int(window.seconds)))
        at = (t.minute - t.minute % step).label("at")
        query = (
            sa.select(t.version, at, *(sa.func.sum(t[name]).label(name) for name in _COUNTS))
            .where(
                t.deployment_id == live_id,
                t.minute >= _epoch(window.since),
                t.minute < _before(window.until),
            )
            .group_by(t.version, at)
            .order_by(t.version, at)
        )
        with self._reading() as connection:
            rows = connection.execute(query).mappings().all()
        series: dict[str, list[TrafficPoint]] = {}
        for row in rows:
            series.setdefault(row["version"], []).append(_point(row))
        return [VersionSeries(v, tuple(series[v])) for v in sorted(series, key=_version_order)]

    def traffic_per_day(self, since: datetime, until: datetime) -> list[TrafficDay]:
        """The team figures' requests and errors, summed per owner and UTC day by the database
        (``ix_deployment_traffic_owner``); stopped deployments' minutes count too."""
        day_seconds: sa.ColumnElement[int] = sa.literal_column(str(_DAY))
        day = (t.minute - t.minute % day_seconds).label("day")
        errors = sa.func.sum(t.client_errors + t.server_errors + t.rate_limited).label("errors")
        query = (
            sa.select(t.owner, day, sa.func.sum(t.requests).label("requests"), errors)
            .where(t.minute >= _epoch(since), t.minute < _before(until))
            .group_by(t.owner, day)
            .order_by(t.owner, day)
        )
        with self._reading() as connection:
            rows = connection.execute(query).all()
        return [
            TrafficDay(
                owner=row.owner,
                day=datetime.fromtimestamp(int(row.day), UTC).date(),
                requests=int(row.requests),
                errors=int(row.errors),
            )
            for row in rows
        ]


def _point(row: Any) -> TrafficPoint:
    return TrafficPoint(
        at=datetime.fromtimestamp(int(row["at"]), UTC),
        requests=int(row["requests"]),
        client_errors=int(row["client_errors"]),
        server_errors=int(row["server_errors"]),
        rate_limited=int(row["rate_limited"]),
        latency=tuple(int(row[name]) for name in TRAFFIC_LATENCY_COLUMNS),
    )


def _version_order(version: str) -> tuple[int, int, str]:
    """Versions by number, the requests no version answered first."""
    return (1 if version else 0, int(version) if version.isdigit() else 0, version)
