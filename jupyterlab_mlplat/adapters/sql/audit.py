"""The audit log's reads for the admin console: filtered pages with a total, the export's
batches (keyset on the id, so a long export holds no connection between batches) and the
actions the log holds. Mixed into ``SqlStore``; the log is written by ``store.py``'s unit of
work alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from jupyterlab_mlplat.adapters.sql.part import StorePart
from jupyterlab_mlplat.core.audit.records import AuditFilter
from jupyterlab_mlplat.core.kernel.audit import AuditRecord

from .schema import audit


def audit_record(row: Any) -> AuditRecord:
    at: datetime = row["at"]
    return AuditRecord(
        id=row["id"],
        at=at if at.tzinfo else at.replace(tzinfo=UTC),
        actor=row["actor"],
        action=row["action"],
        object_type=row["object_type"],
        object_id=row["object_id"],
        detail=dict(row["detail"]),
        request_id=row["request_id"],
    )


def _where(filters: AuditFilter) -> list[sa.ColumnElement[bool]]:
    a = audit.c
    found: list[sa.ColumnElement[bool]] = []
    for column, value in (
        (a.actor, filters.actor),
        (a.action, filters.action),
        (a.object_type, filters.object_type),
        (a.object_id, filters.object_id),
    ):
        if value is not None:
            found.append(column == value)
    if filters.since is not None:
        found.append(a.at >= filters.since)
    if filters.until is not None:
        found.append(a.at <= filters.until)
    return found


class SqlAuditIndex(StorePart):
    """``core.audit.ports.AuditLog`` on the store's engine."""

    def audit_page(
        self, filters: AuditFilter, *, offset: int, limit: int
    ) -> tuple[list[AuditRecord], int]:
        where = _where(filters)
        rows = sa.select(audit).where(*where).order_by(audit.c.id.desc())
        count = sa.select(sa.func.count()).select_from(audit).where(*where)
        with self._reading() as connection:
            total = int(connection.execute(count).scalar_one())
            found = connection.execute(rows.offset(offset).limit(limit)).mappings().all()
        return [audit_record(row) for row in found], total

    def audit_batches(self, filters: AuditFilter, *, size: int) -> Iterator[list[AuditRecord]]:
        where = _where(filters)
        below: int | None = None
        while True:
            query = sa.select(audit).where(*where)
            if below is not None:
                query = query.where(audit.c.id < below)
            query = query.order_by(audit.c.id.desc()).limit(size)
            with self._reading() as connection:
                batch = [audit_record(row) for row in connection.execute(query).mappings()]
            if not batch:
                return
            yield batch
            if len(batch) < size:
                return
            below = batch[-1].id

    def audit_actions(self) -> list[str]:
        query = sa.select(audit.c.action).distinct().order_by(audit.c.action)
        with self._reading() as connection:
            return [str(action) for action in connection.execute(query).scalars()]
