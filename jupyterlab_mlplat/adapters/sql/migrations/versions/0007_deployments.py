"""deployments: their specs with every revision, the route the gateway follows, the workloads'
statuses; the sizes admins manage (seeded by the service); one sequence counter for change feeds

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

#: small, medium, large (``core/deployments/rules.py::DEFAULT_SIZES``, copied: a migration
#: stays as it was written, whatever the code says later)
SEEDED_SIZES = (
    ("small", "Small", "500m", "512Mi", 1, 1),
    ("medium", "Medium", "1", "1Gi", 2, 4),
    ("large", "Large", "2", "4Gi", 2, 8),
)
sizes = sa.table(
    "deployment_sizes",
    sa.column("name", sa.String),
    sa.column("title", sa.String),
    sa.column("cpu", sa.String),
    sa.column("memory", sa.String),
    sa.column("replicas", sa.Integer),
    sa.column("max_replicas", sa.Integer),
    sa.column("revision", sa.Integer),
    sa.column("updated_at", sa.DateTime(timezone=True)),
    sa.column("updated_by", sa.String),
)


def upgrade() -> None:
    op.create_table(
        "deployment_sizes",
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("cpu", sa.String(16), nullable=False),
        sa.Column("memory", sa.String(24), nullable=False),
        sa.Column("replicas", sa.Integer, nullable=False),
        sa.Column("max_replicas", sa.Integer, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(255), nullable=False),
    )
    op.create_table(
        "deployments",
        sa.Column("id", RowId, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("model_name", sa.String(256), nullable=False),
        sa.Column("size", sa.String(63), nullable=False),
        # raised by every change of the spec: changes compare-and-set on it
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("spec", sa.JSON, nullable=False),
        sa.Column("served", sa.JSON, nullable=True),
        sa.Column("route", sa.JSON, nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("workloads", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(255), nullable=False),
        sa.Column("last_change", sa.String(16), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        # from the one counter: anything its page shows changed / its route changed
        sa.Column("sequence", sa.BigInteger, nullable=False),
        sa.Column("route_sequence", sa.BigInteger, nullable=False),
    )
    # a name is unique among deployments not yet stopped; a stopped one keeps its rows
    op.create_index(
        "uq_deployments_live_name",
        "deployments",
        ["name"],
        unique=True,
        sqlite_where=sa.text("stopped_at IS NULL"),
        postgresql_where=sa.text("stopped_at IS NULL"),
    )
    op.create_index("ix_deployments_owner", "deployments", ["owner", "name"])
    op.create_index("ix_deployments_route_sequence", "deployments", ["route_sequence"])
    op.create_table(
        "deployment_revisions",
        sa.Column(
            "deployment_id",
            RowId,
            sa.ForeignKey("deployments.id", name="fk_deployment_revisions_deployment"),
            primary_key=True,
        ),
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("spec", sa.JSON, nullable=False),
        sa.Column("change", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("restored", sa.Integer, nullable=True),
    )
    op.create_table(
        "deployment_sequence",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO deployment_sequence (id, value) VALUES (1, 0)")
    # the sizes a fresh platform offers (admins change them later): part of the schema, so a
    # first start writes no audit record of its own
    at = datetime.now(UTC)
    op.bulk_insert(
        sizes,
        [
            {
                "name": name,
                "title": title,
                "cpu": cpu,
                "memory": memory,
                "replicas": replicas,
                "max_replicas": most,
                "revision": 1,
                "updated_at": at,
                "updated_by": "system",
            }
            for name, title, cpu, memory, replicas, most in SEEDED_SIZES
        ],
    )


def downgrade() -> None:
    op.drop_table("deployment_sequence")
    op.drop_table("deployment_revisions")
    op.drop_table("deployments")
    op.drop_table("deployment_sizes")
