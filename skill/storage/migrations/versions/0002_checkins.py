"""Check-ins and their encrypted answers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "checkins",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("household_id", ID, sa.ForeignKey("households.id", ondelete="CASCADE"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_checkins_household_id", "checkins", ["household_id"])
    op.create_table(
        "answers",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("household_id", ID, sa.ForeignKey("households.id", ondelete="CASCADE"), nullable=False),
        sa.Column("checkin_id", ID, sa.ForeignKey("checkins.id", ondelete="CASCADE"), nullable=False),
        sa.Column("topic", sa.String(32), nullable=False),
        sa.Column("person", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(512), nullable=True),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("said_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("checkin_id", "topic", "person", name="uq_answers_checkin_topic_person"),
    )
    op.create_index("ix_answers_household_checkin", "answers", ["household_id", "checkin_id"])


def downgrade() -> None:
    op.drop_table("answers")
    op.drop_table("checkins")
