"""No household's words in the stored state: clear what read-backs kept there for "repeat".

Before this revision, reading a check-in back ("what did we say last week") kept the
spoken read-back, answers in the clear, in `households.state` (session.last_speech) for
"say that again". The dialogue now keeps only ids there and rebuilds a read-back from the
encrypted journal. This revision clears `last_speech` and `last_reprompt` of every stored
session (a "repeat" right after the upgrade gets help instead), and then
`skill.storage.scrub_free_space` (run by `skill.storage.migrate` right after this
revision, outside any transaction) rewrites the files: SQLite with `secure_delete` on, a
`VACUUM` and a truncating WAL checkpoint; PostgreSQL with `VACUUM FULL households`.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_households = sa.table("households", sa.column("id", sa.Integer), sa.column("state", sa.Text))


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_households.c.id, _households.c.state)).fetchall()
    for household_id, state in rows:
        if not state:
            continue
        data = json.loads(state)
        session = data.get("session") or {}
        if session.get("last_speech") is None and session.get("last_reprompt") is None:
            continue
        session["last_speech"] = None
        session["last_reprompt"] = None
        data["session"] = session
        cleared = json.dumps(data, separators=(",", ":"), sort_keys=True)
        connection.execute(_households.update().where(_households.c.id == household_id).values(state=cleared))


def downgrade() -> None:
    """Nothing to restore: the cleared read-backs are gone for good, as intended."""
