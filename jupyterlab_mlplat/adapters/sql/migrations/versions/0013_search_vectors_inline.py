"""search vectors kept in their row (PostgreSQL): the catalog's and the instructions'
``tsvector`` columns are stored ``MAIN``, so a row too wide for a page moves its card text out
of line first, not the vectors a search ranks

A catalog row is ~2.4 KB (its card as JSON, the card's text, two vectors), above PostgreSQL's
2 KB threshold, and by default the toaster compresses and moves the widest columns out of line,
vectors included. Ranking a match then reads and decompresses its vectors from the TOAST table:
for a common word at 100,000 entries (bench/catalog_search.py) 9,532 buffers where the rows
hold 5,074, and a fifth of the statement's time. The rows already written are rewritten once,
so their vectors are computed again and stored by the new rule. SQLite's FTS5 has no such
columns.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

#: each searchable table, and a column its vectors are computed from: an UPDATE that sets it
#: (to itself) computes the vectors again, and they are stored by the new rule
_TABLES = (("catalog_entries", "name"), ("instruction_articles", "search_title"))
_VECTORS = ("search_ru", "search_en")


def _storage(kind: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, _ in _TABLES:
        columns = ", ".join(f"ALTER COLUMN {v} SET STORAGE {kind}" for v in _VECTORS)
        op.execute(f"ALTER TABLE {table} {columns}")


def upgrade() -> None:
    _storage("MAIN")
    if op.get_bind().dialect.name == "postgresql":
        for table, column in _TABLES:
            op.execute(f"UPDATE {table} SET {column} = {column}")  # noqa: S608 (constants)


def downgrade() -> None:
    _storage("EXTENDED")
