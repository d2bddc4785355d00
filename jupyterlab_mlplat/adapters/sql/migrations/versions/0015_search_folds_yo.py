"""search folds "ё": SQLite's FTS5 indexes (the catalog's, the instructions') hold their text with
"ё" written without its dots, as every word looked up there is (``core/kernel/search.py``,
``fold``)

Russian is written with "ё" and as often without its dots. PostgreSQL's stemming folds it, so on
a cluster "уйдет" finds "уйдёт"; FTS5's ``unicode61`` tokenizer keeps it, and on the embedded
stack it did not. The triggers now index the folded text; the indexes are filled again from
their tables, folded. PostgreSQL: nothing changes.

An external-content FTS5 index takes a row out by the values it was given, so the trigger that
deletes folds them as the one that inserted did. FTS5's own ``rebuild`` (and ``integrity-check``
against the content) reads the table's text unfolded: the index is filled here by the triggers'
expressions instead, and ``rebuild`` must not be used on it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


#: each FTS5 index, the table it follows, and the columns it indexes (a change of one of them
#: re-indexes the row); alembic loads this module without importing it, so no dataclass
_INDEXES = (
    ("catalog_fts", "catalog_entries", ("name", "tags_text", "description", "card_text")),
    ("instruction_fts", "instruction_articles", ("search_title", "search_body")),
)


def _fold(expression: str) -> str:
    """``expression`` with "ё" and "Ё" without their dots (U+0451 → U+0435, U+0401 → U+0415)."""
    return f"replace(replace({expression}, char(1105), char(1077)), char(1025), char(1045))"


def _values(columns: tuple[str, ...], row: str, fold: bool) -> str:
    return ", ".join(_fold(f"{row}.{c}") if fold else f"{row}.{c}" for c in columns)


def _triggers(fts: str, table: str, indexed: tuple[str, ...], fold: bool) -> tuple[str, ...]:
    """The three triggers that keep ``fts`` in step with ``table`` (0004's and 0010's, when not
    ``fold``)."""
    columns = ", ".join(indexed)
    new, old = _values(indexed, "new", fold), _values(indexed, "old", fold)
    # every name and expression here is a constant of this module
    insert = f"INSERT INTO {fts}(rowid, {columns}) VALUES (new.id, {new});"  # noqa: S608
    delete = f"INSERT INTO {fts}({fts}, rowid, {columns}) VALUES ('delete', old.id, {old});"  # noqa: S608
    return (
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {columns} ON {table} "
        f"BEGIN {delete} {insert} END",
    )


def _reindex(fold: bool) -> None:
    for fts, table, indexed in _INDEXES:
        for suffix in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
        for trigger in _triggers(fts, table, indexed, fold):
            op.execute(trigger)
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('delete-all')")  # noqa: S608
        op.execute(
            f"INSERT INTO {fts}(rowid, {', '.join(indexed)}) "  # noqa: S608 (constants)
            f"SELECT id, {_values(indexed, table, fold)} FROM {table}"
        )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _reindex(fold=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _reindex(fold=False)
