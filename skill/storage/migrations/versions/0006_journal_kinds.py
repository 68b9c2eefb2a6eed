"""Journal entries get a kind: check-in, appreciation or daily (every existing entry is a check-in).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite rebuilds the table, PostgreSQL alters it in place
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="checkin"))


def downgrade() -> None:
    # an older release reads every entry as a check-in: the other kinds go with the downgrade
    op.execute("DELETE FROM answers WHERE checkin_id IN (SELECT id FROM checkins WHERE kind <> 'checkin')")
    op.execute("DELETE FROM checkins WHERE kind <> 'checkin'")
    with op.batch_alter_table("checkins") as batch:
        batch.drop_column("kind")
