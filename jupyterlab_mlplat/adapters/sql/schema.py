"""Table definitions of the metadata store, shared by the store adapter and the migrations' tests.

The migrations under ``migrations/versions`` are the source of truth for the database; this
module mirrors them for queries, and a test checks the two agree.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# SQLite only auto-increments an INTEGER PRIMARY KEY, PostgreSQL should use BIGINT for a log.
AuditId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

users = sa.Table(
    "users",
    metadata,
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("groups", sa.JSON, nullable=False),
    sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", AuditId, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(255), nullable=False),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("object_type", sa.String(100), nullable=False),
    sa.Column("object_id", sa.String(255), nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("request_id", sa.String(64), nullable=True),
    sa.Index("ix_audit_object", "object_type", "object_id"),
    sa.Index("ix_audit_at", "at"),
)

profiles = sa.Table(
    "profiles",
    metadata,
    sa.Column("slug", sa.String(63), primary_key=True),
    sa.Column("document", sa.JSON, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(255), nullable=False),
)

gitlab_tokens = sa.Table(
    "gitlab_tokens",
    metadata,
    sa.Column("user_name", sa.String(255), primary_key=True),
    sa.Column("ciphertext", sa.LargeBinary, nullable=False),
    sa.Column("gitlab_username", sa.String(255), nullable=False),
    sa.Column("hint", sa.String(8), nullable=False),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
)
