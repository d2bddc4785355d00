"""instructions: articles (both languages in one JSON content), every revision kept whole, their
images, each reader's ticks per task, the starter set's ledger, and full-text search

PostgreSQL keeps two generated tsvector columns (Russian and English stemming, the title
weighted above the rest) with GIN indexes; SQLite keeps an FTS5 index in step with the articles
by triggers, as the catalog does (migration 0004). Neither is in ``schema.py``'s metadata:
``adapters/sql/instructions.py`` names them (``SEARCH``).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_WEIGHTED = (
    "setweight(to_tsvector('{cfg}'::regconfig, search_title), 'A') || "
    "setweight(to_tsvector('{cfg}'::regconfig, search_body), 'C')"
)
_FTS_TRIGGERS = (
    """
    CREATE TRIGGER instruction_fts_insert AFTER INSERT ON instruction_articles BEGIN
        INSERT INTO instruction_fts(rowid, search_title, search_body)
        VALUES (new.id, new.search_title, new.search_body);
    END
    """,
    """
    CREATE TRIGGER instruction_fts_delete AFTER DELETE ON instruction_articles BEGIN
        INSERT INTO instruction_fts(instruction_fts, rowid, search_title, search_body)
        VALUES ('delete', old.id, old.search_title, old.search_body);
    END
    """,
    """
    CREATE TRIGGER instruction_fts_update
    AFTER UPDATE OF search_title, search_body ON instruction_articles BEGIN
        INSERT INTO instruction_fts(instruction_fts, rowid, search_title, search_body)
        VALUES ('delete', old.id, old.search_title, old.search_body);
        INSERT INTO instruction_fts(rowid, search_title, search_body)
        VALUES (new.id, new.search_title, new.search_body);
    END
    """,
)


def _article_fk() -> sa.ForeignKey:
    return sa.ForeignKey("instruction_articles.id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "instruction_articles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("slug", sa.String(63), nullable=False, unique=True),
        sa.Column("state", sa.String(20), nullable=False),
        # unique: two articles never share a place in the list
        sa.Column("position", sa.Integer, nullable=False, unique=True),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("search_title", sa.Text, nullable=False),
        sa.Column("search_body", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(255), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notebook", sa.JSON, nullable=True),
        sa.Column("starter", sa.Boolean, nullable=False),
    )
    op.create_table(
        "instruction_revisions",
        sa.Column("article_id", sa.Integer, _article_fk(), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("by", sa.String(255), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed", sa.JSON, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
    )
    op.create_table(
        "instruction_images",
        sa.Column("article_id", sa.Integer, _article_fk(), primary_key=True),
        sa.Column("image_id", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("uploaded_by", sa.String(255), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "instruction_progress",
        sa.Column("user_name", sa.String(255), primary_key=True),
        sa.Column("article_id", sa.Integer, _article_fk(), primary_key=True),
        sa.Column("task", sa.String(32), primary_key=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_instruction_progress_article", "instruction_progress", ["article_id"])
    op.create_table(
        "instruction_seeds",
        sa.Column("slug", sa.String(63), primary_key=True),
        sa.Column("seeded_at", sa.DateTime(timezone=True), nullable=False),
    )

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for suffix, cfg in (("ru", "russian"), ("en", "english")):
            op.execute(
                f"ALTER TABLE instruction_articles ADD COLUMN search_{suffix} tsvector "
                f"GENERATED ALWAYS AS ({_WEIGHTED.format(cfg=cfg)}) STORED"
            )
            op.execute(
                f"CREATE INDEX ix_instruction_articles_search_{suffix} ON instruction_articles "
                f"USING gin (search_{suffix})"
            )
    elif dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE instruction_fts USING fts5(search_title, search_body, "
            "content='instruction_articles', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')"
        )
        for trigger in _FTS_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS instruction_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS instruction_fts")
    op.drop_table("instruction_seeds")
    op.drop_index("ix_instruction_progress_article", "instruction_progress")
    op.drop_table("instruction_progress")
    op.drop_table("instruction_images")
    op.drop_table("instruction_revisions")
    op.drop_table("instruction_articles")
