"""Everybody the platform has served (the ``users`` table the accounts service keeps), for the
admin console's people view. Mixed into ``SqlStore``."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from jupyterlab_mlplat.adapters.sql.part import StorePart
from jupyterlab_mlplat.core.accounts.records import UserRecord
from jupyterlab_mlplat.core.kernel.identity import Role

from .schema import users


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class SqlPeopleIndex(StorePart):
    def platform_users(self) -> list[UserRecord]:
        known = {str(role) for role in Role}
        with self._reading() as connection:
            rows = connection.execute(sa.select(users).order_by(users.c.name)).mappings().all()
        return [
            UserRecord(
                name=row["name"],
                roles=tuple(Role(r) for r in row["roles"] if r in known),
                groups=tuple(row["groups"]),
                first_seen=_utc(row["first_seen"]),
                last_seen=_utc(row["last_seen"]),
            )
            for row in rows
        ]
