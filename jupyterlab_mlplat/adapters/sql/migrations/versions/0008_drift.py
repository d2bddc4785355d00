"""drift reports (one per deployment version and window of sampled requests); notifications
about a deployment (drift) that belong to no publication

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "drift_reports",
        sa.Column("id", RowId, primary_key=True, autoincrement=True),
        sa.Column("deployment", sa.String(40), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=True),
        # the newest sample object read: the next window starts after it
        sa.Column("last_sample", sa.String(1024), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("reference_rows", sa.Integer, nullable=False),
        sa.Column("features", sa.JSON, nullable=False),
        sa.Column("drifted_share", sa.Float, nullable=False),
        sa.Column("drifted", sa.Boolean, nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_drift_reports_version", "drift_reports", ["deployment", "version", "id"])
    op.create_index("ix_drift_reports_at", "drift_reports", ["deployment", "computed_at"])
    # batch: SQLite changes a column's nullability only by copying the table
    with op.batch_alter_table("notifications") as batch:
        batch.alter_column("publication_id", existing_type=RowId, nullable=True)
        batch.alter_column("action", existing_type=sa.String(32), nullable=True)
        batch.add_column(sa.Column("deployment", sa.String(40), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM notifications WHERE publication_id IS NULL")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("deployment")
        batch.alter_column("action", existing_type=sa.String(32), nullable=False)
        batch.alter_column("publication_id", existing_type=RowId, nullable=False)
    op.drop_table("drift_reports")
