"""Counts of what the recogniser missed, per platform and place in the conversation (never words).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
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
        "understanding_misses",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("place", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "place", "kind", name="pk_understanding_misses"),
    )


def downgrade() -> None:
    op.drop_table("understanding_misses")
