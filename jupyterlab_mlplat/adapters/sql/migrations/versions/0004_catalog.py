"""the catalog: published models, their versions, the alias history, and full-text search

PostgreSQL keeps two generated tsvector columns (Russian and English stemming) with GIN
indexes; SQLite keeps an FTS5 index in step with the entries by triggers. Neither is in
``schema.py``'s metadata: ``adapters/sql/catalog.py`` names them (``include_object``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: the text each language's search reads, weighted: the name and tags first, the card last
_WEIGHTED = (
    "setweight(to_tsvector('{cfg}'::regconfig, name), 'A') || "
    "setweight(to_tsvector('{cfg}'::regconfig, tags_text), 'A') || "
    "setweight(to_tsvector('{cfg}'::regconfig, description), 'B') || "
    "setweight(to_tsvector('{cfg}'::regconfig, card_text), 'C')"
)
_FTS_COLUMNS = "name, tags_text, description, card_text"
#: FTS5's external-content index follows the entries: a changed text is deleted with its old
#: words and inserted with the new ones (an UPDATE of aliases or status leaves it alone)
_FTS_TRIGGERS = (
    """
    CREATE TRIGGER catalog_fts_insert AFTER INSERT ON catalog_entries BEGIN
        INSERT INTO catalog_fts(rowid, name, tags_text, description, card_text)
        VALUES (new.id, new.name, new.tags_text, new.description, new.card_text);
    END
    """,
    """
    CREATE TRIGGER catalog_fts_delete AFTER DELETE ON catalog_entries BEGIN
        INSERT INTO catalog_fts(catalog_fts, rowid, name, tags_text, description, card_text)
        VALUES ('delete', old.id, old.name, old.tags_text, old.description, old.card_text);
    END
    """,
    """
    CREATE TRIGGER catalog_fts_update
    AFTER UPDATE OF name, tags_text, description, card_text ON catalog_entries BEGIN
        INSERT INTO catalog_fts(catalog_fts, rowid, name, tags_text, description, card_text)
        VALUES ('delete', old.id, old.name, old.tags_text, old.description, old.card_text);
        INSERT INTO catalog_fts(rowid, name, tags_text, description, card_text)
        VALUES (new.id, new.name, new.tags_text, new.description, new.card_text);
    END
    """,
)


def upgrade() -> None:
    op.create_table(
        "catalog_entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(63), nullable=False, unique=True),
        sa.Column("mlflow_name", sa.String(256), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("card_text", sa.Text, nullable=False),
        sa.Column("card", sa.JSON, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        # the tags as one text, for the search indexes
        sa.Column("tags_text", sa.Text, nullable=False),
        sa.Column("task", sa.String(100), nullable=False),
        sa.Column("framework", sa.String(100), nullable=False),
        sa.Column("team", sa.String(255), nullable=False),
        sa.Column("license", sa.String(100), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("aliases", sa.JSON, nullable=False),
        sa.Column("latest_version", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    for facet in ("task", "framework", "team", "license", "status", "updated_at"):
        op.create_index(f"ix_catalog_entries_{facet}", "catalog_entries", [facet])
    op.create_table(
        "catalog_versions",
        sa.Column(
            "entry_id",
            sa.Integer,
            sa.ForeignKey("catalog_entries.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("publication_id", sa.BigInteger, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(255), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("deprecated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("metrics", sa.JSON, nullable=False),
        sa.Column("lineage", sa.JSON, nullable=False),
    )
    op.create_index("ix_catalog_versions_publication", "catalog_versions", ["publication_id"])
    op.create_table(
        "catalog_alias_moves",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column(
            "entry_id",
            sa.Integer,
            sa.ForeignKey("catalog_entries.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("alias", sa.String(255), nullable=False),
        sa.Column("from_version", sa.Integer, nullable=True),
        sa.Column("to_version", sa.Integer, nullable=False),
        sa.Column("moved_by", sa.String(255), nullable=False),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("publication_id", sa.BigInteger, nullable=True),
        sa.Column("comment", sa.Text, nullable=False),
    )
    op.create_index("ix_catalog_alias_moves_entry", "catalog_alias_moves", ["entry_id", "id"])

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for suffix, cfg in (("ru", "russian"), ("en", "english")):
            op.execute(
                f"ALTER TABLE catalog_entries ADD COLUMN search_{suffix} tsvector "
                f"GENERATED ALWAYS AS ({_WEIGHTED.format(cfg=cfg)}) STORED"
            )
            op.execute(
                f"CREATE INDEX ix_catalog_entries_search_{suffix} ON catalog_entries "
                f"USING gin (search_{suffix})"
            )
    elif dialect == "sqlite":
        op.execute(
            f"CREATE VIRTUAL TABLE catalog_fts USING fts5({_FTS_COLUMNS}, "
            "content='catalog_entries', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')"
        )
        for trigger in _FTS_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS catalog_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS catalog_fts")
    op.drop_table("catalog_alias_moves")
    op.drop_table("catalog_versions")
    op.drop_table("catalog_entries")
