"""GitLab personal access tokens, encrypted at rest

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gitlab_tokens",
        sa.Column("user_name", sa.String(255), primary_key=True),
        # Fernet ciphertext; the key is the platform's, never in this database
        sa.Column("ciphertext", sa.LargeBinary, nullable=False),
        sa.Column("gitlab_username", sa.String(255), nullable=False),
        sa.Column("hint", sa.String(8), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("gitlab_tokens")
