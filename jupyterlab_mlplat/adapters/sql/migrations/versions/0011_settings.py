"""live settings (a stored value overrides a platform trait until reset); indexes for the
admin console's audit filters (a person's or an action's records, newest first)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.JSON, nullable=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(255), nullable=False),
    )
    # the object filter has ix_audit_object (0001) and the dates ix_audit_at; the id after the
    # name lets a person's or an action's newest records be read from the index in order
    op.create_index("ix_audit_actor", "audit", ["actor", "id"])
    op.create_index("ix_audit_action", "audit", ["action", "id"])


def downgrade() -> None:
    op.drop_index("ix_audit_action", "audit")
    op.drop_index("ix_audit_actor", "audit")
    op.drop_table("settings")
