"""The metadata store on SQLAlchemy Core: PostgreSQL (psycopg 3) in production, SQLite embedded.

Both run the same Alembic migrations and the same tests. Database failures are translated to the
core's typed errors here, in one table, so nothing above this module knows about SQLAlchemy.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite

from jupyterlab_mlplat.core.accounts.ports import AccountsTx
from jupyterlab_mlplat.core.accounts.records import UserRecord
from jupyterlab_mlplat.core.gitlab.ports import GitLabTx
from jupyterlab_mlplat.core.gitlab.records import StoredToken
from jupyterlab_mlplat.core.kernel.audit import AuditEntry, AuditRecord
from jupyterlab_mlplat.core.kernel.errors import Conflict, PlatformError, Unavailable
from jupyterlab_mlplat.core.kernel.identity import Role
from jupyterlab_mlplat.core.kernel.storage import MetadataStore
from jupyterlab_mlplat.core.profiles.ports import ProfilesTx
from jupyterlab_mlplat.core.profiles.records import StoredProfile
from jupyterlab_mlplat.core.profiles.rules import Profile

from .analytics import SqlTeamActivity
from .apikeys import SqlApiKeysIndex, SqlApiKeysTx
from .audit import SqlAuditIndex, audit_record
from .catalog import SqlCatalogIndex, SqlCatalogTx
from .deployments import SqlDeploymentsIndex, SqlDeploymentsTx
from .drift import SqlDriftIndex, SqlDriftTx
from .instructions import SqlInstructionsIndex, SqlInstructionsTx
from .people import SqlPeopleIndex
from .reviews import SqlReviewsIndex, SqlReviewsTx
from .schema import audit, gitlab_tokens, profiles, users
from .settings import SqlSettingsIndex, SqlSettingsTx
from .traffic import SqlTrafficIndex, SqlTrafficTx
from .usage import SqlUsageIndex, SqlUsageTx

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")

#: how database failures reach the core; anything not listed is a bug and stays unexpected
ERROR_TABLE: tuple[tuple[type[Exception], type[PlatformError], str], ...] = (
    (sa_exc.IntegrityError, Conflict, "That record changed or already exists; reload and retry."),
    (sa_exc.OperationalError, Unavailable, "The metadata database is not answering."),
    (sa_exc.InterfaceError, Unavailable, "The metadata database connection was lost."),
)


class MigrationError(RuntimeError):
    """The database is not at a schema this code can run on; the platform must not start."""


def _translate(err: Exception) -> PlatformError | None:
    for source, target, message in ERROR_TABLE:
        if isinstance(err, source):
            return target(message)
    return None


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we write is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def redact_url(url: str) -> str:
    """The URL for logs and error messages: never with its password."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def create_engine(url: str) -> sa.Engine:
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        # The platform runs queries in a thread pool; SQLite's same-thread check would refuse.
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 15}
    else:
        kwargs.update(pool_size=5, max_overflow=5, pool_recycle=1800)
    engine = sa.create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    return engine


