"""Live settings' rows: the settings half of the unit of work ``store.py``'s
``_SqlTransaction`` inherits, and the read every use of a setting makes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from jupyterlab_mlplat.adapters.sql.part import StorePart
from jupyterlab_mlplat.core.settings.ports import SettingsTx
from jupyterlab_mlplat.core.settings.records import StoredSetting

from .schema import settings


def _stored(row: Any) -> StoredSetting:
    at: datetime = row["updated_at"]
    value = row["value"]
    return StoredSetting(
        key=row["key"],
        value=value if isinstance(value, int | float) and not isinstance(value, bool) else None,
        revision=int(row["revision"]),
        updated_at=at if at.tzinfo else at.replace(tzinfo=UTC),
        updated_by=row["updated_by"],
    )


class SqlSettingsTx(SettingsTx):
    _conn: sa.Connection

    def setting_for_update(self, key: str) -> StoredSetting | None:
        query = sa.select(settings).where(settings.c.key == key)
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update()  # two admins at once: the second waits, then 409
        row = self._conn.execute(query).mappings().first()
        return _stored(row) if row is not None else None

    def save_setting(self, stored: StoredSetting) -> None:
        values = {
            "value": stored.value,  # None after a reset
            "revision": stored.revision,
            "updated_at": stored.updated_at,
            "updated_by": stored.updated_by,
        }
        updated = self._conn.execute(
            sa.update(settings).where(settings.c.key == stored.key).values(**values)
        )
        if updated.rowcount == 0:
            self._conn.execute(sa.insert(settings).values(key=stored.key, **values))


class SqlSettingsIndex(StorePart):
    def stored_settings(self) -> dict[str, StoredSetting]:
        with self._reading() as connection:
            rows = connection.execute(sa.select(settings)).mappings().all()
        return {row["key"]: _stored(row) for row in rows}
