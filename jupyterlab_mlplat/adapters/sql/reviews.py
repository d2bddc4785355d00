"""Publications, their steps and notifications in the metadata database, and the reviews unit of
work the one ``_SqlTransaction`` of ``store.py`` inherits.

A publication is locked before it is read inside a transaction — ``SELECT … FOR UPDATE`` on
PostgreSQL; on SQLite a no-op write first, which takes the database's write lock, so the read
that follows sees the newest commit — and every change is a compare-and-set on its revision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from jupyterlab_mlplat.adapters.sql.part import StorePart
from jupyterlab_mlplat.core.reviews.ports import ReviewsTx
from jupyterlab_mlplat.core.reviews.records import (
    Action,
    CodeDiff,
    NewNotification,
    Notification,
    NotificationKind,
    Publication,
    Snapshot,
    State,
    Step,
    VersionFacts,
)

from .schema import notifications, publication_steps, publications


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def snapshot_json(snapshot: Snapshot) -> dict[str, Any]:
    facts, diff = snapshot.facts, snapshot.diff
    return {
        "facts": {
            "model_name": facts.model_name,
            "version": facts.version,
            "source": facts.source,
            "owner": facts.owner,
            "run_id": facts.run_id,
            "run_name": facts.run_name,
            "experiment_id": facts.experiment_id,
            "signature": facts.signature,
            "input_example": facts.input_example,
            "flavors": list(facts.flavors),
            "framework": facts.framework,
            "task": facts.task,
            "params": dict(facts.params),
            "metrics": dict(facts.metrics),
            "notebook": facts.notebook,
            "commit": facts.commit,
            "repository": facts.repository,
        },
        "diff": None
        if diff is None
        else {
            "base_commit": diff.base_commit,
            "head_commit": diff.head_commit,
            "text": diff.text,
            "computed_by": diff.computed_by,
        },
        "taken_at": snapshot.taken_at.isoformat(),
    }


def snapshot_of(data: Mapping[str, Any] | None) -> Snapshot | None:
    if not data:
        return None
    facts = dict(data["facts"])
    facts["flavors"] = tuple(facts.get("flavors") or ())
    diff = data.get("diff")
    return Snapshot(
        facts=VersionFacts(**facts),
        diff=CodeDiff(**diff) if diff else None,
        taken_at=_utc(datetime.fromisoformat(data["taken_at"])),
    )


def _publication(row: Any, steps: Sequence[Step] = ()) -> Publication:
    return Publication(
        id=row["id"],
        model_name=row["model_name"],
        version=row["version"],
        author=row["author"],
        team=row["team"],
        state=State(row["state"]),
        revision=row["revision"],
        card=dict(row["card"]),
        round=row["round"],
        snapshot=snapshot_of(row["snapshot"]) if "snapshot" in row else None,
        created_at=_utc(row["created_at"]),
        updated_at=_utc(row["updated_at"]),
        updated_by=row["updated_by"],
        last_action=Action(row["last_action"]),
        publish_error=row["publish_error"],
        catalog_version=row["catalog_version"],
        champion=bool(row["champion"]),
        steps=tuple(steps),
    )


def _step(row: Any) -> Step:
    return Step(
        id=row["id"],
        publication_id=row["publication_id"],
        round=row["round"],
        actor=row["actor"],
        action=Action(row["action"]),
        comment=row["comment"],
        at=_utc(row["at"]),
        state=State(row["state"]),
    )


def read_publication(conn: sa.Connection, publication_id: int) -> Publication | None:
    row = (
        conn.execute(sa.select(publications).where(publications.c.id == publication_id))
        .mappings()
        .first()
    )
    if row is None:
        return None
    steps = conn.execute(
        sa.select(publication_steps)
        .where(publication_steps.c.publication_id == publication_id)
        .order_by(publication_steps.c.id)
    ).mappings()
    return _publication(row, [_step(s) for s in steps])


def list_publications(
    conn: sa.Connection,
    *,
    states: Sequence[State] = (),
    author: str | None = None,
    model_name: str | None = None,
    limit: int = 200,
    oldest_first: bool = False,
) -> list[Publication]:
    # a list never needs the snapshot (the code diff alone may be 400 KB a row): reading and
    # parsing it for every row made a queue of a few hundred submissions slow
    query = sa.select(*(c for c in publications.c if c.name != "snapshot"))
    if states:
        query = query.where(publications.c.state.in_([str(s) for s in states]))
    if author is not None:
        query = query.where(publications.c.author == author)
    if model_name is not None:
        query = query.where(publications.c.model_name == model_name)
    if oldest_first:
        query = query.order_by(publications.c.updated_at, publications.c.id)
    else:
        query = query.order_by(publications.c.updated_at.desc(), publications.c.id.desc())
    return [_publication(row) for row in conn.execute(query.limit(limit)).mappings()]


def list_notifications(
    conn: sa.Connection, user: str, roles: Sequence[str], *, after: int, limit: int
) -> list[Notification]:
    n = notifications.c
    mine = n.recipient == user
    if roles:
        mine = sa.or_(mine, sa.and_(n.recipient_role.in_(list(roles)), n.actor != user))
    query = sa.select(notifications).where(mine, n.id > after).order_by(n.id).limit(limit)
    return [
        Notification(
            id=row["id"],
            recipient=row["recipient"],
            recipient_role=row["recipient_role"],
            kind=NotificationKind(row["kind"]),
            publication_id=row["publication_id"],
            model_name=row["model_name"],
            version=row["version"],
            actor=row["actor"],
            action=Action(row["action"]) if row["action"] is not None else None,
            comment=row["comment"],
            at=_utc(row["at"]),
            deployment=row["deployment"],
            workspace=row["workspace"],
        )
        for row in conn.execute(query).mappings()
    ]


class SqlReviewsTx(ReviewsTx):
    """The reviews half of the SQL unit of work; ``_conn`` is the transaction's connection."""

    _conn: sa.Connection

    def insert_publication(
        self, model_name: str, version: str, card: Mapping[str, Any], team: str, at: datetime
    ) -> int:
        name = card.get("catalog_name") or None
        result = self._conn.execute(
            sa.insert(publications).values(
                model_name=model_name,
                version=version,
                author=self.actor,
                team=team,
                state=str(State.DRAFT),
                revision=1,
                card=dict(card),
                catalog_name=name,
                round=0,
                snapshot=None,
                created_at=at,
                updated_at=at,
                updated_by=self.actor,
                last_action=str(Action.CREATE),
                publish_error=None,
                catalog_version=None,
                champion=False,
            )
        )
        (new_id,) = result.inserted_primary_key or (None,)
        assert new_id is not None
        return int(new_id)

    def get_publication(self, publication_id: int) -> Publication | None:
        if self._conn.dialect.name == "postgresql":
            self._conn.execute(
                sa.select(publications.c.id)
                .where(publications.c.id == publication_id)
                .with_for_update()
            )
        else:  # take SQLite's write lock before reading, so the read is the newest
            self._conn.execute(
                sa.update(publications)
                .where(publications.c.id == publication_id)
                .values(revision=publications.c.revision)
            )
        return read_publication(self._conn, publication_id)

    def open_publication(self, model_name: str, version: str) -> Publication | None:
        row = (
            self._conn.execute(
                sa.select(publications.c.id).where(
                    publications.c.model_name == model_name,
                    publications.c.version == version,
                    publications.c.state != str(State.REJECTED),
                )
            )
            .scalars()
            .first()
        )
        return read_publication(self._conn, row) if row is not None else None

    def update_publication(
        self,
        publication_id: int,
        *,
        expected_revision: int,
        state: State,
        action: Action,
        at: datetime,
        card: Mapping[str, Any] | None = None,
        round: int | None = None,
        snapshot: Snapshot | None = None,
        publish_error: str | None = None,
        catalog_version: str | None = None,
    ) -> bool:
        values: dict[str, Any] = {
            "state": str(state),
            "revision": expected_revision + 1,
            "updated_at": at,
            "updated_by": self.actor,
            "last_action": str(action),
            "publish_error": publish_error,
        }
        if card is not None:
            values["card"] = dict(card)
            values["catalog_name"] = card.get("catalog_name") or None
        if round is not None:
            values["round"] = round
        if snapshot is not None:
            values["snapshot"] = snapshot_json(snapshot)
        if catalog_version is not None:
            values["catalog_version"] = catalog_version
        updated = self._conn.execute(
            sa.update(publications)
            .where(
                publications.c.id == publication_id,
                publications.c.revision == expected_revision,
            )
            .values(**values)
        )
        return updated.rowcount == 1

    def add_step(
        self, publication: Publication, action: Action, state: State, comment: str, at: datetime
    ) -> None:
        self._conn.execute(
            sa.insert(publication_steps).values(
                publication_id=publication.id,
                round=publication.round,
                actor=self.actor,
                action=str(action),
                state=str(state),
                comment=comment,
                at=at,
            )
        )

    def champion(self, catalog_name: str) -> Publication | None:
        found = (
            self._conn.execute(
                sa.select(publications.c.id).where(
                    publications.c.catalog_name == catalog_name,
                    publications.c.champion.is_(True),
                )
            )
            .scalars()
            .first()
        )
        return read_publication(self._conn, found) if found is not None else None

    def set_champion(self, catalog_name: str, publication_id: int) -> None:
        self._conn.execute(
            sa.update(publications)
            .where(publications.c.catalog_name == catalog_name, publications.c.champion.is_(True))
            .values(champion=False)
        )
        self._conn.execute(
            sa.update(publications).where(publications.c.id == publication_id).values(champion=True)
        )

    def notify(self, notes: Sequence[NewNotification], at: datetime) -> None:
        if not notes:
            return
        self._conn.execute(
            sa.insert(notifications),
            [
                {
                    "recipient": note.recipient,
                    "recipient_role": note.recipient_role,
                    "kind": str(note.kind),
                    "publication_id": note.publication_id,
                    "model_name": note.model_name,
                    "version": note.version,
                    "actor": self.actor,
                    "action": str(note.action) if note.action is not None else None,
                    "deployment": note.deployment,
                    "workspace": note.workspace,
                    "comment": note.comment,
                    "at": at,
                }
                for note in notes
            ],
        )


class SqlReviewsIndex(StorePart):
    """The reviews' reads outside a transaction (``ReviewsStore``); mixed into ``SqlStore``."""

    def publication(self, publication_id: int) -> Publication | None:
        with self._reading() as connection:
            return read_publication(connection, publication_id)

    def publications(
        self,
        *,
        states: Sequence[State] = (),
        author: str | None = None,
        model_name: str | None = None,
        limit: int = 200,
        oldest_first: bool = False,
    ) -> list[Publication]:
        with self._reading() as connection:
            return list_publications(
                connection,
                states=states,
                author=author,
                model_name=model_name,
                limit=limit,
                oldest_first=oldest_first,
            )

    def notifications(
        self, user: str, roles: Sequence[str], *, after: int, limit: int
    ) -> list[Notification]:
        with self._reading() as connection:
            return list_notifications(connection, user, roles, after=after, limit=limit)
