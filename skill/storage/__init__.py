"""Storage: the store interface the hosts use, and its SQLAlchemy implementation.

SQLite (a file in the instance folder) by default; PostgreSQL when `DATABASE_URL` says so.
Every read and write names its household, and a conversation turn runs inside one
transaction that locks that household's row, so two workers never interleave one
household's turns.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import (
    Dialect,
    Engine,
    bindparam,
    case,
    create_engine,
    event,
    insert,
    inspect,
    make_url,
    select,
    text,
)
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import NullPool
from sqlalchemy.sql import ClauseElement

from dialogue.ports import CheckInRecord, Kind
from skill.storage.crypto import AnswerCipher
from skill.storage.journal import JournalStatements, SqlJournal
from skill.storage.prepared import Prepared
from skill.storage.schema import households, understanding_misses, upsert, web_clients

HEAD_REVISION = "0006"
# From this revision on, no household's words are in the stored state; upgrading to it
# scrubs the database files of what earlier versions left there (scrub_free_space).
_SCRUBBED_REVISION = "0004"


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
    misses: list[tuple[str, str]] = field(default_factory=list)  # ("flow.step", "fallback" | "near_miss")


class Store(Protocol):
    """Everything the hosts (the adapters, the commands, the health checks) use of storage."""

    def turn(self, key: HouseholdKey) -> AbstractContextManager[HouseholdRecord]:
        """The household's record, locked; its state (and journal, misses) saved on exit."""
        ...

    def load_state(self, key: HouseholdKey) -> str | None:
        """The household's stored state, or None for a household never seen."""
        ...

    def delete_household(self, key: HouseholdKey) -> bool:
        """Remove everything stored for a household; True when there was something."""
        ...

    def export(self, key: HouseholdKey) -> dict[str, Any] | None:
        """Everything stored for one household, answers decrypted, as plain data."""
        ...

    def ping(self) -> None:
        """Raise when the database cannot be reached."""
        ...

    def understanding_misses(self) -> list[tuple[str, str, str, int]]:
        """(platform, "flow.step", kind, count) of every counted miss."""
        ...

    def admit_new_household(self, client: str, limit: int, now: datetime) -> bool:
        """Count one more new household for `client` this minute; False once past `limit`."""
        ...

    def idle_households(self, platform: str, before: datetime) -> list[str]:
        """The users of `platform`'s households untouched since `before`."""
        ...


# A turn's statements, prepared once per store (skill.storage.prepared). SQLite ignores FOR
# UPDATE (a turn holds the database's write lock from BEGIN IMMEDIATE instead).
_HOUSEHOLD = select(households.c.id, households.c.state).where(
    households.c.platform == bindparam("platform"), households.c.platform_user == bindparam("user")
)
_LOCK_HOUSEHOLD = _HOUSEHOLD.with_for_update()
_SAVE_STATE = (
    households.update()
    .where(households.c.id == bindparam("household"))
    .values(state=bindparam("new_state"), updated_at=bindparam("now", type_=households.c.updated_at.type))
)
_DELETE_HOUSEHOLD = households.delete().where(households.c.id == bindparam("household"))


_MISSES = select(
    understanding_misses.c.platform,
    understanding_misses.c.place,
    understanding_misses.c.kind,
    understanding_misses.c.count,
).order_by(understanding_misses.c.platform, understanding_misses.c.place, understanding_misses.c.kind)


def _count_miss(dialect: str) -> ClauseElement:
    """Add one to a (platform, place, kind) count, creating it at one."""
    row = upsert(understanding_misses, dialect).values(
        platform=bindparam("platform"), place=bindparam("place"), kind=bindparam("kind"), count=1
    )
    return row.on_conflict_do_update(
        index_elements=["platform", "place", "kind"], set_={"count": understanding_misses.c.count + 1}
    )


def _admit(dialect: str) -> ClauseElement:
    """One more new household for a client: counted in its minute, or a new minute begun."""
    now = bindparam("now", type_=web_clients.c.window_start.type)
    stale = web_clients.c.window_start <= bindparam("since", type_=web_clients.c.window_start.type)
    row = upsert(web_clients, dialect).values(client=bindparam("client"), window_start=now, count=1)
    return row.on_conflict_do_update(
        index_elements=["client"],
        set_={
            "window_start": case((stale, now), else_=web_clients.c.window_start),
            "count": case((stale, 1), else_=web_clients.c.count + 1),
        },
    ).returning(web_clients.c.count)


_IDLE = select(households.c.platform_user).where(
    households.c.platform == bindparam("platform"),
    households.c.updated_at < bindparam("before", type_=households.c.updated_at.type),
)


