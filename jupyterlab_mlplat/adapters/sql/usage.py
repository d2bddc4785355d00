"""Usage samples in the metadata database: the usage half of the unit of work the one
``_SqlTransaction`` of ``store.py`` inherits (a pass's samples stored and added to their days'
sums, old samples deleted, the idle GPU stretches), and the questions' reads outside a
transaction, summed by the database from the daily rows only."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from jupyterlab_mlplat.adapters.sql.part import StorePart
from jupyterlab_mlplat.core.analytics.ports import IdleStretch, SumBy, UsageTx, WorkloadSums
from jupyterlab_mlplat.core.analytics.records import Period
from jupyterlab_mlplat.core.analytics.usage import Sample, UsageSums, WorkloadKind

from .schema import USAGE_SUMS, usage_daily, usage_idle_stretches, usage_samples

assert tuple(f for f in UsageSums.__dataclass_fields__) == USAGE_SUMS, "one column per sum"

s = usage_samples.c
d = usage_daily.c
_SAMPLE_KEY = ("minute", "kind", "owner", "name")
_DAILY_KEY = ("day", "kind", "owner", "name", "profile")
#: rows per INSERT: a bulk load (the benchmark's 90 days) goes in statements of this size
BATCH = 2_000


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _insert(dialect: str, table: sa.Table) -> Any:
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _sample_row(sample: Sample) -> dict[str, Any]:
    return {
        "minute": _epoch(sample.minute),
        "kind": str(sample.kind),
        "owner": sample.owner,
        "name": sample.name,
        "profile": sample.profile,
        "minutes": sample.minutes,
        "cpu_requested": sample.cpu_requested,
        "cpu_used": sample.cpu_used,
        "memory_requested": sample.memory_requested,
        "memory_used": sample.memory_used,
        "gpus": sample.gpus,
        "active": sample.active,
        "idle": sample.idle,
    }


def _key(row: Any) -> tuple[int, str, str, str]:
    return (int(row[0]), str(row[1]), str(row[2]), str(row[3]))


class SqlUsageTx(UsageTx):
    """The usage half of the SQL unit of work; ``_conn`` is the transaction's connection.
    ``notify`` is the reviews half's (one table of notifications)."""

    _conn: sa.Connection

    def add_usage_samples(self, samples: Sequence[Sample]) -> int:
        if not samples:
            return 0
        dialect = self._conn.dialect.name
        stored: list[Sample] = []
        for start in range(0, len(samples), BATCH):
            rows: dict[tuple[int, str, str, str], tuple[Sample, dict[str, Any]]] = {}
            for sample in samples[start : start + BATCH]:
                row = _sample_row(sample)  # one per key: ON CONFLICT cannot touch a row twice
                rows.setdefault(_key([row[k] for k in _SAMPLE_KEY]), (sample, row))
            statement = (
                _insert(dialect, usage_samples)
                .on_conflict_do_nothing(index_elements=list(_SAMPLE_KEY))
                .returning(*(s[k] for k in _SAMPLE_KEY))
            )
            # executemany: one statement compiled, the rows sent in batches (insertmanyvalues)
            result = self._conn.execute(statement, [row for _, row in rows.values()])
            # only the minutes stored now are added to their days: a minute a pass already
            # wrote (two passes in one minute) is not counted twice
            new = {_key(row) for row in result}
            stored.extend(sample for key, (sample, _) in rows.items() if key in new)
        self._add_to_days(stored)
        return len(stored)

    def _add_to_days(self, samples: Sequence[Sample]) -> None:
        days: dict[tuple[date, str, str, str, str], UsageSums] = {}
        for sample in samples:
            key = (sample.day, str(sample.kind), sample.owner, sample.name, sample.profile)
            days[key] = days.get(key, UsageSums()) + UsageSums.of(sample)
        if not days:
            return
        rows = [
            {
                **dict(zip(_DAILY_KEY, key, strict=True)),
                **{name: getattr(sums, name) for name in USAGE_SUMS},
            }
            for key, sums in days.items()
        ]
        statement = _insert(self._conn.dialect.name, usage_daily)
        added = {name: usage_daily.c[name] + statement.excluded[name] for name in USAGE_SUMS}
        upsert = statement.on_conflict_do_update(index_elements=list(_DAILY_KEY), set_=added)
        self._conn.execute(upsert, rows)

    def delete_usage_samples_before(self, cutoff: datetime) -> int:
        deleted = self._conn.execute(sa.delete(usage_samples).where(s.minute < _epoch(cutoff)))
        return int(deleted.rowcount or 0)

    def idle_stretches(self) -> list[IdleStretch]:
        rows = self._conn.execute(sa.select(usage_idle_stretches)).mappings()
        return [
            IdleStretch(row["owner"], row["name"], _utc(row["since"]), bool(row["notified"]))
            for row in rows
        ]

    def replace_idle_stretches(self, stretches: Sequence[IdleStretch]) -> None:
        self._conn.execute(sa.delete(usage_idle_stretches))
        if stretches:
            self._conn.execute(
                sa.insert(usage_idle_stretches),
                [
                    {"owner": x.owner, "name": x.name, "since": x.since, "notified": x.notified}
                    for x in stretches
                ],
            )


def _sums(row: Any) -> UsageSums:
    return UsageSums(**{name: float(row[name] or 0.0) for name in USAGE_SUMS})


class SqlUsageIndex(StorePart):
    """The questions' reads outside a transaction (``UsageStore``); mixed into ``SqlStore``."""

    def usage_sums(
        self,
        period: Period,
        by: SumBy,
        *,
        kind: WorkloadKind | None = None,
        owners: Collection[str] | None = None,
    ) -> list[tuple[str, UsageSums]]:
        column = {"owner": d.owner, "profile": d.profile, "day": d.day}[by]
        query = (
            sa.select(column.label("key"), *(sa.func.sum(d[n]).label(n) for n in USAGE_SUMS))
            .where(d.day >= period.start, d.day <= period.end)
            .group_by(column)
        )
        if kind is not None:
            query = query.where(d.kind == str(kind))
        if owners is not None:
            if not owners:
                return []
            query = query.where(d.owner.in_(sorted(owners)))
        with self._reading() as connection:
            rows = connection.execute(query).mappings().all()
        return [(_text(row["key"]), _sums(row)) for row in rows]

    def idle_workload_sums(
        self,
        period: Period,
        *,
        owner: str | None,
        limit: int,
        kind: WorkloadKind | None = None,
    ) -> list[WorkloadSums]:
        sums = [sa.func.sum(d[n]).label(n) for n in USAGE_SUMS]
        query = (
            sa.select(d.kind, d.name, d.owner, d.profile, *sums)
            .where(d.day >= period.start, d.day <= period.end)
            .group_by(d.kind, d.name, d.owner, d.profile)
            .having(sa.func.sum(d.idle_minutes) > 0)
            .order_by(
                sa.func.sum(d.idle_gpu_minutes).desc(),
                sa.func.sum(d.idle_minutes).desc(),
                d.owner,
                d.name,
            )
            .limit(limit)
        )
        if owner is not None:
            query = query.where(d.owner == owner)
        if kind is not None:
            query = query.where(d.kind == kind.value)
        with self._reading() as connection:
            rows = connection.execute(query).mappings().all()
        return [
            WorkloadSums(
                WorkloadKind(row["kind"]), row["name"], row["owner"], row["profile"], _sums(row)
            )
            for row in rows
        ]


def _text(key: Any) -> str:
    """A day as ``YYYY-MM-DD`` (SQLite may hand back the text, PostgreSQL a date)."""
    return key.isoformat() if isinstance(key, date) else str(key)
