"""Instruction articles, their revisions, images, readers' progress and the starter set's ledger
in the metadata database, and the instructions unit of work ``store.py``'s ``_SqlTransaction``
inherits.

An article's content (both languages, its tasks) is one JSON document: it is read and written
whole, and every revision keeps a copy, so nothing saved is ever overwritten. An article is
locked before it is read inside a transaction (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite
a no-op write first, which takes the database's write lock, so the read that follows sees the
newest commit), and every change is a compare-and-set on its revision. Search is
``fulltext.py``'s, as the catalog's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from jupyterlab_mlplat.adapters.sql.part import StorePart
from jupyterlab_mlplat.core.instructions.ports import InstructionsTx
from jupyterlab_mlplat.core.instructions.records import (
    Article,
    ArticleContent,
    ArticleState,
    Audience,
    Image,
    ImageKind,
    NotebookInfo,
    Revision,
    RevisionAction,
    Task,
    Text,
)
from jupyterlab_mlplat.core.kernel.search import Term

from .fulltext import FullText
from .schema import (
    instruction_articles,
    instruction_images,
    instruction_progress,
    instruction_revisions,
    instruction_seeds,
)

#: the search machinery of migration 0010: the title ranks above the rest
SEARCH = FullText(instruction_articles, "instruction_fts", (10.0, 1.0))


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _text(data: Any) -> Text:
    data = data if isinstance(data, Mapping) else {}
    return Text(str(data.get("en", "")), str(data.get("ru", "")))


def _text_json(text: Text) -> dict[str, str]:
    return {"en": text.en, "ru": text.ru}


def content_json(content: ArticleContent) -> dict[str, Any]:
    return {
        "title": _text_json(content.title),
        "summary": _text_json(content.summary),
        "introduction": _text_json(content.introduction),
        "tasks": [
            {
                "key": t.key,
                "title": _text_json(t.title),
                "body": _text_json(t.body),
                "check": _text_json(t.check),
                "help": _text_json(t.help),
            }
            for t in content.tasks
        ],
        "conclusion": _text_json(content.conclusion),
        "next_article": content.next_article,
        "minutes": content.minutes,
        "position": content.position,
        "audience": str(content.audience),
        "groups": list(content.groups),
        "profiles": list(content.profiles),
    }


def content_of(data: Mapping[str, Any]) -> ArticleContent:
    return ArticleContent(
        title=_text(data.get("title")),
        summary=_text(data.get("summary")),
        introduction=_text(data.get("introduction")),
        tasks=tuple(
            Task(
                key=str(t.get("key", "")),
                title=_text(t.get("title")),
                body=_text(t.get("body")),
                check=_text(t.get("check")),
                help=_text(t.get("help")),
            )
            for t in data.get("tasks", ())
        ),
        conclusion=_text(data.get("conclusion")),
        next_article=data.get("next_article"),
        minutes=int(data.get("minutes", 10)),
        position=int(data.get("position", 0)),
        audience=Audience(data.get("audience", Audience.EVERYONE)),
        groups=tuple(data.get("groups", ())),
        profiles=tuple(data.get("profiles", ())),
    )


def _notebook(data: Mapping[str, Any] | None) -> NotebookInfo | None:
    if not data:
        return None
    return NotebookInfo(
        name=str(data["name"]),
        size=int(data["size"]),
        uploaded_by=str(data["uploaded_by"]),
        uploaded_at=_utc(datetime.fromisoformat(data["uploaded_at"])),
    )


def _article(row: Any) -> Article:
    published = row["published_at"]
    return Article(
        id=row["id"],
        slug=row["slug"],
        state=ArticleState(row["state"]),
        content=content_of(row["content"]),
        revision=row["revision"],
        created_at=_utc(row["created_at"]),
        created_by=row["created_by"],
        updated_at=_utc(row["updated_at"]),
        updated_by=row["updated_by"],
        published_at=_utc(published) if published is not None else None,
        notebook=_notebook(row["notebook"]),
        starter=bool(row["starter"]),
    )


def _revision(slug: str, row: Any) -> Revision:
    return Revision(
        article=slug,
        number=row["number"],
        action=RevisionAction(row["action"]),
        by=row["by"],
        at=_utc(row["at"]),
        changed=tuple(row["changed"]),
        state=ArticleState(row["state"]),
        content=content_of(row["content"]),
    )


def _image(slug: str, row: Any) -> Image:
    return Image(
        id=row["image_id"],
        article=slug,
        kind=ImageKind(row["kind"]),
        width=row["width"],
        height=row["height"],
        size=row["size"],
        uploaded_by=row["uploaded_by"],
        uploaded_at=_utc(row["uploaded_at"]),
    )


_ARTICLE_COLUMNS = [
    c for c in instruction_articles.c if c.name not in ("search_title", "search_body")
]


def _select_articles() -> sa.Select[Any]:
    return sa.select(*_ARTICLE_COLUMNS)


def read_article(conn: sa.Connection, slug: str) -> Article | None:
    row = (
        conn.execute(_select_articles().where(instruction_articles.c.slug == slug))
        .mappings()
        .first()
    )
    return _article(row) if row is not None else None


class SqlInstructionsTx(InstructionsTx):
    """The instructions half of the SQL unit of work; ``_conn`` is the transaction's
    connection."""

    _conn: sa.Connection

    def get_article(self, slug: str) -> Article | None:
        where = instruction_articles.c.slug == slug
        if self._conn.dialect.name == "postgresql":
            self._conn.execute(sa.select(instruction_articles.c.id).where(where).with_for_update())
        else:  # take SQLite's write lock before reading, so the read is the newest
            self._conn.execute(
                sa.update(instruction_articles)
                .where(where)
                .values(revision=instruction_articles.c.revision)
            )
        return read_article(self._conn, slug)

    def slug_at_position(self, position: int) -> str | None:
        query = sa.select(instruction_articles.c.slug).where(
            instruction_articles.c.position == position
        )
        return self._conn.execute(query).scalars().first()

    def max_position(self) -> int:
        found = self._conn.execute(sa.select(sa.func.max(instruction_articles.c.position)))
        value = found.scalar()
        return -1 if value is None else int(value)

    def insert_article(
        self,
        slug: str,
        content: ArticleContent,
        *,
        state: ArticleState,
        search_title: str,
        search_body: str,
        at: datetime,
        starter: bool = False,
    ) -> Article:
        self._conn.execute(
            sa.insert(instruction_articles).values(
                slug=slug,
                state=str(state),
                position=content.position,
                content=content_json(content),
                search_title=search_title,
                search_body=search_body,
                revision=1,
                created_at=at,
                created_by=self.actor,
                updated_at=at,
                updated_by=self.actor,
                published_at=at if state is ArticleState.PUBLISHED else None,
                notebook=None,
                starter=starter,
            )
        )
        found = read_article(self._conn, slug)
        assert found is not None
        return found

    def update_article(
        self,
        article: Article,
        *,
        expected_revision: int,
        content: ArticleContent,
        state: ArticleState,
        search_title: str,
        search_body: str,
        at: datetime,
        published_at: datetime | None,
    ) -> Article | None:
        table = instruction_articles
        updated = self._conn.execute(
            sa.update(table)
            .where(table.c.id == article.id, table.c.revision == expected_revision)
            .values(
                state=str(state),
                position=content.position,
                content=content_json(content),
                search_title=search_title,
                search_body=search_body,
                revision=expected_revision + 1,
                updated_at=at,
                updated_by=self.actor,
                published_at=published_at,
            )
        )
        if updated.rowcount != 1:
            return None
        return read_article(self._conn, article.slug)

    def delete_article(self, article: Article) -> None:
        # the children first: SQLite enforces ON DELETE CASCADE only with its pragma on
        for table in (instruction_revisions, instruction_images, instruction_progress):
            self._conn.execute(sa.delete(table).where(table.c.article_id == article.id))
        self._conn.execute(
            sa.delete(instruction_articles).where(instruction_articles.c.id == article.id)
        )

    def add_revision(
        self, article: Article, action: RevisionAction, changed: Sequence[str]
    ) -> None:
        self._conn.execute(
            sa.insert(instruction_revisions).values(
                article_id=article.id,
                number=article.revision,
                action=str(action),
                by=self.actor,
                at=article.updated_at,
                changed=list(changed),
                state=str(article.state),
                content=content_json(article.content),
            )
        )

    def set_notebook(self, article: Article, notebook: NotebookInfo | None) -> None:
        value = None
        if notebook is not None:
            value = {
                "name": notebook.name,
                "size": notebook.size,
                "uploaded_by": notebook.uploaded_by,
                "uploaded_at": notebook.uploaded_at.isoformat(),
            }
        self._conn.execute(
            sa.update(instruction_articles)
            .where(instruction_articles.c.id == article.id)
            .values(notebook=value)
        )

    def save_image(self, image: Image, article: Article) -> bool:
        table = instruction_images
        exists = self._conn.execute(
            sa.select(table.c.image_id).where(
                table.c.article_id == article.id, table.c.image_id == image.id
            )
        ).first()
        if exists is not None:
            return False
        self._conn.execute(
            sa.insert(table).values(
                article_id=article.id,
                image_id=image.id,
                kind=str(image.kind),
                width=image.width,
                height=image.height,
                size=image.size,
                uploaded_by=image.uploaded_by,
                uploaded_at=image.uploaded_at,
            )
        )
        return True

    def set_progress(self, user: str, article: Article, task: str, done: bool) -> None:
        table = instruction_progress
        mine = (
            table.c.user_name == user,
            table.c.article_id == article.id,
            table.c.task == task,
        )
        self._conn.execute(sa.delete(table).where(*mine))
        if done:
            self._conn.execute(
                sa.insert(table).values(
                    user_name=user, article_id=article.id, task=task, done_at=datetime.now(UTC)
                )
            )

    def mark_seeded(self, slug: str, at: datetime) -> bool:
        table = instruction_seeds
        if self._conn.execute(sa.select(table.c.slug).where(table.c.slug == slug)).first():
            return False
        self._conn.execute(sa.insert(table).values(slug=slug, seeded_at=at))
        return True


class SqlInstructionsIndex(StorePart):
    """The instructions' reads outside a transaction (``InstructionsStore``); mixed into
    ``SqlStore``."""

    def articles(self) -> list[Article]:
        query = _select_articles().order_by(instruction_articles.c.position)
        with self._reading() as connection:
            return [_article(row) for row in connection.execute(query).mappings()]

    def article(self, slug: str) -> Article | None:
        with self._reading() as connection:
            return read_article(connection, slug)

    def search_articles(self, text: str, terms: Sequence[Term]) -> list[int]:
        with self._reading() as connection:
            match = SEARCH.match(connection.dialect.name, text, terms)
            query = (
                sa.select(instruction_articles.c.id)
                .select_from(match.source)
                .where(*match.where)
                .order_by(match.rank.desc(), instruction_articles.c.position)
            )
            return list(connection.execute(query).scalars())

    def article_progress(self, user: str, article_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        if not article_ids:
            return {}
        table = instruction_progress
        query = sa.select(table.c.article_id, table.c.task).where(
            table.c.user_name == user, table.c.article_id.in_(list(article_ids))
        )
        found: dict[int, list[str]] = {}
        with self._reading() as connection:
            for article_id, task in connection.execute(query):
                found.setdefault(article_id, []).append(task)
        return {k: tuple(v) for k, v in found.items()}

    def _slug(self, connection: sa.Connection, article_id: int) -> str:
        query = sa.select(instruction_articles.c.slug).where(
            instruction_articles.c.id == article_id
        )
        return str(connection.execute(query).scalar() or "")

    def article_revisions(self, article_id: int) -> list[Revision]:
        table = instruction_revisions
        query = (
            sa.select(table).where(table.c.article_id == article_id).order_by(table.c.number.desc())
        )
        with self._reading() as connection:
            slug = self._slug(connection, article_id)
            return [_revision(slug, row) for row in connection.execute(query).mappings()]

    def article_revision(self, article_id: int, number: int) -> Revision | None:
        table = instruction_revisions
        query = sa.select(table).where(table.c.article_id == article_id, table.c.number == number)
        with self._reading() as connection:
            row = connection.execute(query).mappings().first()
            return _revision(self._slug(connection, article_id), row) if row else None

    def article_images(self, article_id: int) -> list[Image]:
        table = instruction_images
        query = (
            sa.select(table)
            .where(table.c.article_id == article_id)
            .order_by(table.c.uploaded_at, table.c.image_id)
        )
        with self._reading() as connection:
            slug = self._slug(connection, article_id)
            return [_image(slug, row) for row in connection.execute(query).mappings()]

    def article_image(self, article_id: int, image_id: str) -> Image | None:
        table = instruction_images
        query = sa.select(table).where(
            table.c.article_id == article_id, table.c.image_id == image_id
        )
        with self._reading() as connection:
            row = connection.execute(query).mappings().first()
            return _image(self._slug(connection, article_id), row) if row else None