def _alembic_config(connection: sa.Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no head revision"
    return head


def migrate(engine: sa.Engine) -> str:
    """Bring the schema to the newest revision; refuse with a reason a person can act on."""
    script = ScriptDirectory.from_config(_alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    try:
        with engine.begin() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            if current is not None and current not in known:
                raise MigrationError(
                    f"the database at {redact_url(str(engine.url))} is at schema revision "
                    f"{current!r}, which this version of jupyterlab-mlplat does not know "
                    "(was it migrated by a newer release?). Upgrade jupyterlab-mlplat or "
                    "point it at the right database."
                )
            command.upgrade(_alembic_config(connection), "head")
            return head_revision()
    except MigrationError:
        raise
    except sa_exc.SQLAlchemyError as err:
        reason = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
        raise MigrationError(
            f"migrating the database at {redact_url(str(engine.url))} failed: {reason}"
        ) from err


class _SqlTransaction(
    AccountsTx,
    ProfilesTx,
    GitLabTx,
    SqlCatalogTx,
    SqlReviewsTx,
    SqlApiKeysTx,
    SqlDeploymentsTx,
    SqlDriftTx,
    SqlInstructionsTx,
    SqlSettingsTx,
    SqlTrafficTx,
    SqlUsageTx,
):
    """One database transaction; it implements the unit of work of every feature."""

    def __init__(self, connection: sa.Connection, actor: str = "system") -> None:
        super().__init__(actor)
        self._conn = connection

    def get_user(self, name: str) -> UserRecord | None:
        row = self._conn.execute(sa.select(users).where(users.c.name == name)).mappings().first()
        if row is None:
            return None
        return UserRecord(
            name=row["name"],
            roles=tuple(Role(r) for r in row["roles"] if r in Role.__members__.values()),
            groups=tuple(row["groups"]),
            first_seen=_utc(row["first_seen"]),
            last_seen=_utc(row["last_seen"]),
        )

    def add_user(self, user: UserRecord) -> bool:
        dialect = self._conn.dialect.name
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(users)
        added = self._conn.execute(
            insert.values(
                name=user.name,
                roles=[str(r) for r in user.roles],
                groups=list(user.groups),
                first_seen=user.first_seen,
                last_seen=user.last_seen,
            )
            .on_conflict_do_nothing(index_elements=[users.c.name])
            .returning(users.c.name)  # (psycopg's rowcount says -1 here)
        )
        return added.first() is not None

    def save_user(self, user: UserRecord) -> None:
        values = {
            "roles": [str(r) for r in user.roles],
            "groups": list(user.groups),
            "first_seen": user.first_seen,
            "last_seen": user.last_seen,
        }
        updated = self._conn.execute(
            sa.update(users).where(users.c.name == user.name).values(**values)
        )
        if updated.rowcount == 0:
            self._conn.execute(sa.insert(users).values(name=user.name, **values))

    def append_audit(self, entry: AuditEntry) -> None:
        self._conn.execute(
            sa.insert(audit).values(
                at=datetime.now(UTC),
                actor=entry.actor,
                action=entry.action,
                object_type=entry.object_type,
                object_id=entry.object_id,
                detail=entry.detail,
                request_id=entry.request_id,
            )
        )

    def list_profiles(self) -> list[StoredProfile]:
        rows = self._conn.execute(sa.select(profiles)).mappings().all()
        return [_stored_profile(row) for row in rows]

    def get_profile(self, slug: str) -> StoredProfile | None:
        query = sa.select(profiles).where(profiles.c.slug == slug)
        if self._conn.dialect.name == "postgresql":
            query = query.with_for_update()  # two admins saving at once: the second waits
        row = self._conn.execute(query).mappings().first()
        return _stored_profile(row) if row else None

    def save_profile(self, stored: StoredProfile) -> None:
        values = {
            "document": stored.profile.model_dump(mode="json"),
            "revision": stored.revision,
            "updated_at": stored.updated_at,
            "updated_by": stored.updated_by,
        }
        slug = stored.profile.slug
        updated = self._conn.execute(
            sa.update(profiles).where(profiles.c.slug == slug).values(**values)
        )
        if updated.rowcount == 0:
            self._conn.execute(sa.insert(profiles).values(slug=slug, **values))

    def delete_profile(self, slug: str) -> None:
        self._conn.execute(sa.delete(profiles).where(profiles.c.slug == slug))

    def save_gitlab_token(self, stored: StoredToken) -> None:
        self._conn.execute(sa.delete(gitlab_tokens).where(gitlab_tokens.c.user_name == stored.user))
        self._conn.execute(
            sa.insert(gitlab_tokens).values(
                user_name=stored.user,
                ciphertext=stored.ciphertext,
                gitlab_username=stored.gitlab_username,
                hint=stored.hint,
                saved_at=stored.saved_at,
            )
        )

    def delete_gitlab_token(self, user: str) -> bool:
        deleted = self._conn.execute(
            sa.delete(gitlab_tokens).where(gitlab_tokens.c.user_name == user)
        )
        return bool(deleted.rowcount)

    def gitlab_token(self, user: str) -> StoredToken | None:
        query = sa.select(gitlab_tokens).where(gitlab_tokens.c.user_name == user)
        row = self._conn.execute(query).mappings().first()
        if row is None:
            return None
        return StoredToken(
            user=row["user_name"],
            ciphertext=bytes(row["ciphertext"]),
            gitlab_username=row["gitlab_username"],
            hint=row["hint"],
            saved_at=_utc(row["saved_at"]),
        )


def _stored_profile(row: Any) -> StoredProfile:
    return StoredProfile(
        profile=Profile.model_validate(row["document"]),
        revision=row["revision"],
        updated_at=_utc(row["updated_at"]),
        updated_by=row["updated_by"],
    )


class SqlStore(
    SqlCatalogIndex,
    SqlReviewsIndex,
    SqlApiKeysIndex,
    SqlDeploymentsIndex,
    SqlDriftIndex,
    SqlInstructionsIndex,
    SqlAuditIndex,
    SqlSettingsIndex,
    SqlPeopleIndex,
    SqlTrafficIndex,
    SqlTeamActivity,
    SqlUsageIndex,
    MetadataStore,
):
    """Every feature's store port on a SQLAlchemy engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        #: reads outside a unit of work: each statement commits itself. On PostgreSQL that
        #: spares every read a BEGIN and, as its connection goes back to the pool, a ROLLBACK:
        #: two of its three trips to the database (the third is the pool's ping). A read of
        #: several statements sees what it saw in a transaction: under READ COMMITTED each
        #: statement has its own snapshot either way.
        self._reads = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._closed = False
        sa.event.listen(engine, "checkin", self._close_when_closed)
        sa.event.listen(engine, "connect", self._refuse_when_closed)

    def _close_when_closed(self, dbapi_connection: Any, _record: Any) -> None:
        """A connection a thread still held when the store closed is closed as it comes back
        (``dispose`` closes only the idle ones; the rest would be left to the garbage
        collector, open)."""
        if self._closed and dbapi_connection is not None:
            dbapi_connection.close()

    def _refuse_when_closed(self, dbapi_connection: Any, _record: Any) -> None:
        """No new connection once closed: a request or background pass still running while
        the platform stops is told so instead of opening a connection nobody will close."""
        if self._closed:
            dbapi_connection.close()
            raise Unavailable("The metadata database is closed: the platform is stopping.")

    @classmethod
    def from_url(cls, url: str, *, upgrade: bool = True) -> SqlStore:
        engine = create_engine(url)
        if upgrade:
            migrate(engine)
        return cls(engine)

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except sa_exc.SQLAlchemyError as err:
            translated = _translate(err)
            if translated is None:
                raise
            log.warning("database error mapped to %s: %s", translated.reason, type(err).__name__)
            raise translated from err

    @contextmanager
    def _reading(self) -> Iterator[sa.Connection]:
        with self._translated(), self._reads.connect() as connection:
            yield connection

    def ping(self) -> None:
        with self._reading() as connection:
            connection.execute(sa.text("SELECT 1"))

    @contextmanager
    def transaction(self, actor: str) -> Iterator[_SqlTransaction]:
        with self._translated(), self.engine.begin() as connection:
            yield _SqlTransaction(connection, actor)

    def audit_entries(self, *, limit: int = 100) -> list[AuditRecord]:
        query = sa.select(audit).order_by(audit.c.id.desc()).limit(limit)
        with self._reading() as connection:
            rows = connection.execute(query).mappings().all()
        return [audit_record(row) for row in rows]

    def profiles(self) -> list[StoredProfile]:
        with self._reading() as connection:
            return _SqlTransaction(connection).list_profiles()

    def gitlab_token(self, user: str) -> StoredToken | None:
        with self._reading() as connection:
            return _SqlTransaction(connection).gitlab_token(user)

    def close(self) -> None:
        self._closed = True
        self.engine.dispose()
