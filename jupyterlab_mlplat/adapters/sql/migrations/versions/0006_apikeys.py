"""API keys: a digest of each secret, never the secret, with the key's scopes and its uses

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", RowId, primary_key=True, autoincrement=True),
        # ``mlp_`` and 8 characters: how the check finds the row, and how people tell keys apart
        sa.Column("prefix", sa.String(16), nullable=False),
        # HMAC-SHA-256 of the whole secret under the platform's pepper, hex
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("deployments", sa.JSON, nullable=False),
        sa.Column("catalog_read", sa.Boolean, nullable=False),
        sa.Column("rate_limit", sa.Float, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_from", sa.String(255), nullable=True),
        sa.Column(
            "replaced_by",
            RowId,
            sa.ForeignKey("api_keys.id", name="fk_api_keys_replaced_by"),
            nullable=True,
        ),
        sa.UniqueConstraint("prefix", name="uq_api_keys_prefix"),
    )
    op.create_index("ix_api_keys_owner", "api_keys", ["owner", "id"])


def downgrade() -> None:
    op.drop_table("api_keys")
