"""serving_deprecated notifications: a deprecation tells the owners of the deployments serving the
version (``core/reviews/service.py``), a kind of notification the code before does not read

Nothing changes in the schema (``notifications.kind`` is text); a downgrade deletes the
notifications of this kind, which the code of earlier revisions could not list.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    op.execute("DELETE FROM notifications WHERE kind = 'serving_deprecated'")
