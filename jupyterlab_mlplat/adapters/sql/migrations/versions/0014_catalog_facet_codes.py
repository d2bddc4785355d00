"""catalog facet codes: each catalog entry's task, framework, team, license and status also as
the integer code of that value, from a dictionary of the values seen (``catalog_facet_values``)

A search with words on PostgreSQL keeps every match's facets for both the page and the facet
counts, then groups them; integers are narrower to keep and cheaper to group than text
(bench/README.md: 6-12 % of a search with words at 100,000 entries). The text
columns stay: pages show them, filters and SQLite's counts read them. The codes of the rows
already there are filled from their text.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

FACETS = ("task", "framework", "team", "license", "status")


def upgrade() -> None:
    op.create_table(
        "catalog_facet_values",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("facet", sa.String(20), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
        sa.UniqueConstraint("facet", "value", name="uq_catalog_facet_values_facet_value"),
    )
    # added in place on both databases: SQLite's batch mode would copy the table, and its FTS5
    # index and the triggers keeping it are tied to this one
    for facet in FACETS:
        op.add_column("catalog_entries", sa.Column(f"{facet}_code", sa.Integer, nullable=True))
    for facet in FACETS:
        op.execute(
            "INSERT INTO catalog_facet_values (facet, value) "  # noqa: S608 (constants)
            f"SELECT DISTINCT '{facet}', {facet} FROM catalog_entries"
        )
        op.execute(
            f"UPDATE catalog_entries SET {facet}_code = ("  # noqa: S608 (constants)
            "SELECT v.id FROM catalog_facet_values v "
            f"WHERE v.facet = '{facet}' AND v.value = catalog_entries.{facet})"
        )


def downgrade() -> None:
    for facet in FACETS:
        op.execute(f"ALTER TABLE catalog_entries DROP COLUMN {facet}_code")
    op.drop_table("catalog_facet_values")
