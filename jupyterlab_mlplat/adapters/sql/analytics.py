"""The team figures' reads of the audit log (``core.analytics.teams_ports.TeamActivityLog``,
with ``traffic.py``'s ``traffic_per_day`` and ``people.py``'s ``platform_users``). Mixed into
``SqlStore``; the indexes on ``audit(action, id)`` and ``audit(at)`` serve both queries."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from jupyterlab_mlplat.adapters.sql.part import StorePart
from jupyterlab_mlplat.core.analytics.teams import (
    DECISIONS,
    PUBLICATION_ACTIONS,
    PUBLISHED,
    DayCount,
    PublicationEvent,
)

from .schema import audit

a = audit.c


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


class SqlTeamActivity(StorePart):
    def publication_events(self, since: datetime, until: datetime) -> list[PublicationEvent]:
        concerned = (
            sa.select(a.object_id)
            .where(
                a.object_type == "publication",
                a.action.in_((*DECISIONS, PUBLISHED)),
                a.at >= since,
                a.at < until,
            )
            .distinct()
        )
        query = sa.select(a.object_id, a.actor, a.action, a.at).where(
            a.object_type == "publication",
            a.action.in_(PUBLICATION_ACTIONS),
            a.object_id.in_(concerned),
            a.at < until,
        )
        with self._reading() as connection:
            rows = connection.execute(query).all()
        return [
            PublicationEvent(
                publication=row.object_id, actor=row.actor, action=row.action, at=_utc(row.at)
            )
            for row in rows
        ]

    def actions_per_day(self, action: str, since: datetime, until: datetime) -> list[DayCount]:
        # the day is taken in Python: the databases spell "the UTC date of" differently, and a
        # range holds few such records (a person creates a deployment now and then)
        query = sa.select(a.actor, a.at).where(a.action == action, a.at >= since, a.at < until)
        counts: dict[tuple[str, date], int] = {}
        with self._reading() as connection:
            for row in connection.execute(query):
                key = (row.actor, _utc(row.at).astimezone(UTC).date())
                counts[key] = counts.get(key, 0) + 1
        return [
            DayCount(person=actor, day=day, count=n) for (actor, day), n in sorted(counts.items())
        ]
