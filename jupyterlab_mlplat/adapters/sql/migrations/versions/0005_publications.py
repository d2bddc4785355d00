"""publications, their steps (every action with its comment) and notifications

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "publications",
        sa.Column("id", RowId, primary_key=True, autoincrement=True),
        sa.Column("model_name", sa.String(256), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("team", sa.String(255), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        # raised by every change: actions compare-and-set on it
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("card", sa.JSON, nullable=False),
        sa.Column("catalog_name", sa.String(63), nullable=True),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("snapshot", sa.JSON, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(255), nullable=False),
        sa.Column("last_action", sa.String(32), nullable=False),
        sa.Column("publish_error", sa.Text, nullable=True),
        sa.Column("catalog_version", sa.String(64), nullable=True),
        sa.Column("champion", sa.Boolean, nullable=False),
    )
    op.create_index("ix_publications_state", "publications", ["state", "updated_at"])
    op.create_index("ix_publications_author", "publications", ["author", "updated_at"])
    op.create_index("ix_publications_version", "publications", ["model_name", "version"])
    op.create_index("ix_publications_catalog", "publications", ["catalog_name", "champion"])
    op.create_table(
        "publication_steps",
        sa.Column("id", RowId, primary_key=True, autoincrement=True),
        sa.Column(
            "publication_id",
            RowId,
            sa.ForeignKey("publications.id", name="fk_publication_steps_publication"),
            nullable=False,
        ),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_publication_steps_publication", "publication_steps", ["publication_id", "id"]
    )
    op.create_table(
        "notifications",
        sa.Column("id", RowId, primary_key=True, autoincrement=True),
        sa.Column("recipient", sa.String(255), nullable=True),
        sa.Column("recipient_role", sa.String(32), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column(
            "publication_id",
            RowId,
            sa.ForeignKey("publications.id", name="fk_notifications_publication"),
            nullable=False,
        ),
        sa.Column("model_name", sa.String(256), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_notifications_recipient", "notifications", ["recipient", "id"])
    op.create_index("ix_notifications_role", "notifications", ["recipient_role", "id"])


def downgrade() -> None:
    op.drop_table("notifications")
    op.drop_table("publication_steps")
    op.drop_table("publications")
