"""The metadata store on SQLite and on the real PostgreSQL: same migrations, same behaviour."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from jupyterlab_mlplat.adapters.sql.catalog import include_object
from jupyterlab_mlplat.adapters.sql.schema import metadata
from jupyterlab_mlplat.adapters.sql.store import (
    MigrationError,
    SqlStore,
    create_engine,
    head_revision,
    migrate,
)
from jupyterlab_mlplat.core.accounts.service import AccountService
from jupyterlab_mlplat.core.kernel.audit import current_request_id
from jupyterlab_mlplat.core.kernel.errors import Unavailable
from jupyterlab_mlplat.core.kernel.identity import Identity, Role


@pytest.fixture
def store(database_url: str) -> SqlStore:
    store = SqlStore.from_url(database_url)
    yield store
    store.close()


def test_migrations_build_exactly_the_schema_the_queries_use(store: SqlStore) -> None:
    with store.engine.connect() as conn:
        # the catalog's search machinery differs per dialect and is tested in tests/catalog
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        assert context.get_current_revision() == head_revision()
        assert compare_metadata(context, metadata) == []


def test_migrating_twice_is_harmless(database_url: str) -> None:
    engine = create_engine(database_url)
    assert migrate(engine) == migrate(engine) == head_revision()
    engine.dispose()


def test_first_sign_in_records_the_user_and_audits_it(store: SqlStore) -> None:
    accounts = AccountService(store)
    alice = Identity("alice", groups=("data-scientists",))

    token = current_request_id.set("req-00000001")
    try:
        user = accounts.sign_in(alice)
    finally:
        current_request_id.reset(token)

    assert user.name == "alice"
    (entry,) = store.audit_entries()
    assert (entry.actor, entry.action, entry.object_id) == ("alice", "user.first_seen", "alice")
    assert entry.request_id == "req-00000001"
    assert entry.at is not None and entry.at.tzinfo is not None


def test_repeated_sign_ins_do_not_write_until_something_changes(store: SqlStore) -> None:
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    clock = [now]
    accounts = AccountService(store, clock=lambda: clock[0])
    rita = Identity("rita", roles=(Role.DATA_SCIENTIST,))
    accounts.sign_in(rita)
    clock[0] = now + timedelta(seconds=30)
    assert accounts.sign_in(rita).last_seen == now  # a poll is not a write

    clock[0] = now + timedelta(minutes=6)
    assert accounts.sign_in(rita).last_seen == now + timedelta(minutes=6)
    assert [e.action for e in store.audit_entries()] == ["user.first_seen"]

    promoted = Identity("rita", roles=(Role.DATA_SCIENTIST, Role.REVIEWER))
    accounts.sign_in(promoted)
    latest = store.audit_entries()[0]
    assert latest.action == "user.roles_changed"
    assert latest.detail == {"before": ["data_scientist"], "after": ["data_scientist", "reviewer"]}
    with store.transaction("rita") as tx:
        record = tx.get_user("rita")
    assert record is not None and record.roles == (Role.DATA_SCIENTIST, Role.REVIEWER)


class FirstRequestsAtOnce:
    """The store, as two first requests of one person reach it at once: the other request
    signs them in completely between this one's look for them and its write."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store

    @contextmanager
    def transaction(self, actor: str) -> Iterator[object]:
        store = self.store

        class Tx:
            def __init__(self, tx: object) -> None:
                self.tx = tx

            def __getattr__(self, name: str) -> object:
                return getattr(self.tx, name)

            def get_user(self, name: str) -> object:
                found = self.tx.get_user(name)  # type: ignore[attr-defined]
                if found is None:
                    other = threading.Thread(
                        target=lambda: AccountService(store).sign_in(Identity(name))
                    )
                    other.start()
                    other.join(30)
                return found

        with store.transaction(actor) as tx:
            yield Tx(tx)


def test_two_first_requests_at_once_record_the_person_and_audit_it_once(
    store: SqlStore,
) -> None:
    """The embedded sidebar's first load sends several requests at once: each found the person
    unknown, and the audit said twice that they were seen first."""
    user = AccountService(FirstRequestsAtOnce(store)).sign_in(Identity("bob"))  # type: ignore[arg-type]
    assert user.name == "bob"
    assert [e.action for e in store.audit_entries()] == ["user.first_seen"]
    with store.transaction("bob") as tx:
        assert tx.get_user("bob") is not None


def test_a_failed_transaction_leaves_no_half_written_change(store: SqlStore) -> None:
    accounts = AccountService(store)
    with pytest.raises(RuntimeError), store.transaction("bob") as tx:
        tx.audit("user.first_seen", "user", "bob")
        raise RuntimeError("crash between the change and the commit")
    assert store.audit_entries() == []
    accounts.sign_in(Identity("bob"))
    assert len(store.audit_entries()) == 1


def test_the_audit_log_is_append_only_in_the_database_itself(store: SqlStore) -> None:
    AccountService(store).sign_in(Identity("alice"))
    for statement in ("UPDATE audit SET actor = 'mallory'", "DELETE FROM audit"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), store.engine.begin() as c:
            c.execute(sa.text(statement))
    assert store.audit_entries()[0].actor == "alice"


def test_an_unknown_schema_revision_refuses_to_start_and_says_why(database_url: str) -> None:
    engine = create_engine(database_url)
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'from_the_future'"))
    with pytest.raises(MigrationError, match=r"'from_the_future'.*does not know"):
        migrate(engine)
    engine.dispose()


def test_an_unreachable_database_is_unavailable_not_a_crash() -> None:
    store = SqlStore(create_engine("postgresql+psycopg://nobody:secret@127.0.0.1:9/none"))
    with pytest.raises(Unavailable) as caught:
        store.ping()
    assert "secret" not in caught.value.message
    with pytest.raises(MigrationError) as refused:
        migrate(store.engine)
    assert "secret" not in str(refused.value)
    assert "127.0.0.1:9" in str(refused.value)


def test_closing_leaves_no_connection_open_and_opens_none(database_url: str) -> None:
    """A request or background pass still holding a connection when the platform stops: its
    connection is closed as it comes back, and nothing opens a new one after (before, each was
    left to the garbage collector, open, and PostgreSQL kept a backend per connection)."""
    store = SqlStore.from_url(database_url)
    with store.engine.connect() as held:
        held.execute(sa.text("SELECT 1"))
        raw = held.connection.dbapi_connection
        store.close()
        held.execute(sa.text("SELECT 1"))  # what was running finishes
    with pytest.raises(store.engine.dialect.dbapi.Error):
        raw.cursor().execute("SELECT 1")
    with pytest.raises(Unavailable, match="closed"):
        store.ping()
