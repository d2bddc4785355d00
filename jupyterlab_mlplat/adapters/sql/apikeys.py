"""API keys in the metadata database: the keys unit of work the one ``_SqlTransaction`` of
``store.py`` inherits, and the reads outside a transaction (the check's lookup by prefix). Who
owns a deployment is the deployments' store's to say (``SqlDeploymentsIndex.owner_of``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from jupyterlab_mlplat.adapters.sql.part import StorePart
from jupyterlab_mlplat.core.apikeys.ports import ApiKeysTx
from jupyterlab_mlplat.core.apikeys.records import ApiKey, KeyScopes, StoredKey

from .schema import api_keys

#: the first key of the keys' advisory locks on PostgreSQL (the migration that made the table)
_LOCK_FEATURE = 6
#: every column but the digest, which only the check reads
_PUBLIC = [column for column in api_keys.c if column.name != "digest"]


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _key(row: Any) -> ApiKey:
    created = _utc(row["created_at"])
    assert created is not None
    return ApiKey(
        id=int(row["id"]),
        prefix=row["prefix"],
        owner=row["owner"],
        name=row["name"],
        scopes=KeyScopes(
            deployments=tuple(row["deployments"]), catalog_read=bool(row["catalog_read"])
        ),
        created_at=created,
        expires_at=_utc(row["expires_at"]),
        revoked_at=_utc(row["revoked_at"]),
        last_used_at=_utc(row["last_used_at"]),
        last_used_from=row["last_used_from"],
        rate_limit=float(row["rate_limit"]),
        replaced_by=row["replaced_by"],
    )


def _read(conn: sa.Connection, key_id: int) -> ApiKey | None:
    row = conn.execute(sa.select(*_PUBLIC).where(api_keys.c.id == key_id)).mappings().first()
    return _key(row) if row is not None else None


class SqlApiKeysTx(ApiKeysTx):
    """The API keys half of the SQL unit of work; ``_conn`` is the transaction's connection."""

    _conn: sa.Connection

    def insert_api_key(
        self,
        *,
        prefix: str,
        digest: str,
        name: str,
        scopes: KeyScopes,
        created_at: datetime,
        expires_at: datetime | None,
        rate_limit: float,
    ) -> ApiKey:
        result = self._conn.execute(
            sa.insert(api_keys).values(
                prefix=prefix,
                digest=digest,
                owner=self.actor,
                name=name,
                deployments=list(scopes.deployments),
                catalog_read=scopes.catalog_read,
                rate_limit=rate_limit,
                created_at=created_at,
                expires_at=expires_at,
            )
        )
        (new_id,) = result.inserted_primary_key or (None,)
        assert new_id is not None
        return ApiKey(
            id=int(new_id),
            prefix=prefix,
            owner=self.actor,
            name=name,
            scopes=scopes,
            created_at=created_at,
            expires_at=expires_at,
            rate_limit=rate_limit,
        )

    def api_key_for_update(self, key_id: int) -> ApiKey | None:
        if self._conn.dialect.name == "postgresql":
            self._conn.execute(
                sa.select(api_keys.c.id).where(api_keys.c.id == key_id).with_for_update()
            )
        else:  # take SQLite's write lock before reading, so the read is the newest
            self._conn.execute(
                sa.update(api_keys).where(api_keys.c.id == key_id).values(name=api_keys.c.name)
            )
        return _read(self._conn, key_id)

    def prefix_taken(self, prefix: str) -> bool:
        query = sa.select(api_keys.c.id).where(api_keys.c.prefix == prefix)
        return self._conn.execute(query).first() is not None

    def lock_keys_of(self, owner: str) -> None:
        if self._conn.dialect.name == "postgresql":
            # a lock of the owner's name for this transaction (rows not yet inserted cannot
            # be locked); the first number keeps it apart from other features' locks
            self._conn.execute(
                sa.text("SELECT pg_advisory_xact_lock(:feature, hashtext(:owner))"),
                {"feature": _LOCK_FEATURE, "owner": owner},
            )
        else:  # SQLite: a write takes the database's write lock until the transaction ends
            self._conn.execute(
                sa.update(api_keys).where(api_keys.c.owner == owner).values(name=api_keys.c.name)
            )

    def active_key_count(self, owner: str, now: datetime) -> int:
        query = (
            sa.select(sa.func.count())
            .select_from(api_keys)
            .where(
                api_keys.c.owner == owner,
                api_keys.c.revoked_at.is_(None),
                api_keys.c.replaced_by.is_(None),
                sa.or_(api_keys.c.expires_at.is_(None), api_keys.c.expires_at > now),
            )
        )
        return int(self._conn.execute(query).scalar_one())

    def revoke_api_key(self, key_id: int, at: datetime) -> None:
        self._conn.execute(sa.update(api_keys).where(api_keys.c.id == key_id).values(revoked_at=at))

    def replace_api_key(self, key_id: int, replaced_by: int, expires_at: datetime) -> None:
        self._conn.execute(
            sa.update(api_keys)
            .where(api_keys.c.id == key_id)
            .values(replaced_by=replaced_by, expires_at=expires_at)
        )


class SqlApiKeysIndex(StorePart):
    """The keys' reads outside a transaction (``ApiKeysStore``); mixed into ``SqlStore``."""

    def api_keys(self, owner: str | None) -> list[ApiKey]:
        query = sa.select(*_PUBLIC).order_by(api_keys.c.id.desc())
        if owner is not None:
            query = query.where(api_keys.c.owner == owner)
        with self._reading() as connection:
            return [_key(row) for row in connection.execute(query).mappings()]

    def api_key(self, key_id: int) -> ApiKey | None:
        with self._reading() as connection:
            return _read(connection, key_id)

    def api_key_by_prefix(self, prefix: str) -> StoredKey | None:
        query = sa.select(api_keys).where(api_keys.c.prefix == prefix)
        with self._reading() as connection:
            row = connection.execute(query).mappings().first()
        return StoredKey(_key(row), row["digest"]) if row is not None else None

    def record_key_use(self, key_id: int, at: datetime, address: str, before: datetime) -> None:
        query = (
            sa.update(api_keys)
            .where(
                api_keys.c.id == key_id,
                sa.or_(api_keys.c.last_used_at.is_(None), api_keys.c.last_used_at <= before),
            )
            .values(last_used_at=at, last_used_from=address)
        )
        with self._translated(), self.engine.begin() as connection:
            connection.execute(query)
