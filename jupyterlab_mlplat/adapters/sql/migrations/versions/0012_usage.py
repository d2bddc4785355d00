"""usage samples: every running workload's requested and used CPU, memory and GPUs per minute
(kept for a retention), their daily sums (kept), the workspaces holding a GPU idle now;
notifications about a workspace (an idle GPU)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

#: the daily sums, in minutes as sampled (core-minutes, GiB-minutes, GPU-minutes)
DAILY_SUMS = (
    "minutes",
    "cpu_requested_core_minutes",
    "cpu_used_core_minutes",
    "memory_requested_gib_minutes",
    "memory_used_gib_minutes",
    "gpu_minutes",
    "idle_minutes",
    "idle_gpu_minutes",
)


def upgrade() -> None:
    op.create_table(
        "usage_samples",
        # the minute's start, in Unix seconds (a multiple of 60), as the traffic's minutes
        sa.Column("minute", sa.BigInteger, primary_key=True, autoincrement=False),
        # workspace or deployment
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("owner", sa.String(255), primary_key=True),
        # a workspace's server name ("" the default server), a deployment's name
        sa.Column("name", sa.String(255), primary_key=True),
        # a workspace's profile slug, a deployment's size
        sa.Column("profile", sa.String(63), nullable=False),
        # the sampler's interval in minutes: how long this sample stands for
        sa.Column("minutes", sa.Float, nullable=False),
        sa.Column("cpu_requested", sa.Float, nullable=False),
        sa.Column("cpu_used", sa.Float, nullable=False),
        sa.Column("memory_requested", sa.BigInteger, nullable=False),
        sa.Column("memory_used", sa.BigInteger, nullable=False),
        sa.Column("gpus", sa.Integer, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("idle", sa.Boolean, nullable=False),
    )
    op.create_index("ix_usage_samples_owner", "usage_samples", ["owner", "minute"])
    op.create_table(
        "usage_daily",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("owner", sa.String(255), primary_key=True),
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column("profile", sa.String(63), primary_key=True),
        *(sa.Column(name, sa.Float, nullable=False) for name in DAILY_SUMS),
    )
    # a person's days (everyone else's questions); the primary key serves the admin's
    op.create_index("ix_usage_daily_owner", "usage_daily", ["owner", "day"])
    op.create_table(
        "usage_idle_stretches",
        sa.Column("owner", sa.String(255), primary_key=True),
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified", sa.Boolean, nullable=False),
    )
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("workspace", sa.String(255), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM notifications WHERE kind = 'gpu_idle'")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("workspace")
    op.drop_table("usage_idle_stretches")
    op.drop_table("usage_daily")
    op.drop_table("usage_samples")
