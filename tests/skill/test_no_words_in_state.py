"""After a read-back, a household's answers are nowhere in the database files but the encrypted journal.

Before revision 0004 the read-back sat in the clear in `households.state` (kept for
"repeat"); the migration clears it and scrubs the files. Both are checked on SQLite and on
PostgreSQL by reading the database's own files, not only its rows.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from skill.storage import HEAD_REVISION, SqlStore, migrate

SESSION = "private-readback-000001"
# a fresh text each run: PostgreSQL's write-ahead log is shared by the cluster and outlives a test
MARK = uuid.uuid4().hex[:10]
ANSWER = f"Priya fixed the leaking tap on Saturday morning {MARK}"
LEAKED = f"Tom wished for a quiet weekend away {MARK}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
    """A database of this test's own (PostgreSQL: created for it and dropped after)."""
    if request.param == "sqlite":
        yield sqlite_url
        return
    shared = str(request.getfixturevalue("postgres_url"))
    name = f"hth_private_{uuid.uuid4().hex[:10]}"
    admin = create_engine(shared, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"{shared.rsplit('/', 1)[0]}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def say(app: Flask, words: str) -> dict[str, Any]:
    result = app.test_client().post("/web/turn", json={"session_id": SESSION, "utterance": words})
    assert result.status_code == 200
    reply: dict[str, Any] = result.get_json()
    return reply


def database_bytes(url: str, wal: bool = True) -> bytes:
    """What the database holds on disk: the SQLite file and its log, or PostgreSQL's table files
    (and, with `wal`, its write-ahead log, which keeps history no VACUUM can take back)."""
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("CHECKPOINT"))  # what is in shared buffers reaches the files
        data = Path(conn.execute(text("SHOW data_directory")).scalar_one())
        files = [
            conn.execute(text("SELECT pg_relation_filepath(:t)"), {"t": table}).scalar_one()
            for table in ("households", "answers", "checkins")
        ]
        toast = conn.execute(
            text("SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = 'households'")
        ).scalar_one()
        if toast and toast != "-":
            files.append(conn.execute(text("SELECT pg_relation_filepath(:t)"), {"t": toast}).scalar_one())
    engine.dispose()
    found = b""
    for relative in files:
        base = data / relative
        found += b"".join(p.read_bytes() for p in base.parent.glob(f"{base.name}*"))
    if wal:
        found += b"".join(p.read_bytes() for p in (data / "pg_wal").glob("0*") if p.is_file())
    return found


def test_a_read_back_leaves_no_answer_in_the_clear(
    make_app: Callable[[dict[str, Any]], Flask], database_url: str
) -> None:
    app = make_app({"DATABASE_URL": database_url, "ALEXA_VERIFY_SIGNATURES": False})
    for words in ("start our check in", "I'm Sam", "yes", "just me", ANSWER, "pause"):
        say(app, words)
    asked = say(app, "what did we say last week")
    assert ANSWER not in asked["speech_text"] and "is that okay" in asked["speech_text"].lower()
    played = say(app, "yes")
    assert ANSWER in played["speech_text"]
    again = say(app, "say that again")
    assert ANSWER in again["speech_text"]  # "repeat" still works: rebuilt from the journal
    heard = say(app, "what did Sam say about appreciation")
    assert ANSWER in heard["speech_text"]
    assert ANSWER in say(app, "say that again")["speech_text"]

    with app.extensions["store"].engine.connect() as conn:
        state = conn.execute(text("SELECT state FROM households")).scalar_one()
    assert ANSWER.lower() not in state.lower()
    assert ANSWER.encode() not in database_bytes(database_url)


def test_the_migration_clears_and_scrubs_what_earlier_versions_left(database_url: str) -> None:
    store = SqlStore(database_url)
    try:
        _upgrade_to(store, "0003")
        leaked = {
            "household": {"names": ["Sam"]},
            "session": {"flow": "home", "step": "menu", "last_speech": [["say", f"Sam said: {LEAKED}."]]},
            "version": 1,
        }
        with store.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO households (platform, platform_user, state, created_at, updated_at) "
                    "VALUES ('web', 'leaky-household-0001', :state, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"state": json.dumps(leaked)},
            )
        assert LEAKED.encode() in database_bytes(database_url, wal=False)  # the leak this migration cleans
        migrate(store)
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == HEAD_REVISION
            state = json.loads(conn.execute(text("SELECT state FROM households")).scalar_one())
        assert state["session"]["last_speech"] is None and state["household"]["names"] == ["Sam"]
        assert LEAKED.encode() not in database_bytes(database_url, wal=False)
    finally:
        store.dispose()


def _upgrade_to(store: SqlStore, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    import skill.storage

    config = Config()
    config.set_main_option("script_location", str(Path(skill.storage.__file__).parent / "migrations"))
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