def _insert_household(dialect: str) -> ClauseElement:
    """A new household's row, or nothing when a racing first turn has just created it."""
    now = bindparam("now", type_=households.c.created_at.type)
    row = {
        "platform": bindparam("platform"),
        "platform_user": bindparam("user"),
        "state": bindparam("new_state"),
        "created_at": now,
        "updated_at": now,
    }
    if dialect not in ("postgresql", "sqlite"):
        return insert(households).values(row)
    insert_row = upsert(households, dialect).values(row)
    return insert_row.on_conflict_do_nothing(index_elements=["platform", "platform_user"])


@dataclass
class _Transaction:
    """A transaction's cursor, and whether it must reach the disk before its commit returns."""

    cursor: Any
    durable: bool = False


class SqlStore:
    """The Store on SQLAlchemy Core: SQLite or PostgreSQL.

    Transactions run on a pooled DBAPI connection with the dialect's own BEGIN, COMMIT and
    ROLLBACK (SQLite: BEGIN IMMEDIATE under the writer lock), statements on its cursor.
    """

    def __init__(self, url: str, cipher: AnswerCipher | None = None) -> None:
        self.url = url
        self.engine = _make_engine(url)
        dialect = self.engine.dialect
        self.is_sqlite = dialect.name == "sqlite"
        self.cipher = cipher
        self._dialect = dialect
        self._household = Prepared(_HOUSEHOLD, dialect)
        self._lock_household = Prepared(_LOCK_HOUSEHOLD, dialect)
        self._insert_household = Prepared(_insert_household(dialect.name), dialect)
        self._save_state = Prepared(_SAVE_STATE, dialect)
        self._delete_household = Prepared(_DELETE_HOUSEHOLD, dialect)
        self._count_miss = Prepared(_count_miss(dialect.name), dialect)
        self._misses = Prepared(_MISSES, dialect)
        self._admit = Prepared(_admit(dialect.name), dialect)
        self._idle = Prepared(_IDLE, dialect)
        self._journal = JournalStatements(dialect)
        database = _sqlite_file(url) if self.is_sqlite else None
        self._wal = f"{database}-wal" if database is not None else None

    @contextmanager
    def _transaction(self) -> Iterator[_Transaction]:
        """A DBAPI cursor inside one transaction: committed on exit, rolled back on any error.

        A transaction the caller marks `durable` is on the disk before this returns:
        PostgreSQL commits it synchronously (its connections commit asynchronously by
        default, see _make_engine), SQLite's write-ahead log is flushed after the commit
        (outside the write lock, which the commit released). Others commit without waiting.
        """
        connection = self.engine.raw_connection()
        try:
            self._dialect.do_begin(connection)
            transaction = _Transaction(connection.cursor())
            try:
                yield transaction
                if transaction.durable and not self.is_sqlite:
                    transaction.cursor.execute(_PG_DURABLE_COMMIT)
                self._dialect.do_commit(connection)
            except BaseException as error:
                self._roll_back(connection, error)
                raise
            finally:
                transaction.cursor.close()
            if transaction.durable and self._wal is not None:
                _sync_to_disk(self._wal)
        finally:
            connection.close()  # back to the pool (or dropped, if invalidated)

    def _roll_back(self, connection: Any, error: BaseException) -> None:
        dbapi = self._dialect.loaded_dbapi
        try:
            self._dialect.do_rollback(connection)
        except Exception:
            connection.invalidate()  # a connection that cannot roll back is of no further use
            return
        if isinstance(error, dbapi.Error) and self._dialect.is_disconnect(error, connection, None):
            connection.invalidate()

    @contextmanager
    def turn(self, key: HouseholdKey) -> Iterator[HouseholdRecord]:
        """Lock the household's row (creating it on first use) for one conversation turn.

        Durability follows what the turn wrote. A turn that wrote to the journal (an answer
        saved, replaced or removed, a check-in opened or closed, everything deleted) is on
        disk before this returns: PostgreSQL commits it synchronously, SQLite's write-ahead
        log is fsynced after the commit. A turn that only moved the conversation along
        commits without waiting for the disk (PostgreSQL `synchronous_commit` off, SQLite
        `synchronous=NORMAL`): a crash of the process loses nothing, a power cut can lose
        the last moments of deck positions and steps, never an answer.
        """
        who = {"platform": key.platform, "user": key.user}
        with self._transaction() as transaction:
            cursor = transaction.cursor
            row = self._lock_household.one_or_none(cursor, who)
            if row is None:
                self._insert_household.execute(cursor, {**who, "new_state": "", "now": datetime.now(UTC)})
                row = self._lock_household.one_or_none(cursor, who)
                assert row is not None
            household_id, state = row
            journal = None
            if self.cipher is not None:
                journal = SqlJournal(cursor, household_id, self.cipher, self._journal)
            record = HouseholdRecord(id=household_id, state=state, journal=journal)
            yield record
            for place, kind in record.misses:
                miss = {"platform": key.platform, "place": place[:64], "kind": kind}
                self._count_miss.execute(cursor, miss)
            if record.state != state:
                self._save_state.execute(
                    cursor, {"household": household_id, "new_state": record.state, "now": datetime.now(UTC)}
                )
            transaction.durable = journal is not None and journal.changed

    def understanding_misses(self) -> list[tuple[str, str, str, int]]:
        """(platform, "flow.step", kind, count) of every counted miss, for the operator."""
        with self._transaction() as transaction:
            rows = self._misses.all(transaction.cursor, {})
        return [(str(platform), str(place), str(kind), int(count)) for platform, place, kind, count in rows]

    def load_state(self, key: HouseholdKey) -> str | None:
        """The stored state of a household, or None if it has never spoken."""
        who = {"platform": key.platform, "user": key.user}
        with self._transaction() as transaction:
            row = self._household.one_or_none(transaction.cursor, who)
        return None if row is None else str(row[1])

    def admit_new_household(self, client: str, limit: int, now: datetime) -> bool:
        """Count one more new household for `client` this minute; False once past `limit`."""
        since = now - timedelta(minutes=1)
        with self._transaction() as transaction:
            row = self._admit.one_or_none(transaction.cursor, {"client": client, "now": now, "since": since})
        return row is not None and int(row[0]) <= limit

    def idle_households(self, platform: str, before: datetime) -> list[str]:
        """The users of `platform`'s households untouched since `before`."""
        with self._transaction() as transaction:
            rows = self._idle.all(transaction.cursor, {"platform": platform, "before": before})
        return [str(row[0]) for row in rows]

    def delete_household(self, key: HouseholdKey) -> bool:
        """Remove the household and all it owns: answers, check-ins, state (durably)."""
        with self._transaction() as transaction:
            cursor = transaction.cursor
            row = self._lock_household.one_or_none(cursor, {"platform": key.platform, "user": key.user})
            if row is None:
                return False
            scope = {"household": row[0]}
            self._journal.delete_answers.execute(cursor, scope)
            self._journal.delete_checkins.execute(cursor, scope)
            self._delete_household.execute(cursor, scope)
            transaction.durable = True
        return True

    def export(self, key: HouseholdKey) -> dict[str, Any] | None:
        """Everything stored for one household, answers decrypted, as plain data."""
        if self.cipher is None:
            raise RuntimeError("no answer key configured")
        with self._transaction() as transaction:
            cursor = transaction.cursor
            row = self._household.one_or_none(cursor, {"platform": key.platform, "user": key.user})
            if row is None:
                return None
            household_id, state = row
            journal = SqlJournal(cursor, household_id, self.cipher, self._journal)
            kept = {kind: journal.recent(limit=1_000_000, kind=kind) for kind in Kind}
        return {
            "household": {"platform": key.platform, "user": key.user},
            "state": json.loads(state) if state else None,
            **{_EXPORTED[kind]: [_exported(record) for record in records] for kind, records in kept.items()},
        }

    def ping(self) -> None:
        """A trivial query, for readiness checks."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()


# PostgreSQL connections default to asynchronous commit (see _make_engine); a transaction
# that must survive a power cut asks for the synchronous one before it commits.
_PG_DURABLE_COMMIT = "SET LOCAL synchronous_commit TO on"


# each kind of journal entry under its own key in an export ("checkins" as before)
_EXPORTED = {
    Kind.CHECKIN: "checkins",
    Kind.APPRECIATION: "appreciations",
    Kind.DAILY: "days",
    Kind.WHEEL: "wheels",
}


def _exported(record: CheckInRecord) -> dict[str, Any]:
    """One journal entry as plain data, its answers in the order they were said."""
    return {
        "started_at": record.started_at.isoformat(),
        "completed_at": record.completed_at.isoformat() if record.completed_at else None,
        "answers": [
            {
                "topic": a.topic,
                "person": a.person,
                "name": a.name,
                "text": a.text,
                "said_at": a.said_at.isoformat(),
            }
            for a in sorted(record.answers, key=lambda a: (a.said_at, a.person))
        ],
    }


def _sqlite_file(url: str) -> str | None:
    """The database file a SQLite URL names (None for an in-memory database)."""
    database = url.split("///", 1)[-1]
    return database if database and database != ":memory:" else None


def _sync_to_disk(path: str) -> None:
    """Flush a file's data to the disk (after a commit: the transaction is durable)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return  # no log: the last connection checkpointed it into the (synced) database file
    try:
        os.fdatasync(descriptor)  # what SQLite itself calls on Linux for a synchronous commit
    finally:
        os.close(descriptor)


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        database = _sqlite_file(url)
        if database is not None:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        address = make_url(url)
        if address.drivername in ("sqlite", "sqlite+pysqlite"):
            address = address.set(drivername=_SQLITE_DRIVER)
        in_memory = url.split("///", 1)[-1] == ":memory:"
        engine = create_engine(address, poolclass=NullPool if in_memory else None)
        lock = None
        if database is not None and isinstance(engine.dialect, _ImmediateSQLiteDialect):
            lock = engine.dialect.writer_lock = _WriterLock(f"{database}-writer.lock")
        event.listen(engine, "connect", _sqlite_on_connect(lock))
        return engine
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    # connect_timeout: an unreachable server fails a turn (or /readyz) in 3 s instead of
    # hanging a sync worker past gunicorn's timeout and Alexa's ~8 s budget.
    # synchronous_commit off: a commit returns before PostgreSQL's WAL reaches the disk; the
    # turns that write the journal switch it back on for their own commit (SqlStore.turn).
    engine = create_engine(url, connect_args={"connect_timeout": 3, "options": "-c synchronous_commit=off"})
    event.listen(engine, "connect", _note_idle)
    event.listen(engine, "checkin", _note_idle)
    event.listen(engine, "checkout", _ping_if_idle(engine.dialect))
    return engine


