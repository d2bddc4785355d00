"""Alembic environment: the platform hands over its connection; migrations never open their own."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - guarded so a stray `alembic upgrade` says what to do
    raise RuntimeError(
        "Run migrations through `mlplat-platform --upgrade-db` or the platform start-up, "
        "which pass the configured database connection."
    )

context.configure(
    connection=connection,
    target_metadata=None,
    render_as_batch=connection.dialect.name == "sqlite",
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
