"""Storage: the store interface the hosts use, and its SQLAlchemy implementation.

SQLite (a file in the instance folder) by default; PostgreSQL when `DATABASE_URL` says so.
Every read and write names its household, and a conversation turn runs inside one
transaction that locks that household's row, so two workers never interleave one
household's turns.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, create_engine, event, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.pool import NullPool

from skill.storage.crypto import AnswerCipher
from skill.storage.journal import SqlJournal
from skill.storage.schema import answers, checkins, households

HEAD_REVISION = "0002"


@dataclass(frozen=True)
class HouseholdKey:
    """Who a request belongs to: a platform and that platform's user id."""

    platform: str
    user: str


@dataclass
class HouseholdRecord:
    """A household row inside a turn; change `state` and it is written when the turn ends."""

    id: int
    state: str
    journal: SqlJournal | None = None


class Store(Protocol):
    """What the hosts need from storage."""

    def turn(self, key: HouseholdKey) -> Any:
        """A context manager yielding the household's record, locked, saved on exit."""

    def delete_household(self, key: HouseholdKey) -> bool:
        """Remove everything stored for a household; True when there was something."""

    def ping(self) -> None:
        """Raise when the database cannot be reached."""


class SqlStore:
    """The Store on SQLAlchemy Core: SQLite or PostgreSQL."""

    def __init__(self, url: str, cipher: AnswerCipher | None = None) -> None:
        self.url = url
        self.engine = _make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self.cipher = cipher

    @contextmanager
    def turn(self, key: HouseholdKey) -> Iterator[HouseholdRecord]:
        """Lock the household's row (creating it on first use) for one conversation turn."""
        with self.engine.begin() as conn:
            row = conn.execute(self._select(key).with_for_update()).first()
            if row is None:
                now = datetime.now(UTC)
                values = dict(
                    platform=key.platform,
                    platform_user=key.user,
                    state="",
                    created_at=now,
                    updated_at=now,
                )
                conn.execute(self._insert_if_missing().values(**values))
                row = conn.execute(self._select(key).with_for_update()).one()
            journal = SqlJournal(conn, row.id, self.cipher) if self.cipher is not None else None
            record = HouseholdRecord(id=row.id, state=row.state, journal=journal)
            yield record
            if record.state != row.state:
                conn.execute(
                    update(households)
                    .where(households.c.id == record.id)
                    .values(state=record.state, updated_at=datetime.now(UTC))
                )

    def load_state(self, key: HouseholdKey) -> str | None:
        """The stored state of a household, or None if it has never spoken."""
        with self.engine.connect() as conn:
            row = conn.execute(self._select(key)).first()
        return None if row is None else str(row.state)

    def delete_household(self, key: HouseholdKey) -> bool:
        """Remove the household and all it owns: answers, check-ins, state."""
        with self.engine.begin() as conn:
            row = conn.execute(self._select(key)).first()
            if row is None:
                return False
            conn.execute(answers.delete().where(answers.c.household_id == row.id))
            conn.execute(checkins.delete().where(checkins.c.household_id == row.id))
            conn.execute(households.delete().where(households.c.id == row.id))
        return True

    def export(self, key: HouseholdKey) -> dict[str, Any] | None:
        """Everything stored for one household, answers decrypted, as plain data."""
        if self.cipher is None:
            raise RuntimeError("no answer key configured")
        with self.engine.begin() as conn:
            row = conn.execute(self._select(key)).first()
            if row is None:
                return None
            journal = SqlJournal(conn, row.id, self.cipher)
            records = journal.recent(limit=1_000_000)
        return {
            "household": {"platform": key.platform, "user": key.user},
            "state": json.loads(row.state) if row.state else None,
            "checkins": [
                {
                    "started_at": record.started_at.isoformat(),
                    "completed_at": record.completed_at.isoformat() if record.completed_at else None,
                    "answers": [
                        {
                            "topic": a.topic,
                            "person": a.person,
                            "text": a.text,
                            "said_at": a.said_at.isoformat(),
                        }
                        for a in sorted(record.answers, key=lambda a: (a.said_at, a.person))
                    ],
                }
                for record in records
            ],
        }

    def ping(self) -> None:
        """A trivial query, for readiness checks."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def _select(self, key: HouseholdKey) -> Any:
        return select(households.c.id, households.c.state).where(
            households.c.platform == key.platform, households.c.platform_user == key.user
        )

    def _insert_if_missing(self) -> Any:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        if self.engine.dialect.name in ("postgresql", "sqlite"):
            return dialect.insert(households).on_conflict_do_nothing(
                index_elements=["platform", "platform_user"]
            )
        return insert(households)

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, poolclass=NullPool if database == ":memory:" else None)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    # connect_timeout: an unreachable server fails a turn (or /readyz) in 3 s instead of
    # hanging a sync worker past gunicorn's timeout and Alexa's ~8 s budget.
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 3})


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy's own transaction control, so BEGIN IMMEDIATE takes the write lock up front.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a turn's commit (an answer the skill is about to call saved) survives a power cut.
    # SQLite cannot change this inside a transaction, so every turn pays the ~0.1 ms fsync.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def migrate(store: SqlStore) -> None:
    """Bring the schema to the newest revision; cheap when it is already there."""
    with store.engine.connect() as conn:
        if _current_revision(conn) == HEAD_REVISION:
            return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def _current_revision(conn: Any) -> str | None:
    try:
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    except Exception:  # no table yet: a new database
        conn.rollback()
        return None
    return None if row is None else str(row[0])