# --------------------------------------------------------------------------- SQLite


class _WriterLock:
    """An exclusive lock file beside a SQLite database, held from BEGIN to COMMIT/ROLLBACK.

    SQLite makes a writer that finds the database locked sleep and retry (busy_timeout), in
    steps growing to 100 ms, so under concurrent turns from several workers a waiting turn
    oversleeps the one before it by tens of milliseconds: a p99 of hundreds of ms at eight
    connections. Queuing on flock(2) first wakes the next turn the moment the last one
    commits. The kernel drops the lock when a process dies, so a killed worker frees it.

    One open file per thread (flock excludes separate opens, so threads queue too). A thread
    that begins a second transaction while it holds the lock on another connection does not
    take it again: that transaction waits on SQLite's busy_timeout, as it would without this.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()

    def acquire(self, dbapi_connection: Any) -> None:
        local = self._local
        if getattr(local, "holder", None) is not None:
            return
        if getattr(local, "fd", None) is None:
            local.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(local.fd, fcntl.LOCK_EX)
        local.holder = dbapi_connection

    def release(self, dbapi_connection: Any) -> None:
        local = self._local
        if getattr(local, "holder", None) is dbapi_connection:
            local.holder = None
            fcntl.flock(local.fd, fcntl.LOCK_UN)


class _ImmediateSQLiteDialect(SQLiteDialect_pysqlite):
    """pysqlite whose transactions begin with BEGIN IMMEDIATE, queued on a `_WriterLock`.

    A turn reads its household and then writes: taking SQLite's write lock at BEGIN makes
    concurrent turns wait for it rather than fail to upgrade a read lock. This is
    Dialect.do_begin, which SQLAlchemy calls on every begin; an engine "begin" event would
    do the same but turns on event dispatch for every statement of the connection, about a
    sixth of a state-only turn's CPU.
    """

    supports_statement_cache = True  # a subclass must say so, or SQLAlchemy stops caching
    writer_lock: _WriterLock | None = None  # set per engine for a database file

    def do_begin(self, dbapi_connection: Any) -> None:
        lock = self.writer_lock
        if lock is None:
            dbapi_connection.execute("BEGIN IMMEDIATE")
            return
        lock.acquire(dbapi_connection)
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE")
        except BaseException:
            lock.release(dbapi_connection)
            raise

    def do_commit(self, dbapi_connection: Any) -> None:
        try:
            dbapi_connection.commit()  # what the base dialect does
        finally:
            if self.writer_lock is not None:
                self.writer_lock.release(dbapi_connection)

    def do_rollback(self, dbapi_connection: Any) -> None:
        try:
            dbapi_connection.rollback()  # what the base dialect does
        finally:
            if self.writer_lock is not None:
                self.writer_lock.release(dbapi_connection)


_SQLITE_DRIVER = "sqlite+heart_to_heart"
registry.register(_SQLITE_DRIVER.replace("+", "."), __name__, _ImmediateSQLiteDialect.__name__)


def _sqlite_on_connect(lock: _WriterLock | None) -> Callable[[Any, Any], None]:
    """The "connect" listener: WAL, NORMAL sync, busy timeout and foreign keys on each connection.

    Switching a new database to WAL needs an exclusive lock, and SQLite answers "database is
    locked" at once, without waiting, when two fresh connections try it together (workers
    starting on a new database): the writer lock queues them.
    """

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy's own transaction control (the dialect's BEGIN IMMEDIATE), not pysqlite's.
        dbapi_connection.isolation_level = None
        if lock is not None:
            lock.acquire(dbapi_connection)
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.execute("PRAGMA journal_mode=WAL")
            # NORMAL: a commit does not wait for the disk (WAL mode stays consistent through a
            # crash). SQLite cannot change this inside a transaction, so a turn that must survive
            # a power cut (it saved an answer) fsyncs the log after its commit (SqlStore.turn).
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
        finally:
            if lock is not None:
                lock.release(dbapi_connection)

    return on_connect


# --------------------------------------------------------------------------- PostgreSQL

# A pooled PostgreSQL connection is pinged (an empty query: one round trip) before a turn
# only when it has been idle this long. One that came back from a turn a moment ago is
# alive; pinging it every time (pool_pre_ping: one round trip in five, and psycopg toggles
# autocommit around it) cost about a quarter of a state-only turn's CPU on localhost.
# HikariCP skips its liveness check the same way. The cost: a server restart in the last
# second fails the next turn of each busy worker once (SQLAlchemy then drops the pool).
_PING_AFTER_IDLE = 1.0  # seconds
_IDLE_SINCE = "heart_to_heart_idle_since"


def _note_idle(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(dialect: Dialect) -> Callable[[Any, Any, Any], None]:
    """A pool "checkout" listener: ping the connection if it has been idle a while."""

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is not None and time.monotonic() - idle_since < _PING_AFTER_IDLE:
            return
        try:
            dialect.do_ping(dbapi_connection)  # the ping pool_pre_ping sends, autocommit on
        except Exception as error:
            # The pool discards this connection and checks out a new one (up to three tries).
            raise DisconnectionError("pooled connection failed its ping") from error

    return checkout


# pg_advisory_xact_lock key of the migration: any constant that nothing else uses.
_MIGRATION_LOCK = 0x4854480001


def migrate(store: SqlStore) -> None:
    """Bring the schema to the newest revision; cheap when it is already there.

    Safe when several processes (workers, machines) start on a new database at once: one
    migrates while the others wait for its lock (PostgreSQL: an advisory lock; SQLite: the
    write lock of BEGIN IMMEDIATE), then find the schema current and do nothing.
    """
    with store.engine.connect() as conn:
        before = _current_revision(conn)
        if before == HEAD_REVISION:
            return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with store.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        if inspect(conn).has_table("alembic_version") and _current_revision(conn) == HEAD_REVISION:
            return  # another process migrated while this one waited for the lock
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    if before is not None and before < _SCRUBBED_REVISION:
        scrub_free_space(store)


def scrub_free_space(store: SqlStore) -> None:
    """Rewrite the database files so that nothing deleted or overwritten survives in them.

    SQLite: `secure_delete` zeroes freed content, `VACUUM` rebuilds the file, and a
    truncating checkpoint empties the write-ahead log. PostgreSQL: `VACUUM FULL` rewrites the
    households table (its old file, with the old row versions, is removed). Neither can run
    inside a transaction, so this runs on the driver's connection outside one (pysqlite
    connections here never open one implicitly; psycopg's is switched to autocommit).
    """
    connection = store.engine.raw_connection()
    try:
        driver: Any = connection.dbapi_connection
        if store.is_sqlite:
            cursor = driver.cursor()
            for statement in ("PRAGMA secure_delete = ON", "VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"):
                cursor.execute(statement)
            cursor.close()
        elif store.engine.dialect.name == "postgresql":
            driver.commit()
            driver.autocommit = True
            try:
                driver.execute("VACUUM FULL households")
            finally:
                driver.autocommit = False
    finally:
        connection.close()


def _current_revision(conn: Any) -> str | None:
    try:
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    except Exception:  # no table yet: a new database
        conn.rollback()
        return None
    return None if row is None else str(row[0])
