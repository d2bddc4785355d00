"""deployment traffic: the invocations gateway's counts per deployment, served version, minute
and gateway process (requests, client and server errors, rate-limited, latency buckets)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
#: requests that took more than the previous bound and at most this many milliseconds; the
#: last counts the slower ones (core/deployments/traffic.py, LATENCY_BOUNDS_MS)
LATENCY_COLUMNS = (
    "ms_1", "ms_2", "ms_3", "ms_5", "ms_10", "ms_25", "ms_50", "ms_100", "ms_250", "ms_500",
    "ms_1000", "ms_2500", "ms_10000", "ms_over",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "deployment_traffic",
        sa.Column(
            "deployment_id",
            RowId,
            sa.ForeignKey("deployments.id", name="fk_deployment_traffic_deployment"),
            primary_key=True,
        ),
        # "" for requests refused before a version was chosen (rate limit, nothing ready)
        sa.Column("version", sa.String(64), primary_key=True),
        # the minute's start, in Unix seconds (a multiple of 60): steps and days are one
        # integer division away on every database
        sa.Column("minute", sa.BigInteger, primary_key=True, autoincrement=False),
        # the gateway process that counted it: a minute sent again replaces itself
        sa.Column("gateway", sa.String(64), primary_key=True),
        # the deployment's name and owner then, so the analytics sum per person and day
        # without a join, and a deleted deployment's traffic stays readable
        sa.Column("deployment", sa.String(40), nullable=False),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("requests", sa.Integer, nullable=False),
        sa.Column("client_errors", sa.Integer, nullable=False),
        sa.Column("server_errors", sa.Integer, nullable=False),
        sa.Column("rate_limited", sa.Integer, nullable=False),
        *(sa.Column(name, sa.Integer, nullable=False) for name in LATENCY_COLUMNS),
    )
    op.create_index("ix_deployment_traffic_minute", "deployment_traffic", ["minute"])
    op.create_index("ix_deployment_traffic_owner", "deployment_traffic", ["owner", "minute"])


def downgrade() -> None:
    op.drop_table("deployment_traffic")
