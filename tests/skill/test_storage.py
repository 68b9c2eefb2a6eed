"""The store on a real SQLite file and a real PostgreSQL server: same behaviour on both."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import psycopg
import pytest
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.pool import QueuePool

import skill.storage
from dialogue.ports import Answer, Kind
from skill.storage import HEAD_REVISION, HouseholdKey, SqlStore, migrate
from skill.storage.crypto import AnswerCipher
from tests.conftest import POSTGRES_ADMIN_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[SqlStore]:
    if request.param == "sqlite":
        url = sqlite_url
    else:
        url = request.getfixturevalue("postgres_url")
    store = SqlStore(url, AnswerCipher([Fernet.generate_key().decode()]))
    migrate(store)
    yield store
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM households"))
    store.dispose()


ONE = HouseholdKey("alexa", "amzn1.ask.account.ONE")
TWO = HouseholdKey("alexa", "amzn1.ask.account.TWO")


def test_a_household_is_created_on_first_use_and_its_state_kept(store: SqlStore) -> None:
    assert store.load_state(ONE) is None
    with store.turn(ONE) as record:
        assert record.state == ""
        record.state = '{"v": 1}'
    assert store.load_state(ONE) == '{"v": 1}'


def test_households_are_isolated(store: SqlStore) -> None:
    with store.turn(ONE) as record:
        record.state = "one"
    with store.turn(TWO) as record:
        assert record.state == ""
        record.state = "two"
    assert (store.load_state(ONE), store.load_state(TWO)) == ("one", "two")
    assert store.delete_household(ONE)
    assert store.load_state(ONE) is None and store.load_state(TWO) == "two"


def test_a_failed_turn_changes_nothing(store: SqlStore) -> None:
    with store.turn(ONE) as record:
        record.state = "before"
    with pytest.raises(RuntimeError), store.turn(ONE) as record:
        record.state = "half written"
        raise RuntimeError
    assert store.load_state(ONE) == "before"


def test_migration_is_idempotent_and_recorded(store: SqlStore) -> None:
    migrate(store)
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION


def test_concurrent_turns_of_one_household_do_not_lose_updates(store: SqlStore) -> None:
    with store.turn(ONE) as record:
        record.state = "0"

    def bump() -> None:
        for _ in range(10):
            with store.turn(ONE) as record:
                record.state = str(int(record.state) + 1)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.load_state(ONE) == "40"


def test_first_turns_of_a_new_household_racing_create_one_row(store: SqlStore) -> None:
    key = HouseholdKey("alexa", "amzn1.ask.account.RACE")
    errors: list[BaseException] = []

    def first_turn() -> None:
        try:
            with store.turn(key):
                pass
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=first_turn) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with store.engine.connect() as conn:
        count = conn.execute(
            text("SELECT count(*) FROM households WHERE platform_user = :u"), {"u": key.user}
        )
        assert count.scalar() == 1


NOW = datetime(2026, 11, 22, 19, 0, tzinfo=UTC)


def answer(checkin: int, text: str, person: int = 0) -> Answer:
    return Answer(checkin, "wish", person, text, NOW, person_id=None)


def stored_answers(store: SqlStore) -> list[tuple[int, int, str, int]]:
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT household_id, checkin_id, topic, person FROM answers ORDER BY id"))
        return [tuple(row) for row in rows]


def test_an_answer_saved_again_replaces_the_first(store: SqlStore) -> None:
    with store.turn(ONE) as record:
        assert record.journal is not None
        checkin = record.journal.start_checkin(NOW)
        record.journal.save_answer(answer(checkin, "first"))
        assert record.journal.changed
    with store.turn(ONE) as record:
        assert record.journal is not None
        record.journal.save_answer(answer(checkin, "second"))
        record.journal.save_answer(answer(checkin, "the other one", person=1))
        (saved,) = record.journal.recent(8)
    assert sorted((a.person, a.text) for a in saved.answers) == [(0, "second"), (1, "the other one")]
    assert [row[1:] for row in stored_answers(store)] == [(checkin, "wish", 0), (checkin, "wish", 1)]


def test_an_answer_into_another_households_check_in_is_refused(store: SqlStore) -> None:
    with store.turn(ONE) as record:
        assert record.journal is not None
        checkin = record.journal.start_checkin(NOW)
        record.journal.save_answer(answer(checkin, "mine"))
    before = stored_answers(store)
    with store.turn(TWO) as record:
        assert record.journal is not None
        with pytest.raises(LookupError):
            record.journal.save_answer(answer(checkin, "not yours"))  # the same slot: no upsert
        with pytest.raises(LookupError):
            record.journal.save_answer(answer(checkin, "not yours", person=1))  # a free slot
        with pytest.raises(LookupError):
            record.journal.save_answer(answer(checkin + 1000, "no such check-in"))
        assert not record.journal.changed
        assert record.journal.recent(8) == []
    assert stored_answers(store) == before
    with store.turn(ONE) as record:
        assert record.journal is not None
        assert [a.text for a in record.journal.recent(8)[0].answers] == ["mine"]


def test_a_sqlite_turn_holds_the_write_lock_from_its_first_read(sqlite_url: str) -> None:
    store = SqlStore(sqlite_url, AnswerCipher([Fernet.generate_key().decode()]))
    migrate(store)
    path = sqlite_url.removeprefix("sqlite:///")
    try:
        with store.turn(ONE) as record:
            assert record.journal is not None
            cursor = record.journal.cursor
            assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            # NORMAL: a commit does not wait for the disk; turns that must, sync themselves.
            assert cursor.execute("PRAGMA synchronous").fetchone()[0] == 1
            # BEGIN IMMEDIATE: the turn took the write lock before its first read.
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
            record.state = "written"
        assert store.load_state(ONE) == "written"
    finally:
        store.dispose()


def test_sqlite_turns_that_write_the_journal_reach_the_disk_before_they_return(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An answer is fsynced into the write-ahead log after its commit; a step forward is not."""
    store = SqlStore(sqlite_url, AnswerCipher([Fernet.generate_key().decode()]))
    migrate(store)
    path = sqlite_url.removeprefix("sqlite:///")
    synced: list[tuple[str, int]] = []  # (file, answers committed when it was synced)

    def recording(sync: Callable[[int], None]) -> Callable[[int], None]:
        def recording_sync(descriptor: int) -> None:
            sync(descriptor)
            with sqlite3.connect(path) as reader:
                committed = reader.execute("SELECT count(*) FROM answers").fetchone()[0]
            synced.append((os.readlink(f"/proc/self/fd/{descriptor}"), committed))

        return recording_sync

    for name in ("fsync", "fdatasync"):  # either flushes the log's data to the disk
        monkeypatch.setattr(os, name, recording(getattr(os, name)))
    try:
        with store.turn(ONE) as record:
            assert record.journal is not None
            checkin = record.journal.start_checkin(NOW)
            record.journal.save_answer(answer(checkin, "an answer the skill will call saved"))
            assert synced == []  # not before the commit
        # After the commit (the answer is visible to another connection), before the turn returns.
        assert synced == [(os.path.realpath(path) + "-wal", 1)]
        for moved_on in ("the next question", "another step"):
            with store.turn(ONE) as record:
                record.state = moved_on
        assert len(synced) == 1  # state-only turns do not wait for the disk
        with store.turn(ONE) as record:
            assert record.journal is not None
            record.journal.delete_all()
        assert synced[1:] == [(os.path.realpath(path) + "-wal", 0)]  # a deletion is durable too
        assert store.delete_household(ONE)
        assert len(synced) == 3
    finally:
        store.dispose()


def test_postgres_turns_commit_synchronously_only_when_the_journal_changed(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqlStore(postgres_url, AnswerCipher([Fernet.generate_key().decode()]))
    migrate(store)
    statements: list[str] = []
    real_execute = psycopg.Cursor.execute

    def recording_execute(cursor: psycopg.Cursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        statements.append(str(query))
        return real_execute(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", recording_execute)
    durable = "SET LOCAL synchronous_commit TO on"
    try:
        with store.turn(ONE) as record:
            assert record.journal is not None
            assert record.journal.cursor.execute("SHOW synchronous_commit").fetchone() == ("off",)
            record.state = "a step forward"
        assert durable not in statements
        with store.turn(ONE) as record:
            assert record.journal is not None
            checkin = record.journal.start_checkin(NOW)
            record.journal.save_answer(answer(checkin, "kept"))
        assert statements[-1] == durable  # the last thing before COMMIT
        statements.clear()
        assert store.delete_household(ONE)
        assert statements[-1] == durable
    finally:
        with store.engine.begin() as conn:
            conn.execute(text("DELETE FROM households"))
        store.dispose()


def test_sqlite_turns_of_two_workers_queue_on_the_writer_lock(sqlite_url: str) -> None:
    """A second store (another worker's) waits for the first turn's commit, then goes at once."""
    key = [Fernet.generate_key().decode()]
    first, second = SqlStore(sqlite_url, AnswerCipher(key)), SqlStore(sqlite_url, AnswerCipher(key))
    migrate(first)
    waiting = threading.Event()
    done = threading.Event()
    seen: list[str] = []

    def other_worker() -> None:
        waiting.set()
        with second.turn(ONE) as record:
            seen.append(record.state)
            record.state = "second"
        done.set()

    try:
        # Turns queue on flock(2) beside the database, not on SQLite's sleep-and-retry.
        holder = os.open(sqlite_url.removeprefix("sqlite:///") + "-writer.lock", os.O_RDWR | os.O_CREAT)
        fcntl.flock(holder, fcntl.LOCK_EX)
        thread = threading.Thread(target=other_worker)
        thread.start()
        assert waiting.wait(5)
        assert not done.wait(0.3)
        fcntl.flock(holder, fcntl.LOCK_UN)
        os.close(holder)
        thread.join(5)
        assert done.is_set() and seen == [""]
        waiting.clear()
        done.clear()
        seen.clear()

        with first.turn(ONE) as record:
            record.state = "first"
            thread = threading.Thread(target=other_worker)
            thread.start()
            assert waiting.wait(5)
            assert not done.wait(0.3)  # queued behind this turn, not reading a stale state
        thread.join(5)
        assert done.is_set() and seen == ["first"]
        assert first.load_state(ONE) == "second"
        # A failed turn lets go of the lock too: the other worker's next turn is not blocked.
        with pytest.raises(RuntimeError), first.turn(ONE) as record:
            raise RuntimeError("fault inside a turn")

        def after_the_fault() -> None:
            with second.turn(TWO) as record:
                record.state = "after the fault"

        thread = threading.Thread(target=after_the_fault)
        thread.start()
        thread.join(5)
        assert second.load_state(TWO) == "after the fault"
    finally:
        first.dispose()
        second.dispose()


def test_a_postgres_connection_is_pinged_only_after_idling(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqlStore(postgres_url)
    migrate(store)
    pings: list[object] = []
    real_ping = store.engine.dialect.do_ping

    def counted_ping(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(store.engine.dialect, "do_ping", counted_ping)
    try:
        for _ in range(3):
            with store.turn(ONE) as record:
                record.state = "busy"
        assert pings == []  # back from a turn a moment ago: used without a round trip
        # Idle (here: any time at all), and killed by the server meanwhile: the ping finds
        # it dead, the pool replaces it, and the turn goes through.
        monkeypatch.setattr(skill.storage, "_PING_AFTER_IDLE", 0.0)
        admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            killed = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar()
        admin.dispose()
        assert killed
        with store.turn(ONE) as record:
            assert record.state == "busy"
            record.state = "after the restart"
        # The dead connection, then its replacement (with no idle allowance every checkout pings).
        assert len(pings) == 2 and getattr(pings[0], "closed", False)
        assert store.load_state(ONE) == "after the restart"
    finally:
        with store.engine.begin() as conn:
            conn.execute(text("DELETE FROM households"))
        store.dispose()


def test_a_postgres_turn_on_a_dead_connection_fails_once_then_the_pool_reconnects(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqlStore(postgres_url)
    migrate(store)
    monkeypatch.setattr(skill.storage, "_PING_AFTER_IDLE", 3600.0)  # never pinged: the turn finds out
    try:
        with store.turn(ONE) as record:
            record.state = "before"
        admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        admin.dispose()
        with pytest.raises(psycopg.OperationalError), store.turn(ONE) as record:
            record.state = "lost with the connection"
        assert cast(QueuePool, store.engine.pool).checkedout() == 0  # the dead connection was not kept
        with store.turn(ONE) as record:
            assert record.state == "before"
            record.state = "after"
        assert store.load_state(ONE) == "after"
    finally:
        with store.engine.begin() as conn:
            conn.execute(text("DELETE FROM households"))
        store.dispose()


def test_the_app_runs_on_postgresql(make_app: Callable[[dict[str, Any]], Flask], postgres_url: str) -> None:
    from tests.conftest import AlexaSession

    app = make_app({"DATABASE_URL": postgres_url, "ALEXA_VERIFY_SIGNATURES": False})
    alexa = AlexaSession(app.test_client(), "amzn1.ask.account.POSTGRES")
    assert "Welcome" in alexa.launch().speech
    assert alexa.intent("AskQuestionIntent", category=("family", "FAMILY")).card is not None


@pytest.fixture(params=["sqlite", "postgresql"])
def new_database(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
    """A database no process has migrated yet."""
    if request.param == "sqlite":
        yield sqlite_url
        return
    name = f"hth_migrate_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_workers_starting_together_on_a_new_database_migrate_it_once(new_database: str) -> None:
    """Four workers (own engines, own threads) start at once: every one ends up ready."""
    stores = [SqlStore(new_database, AnswerCipher([Fernet.generate_key().decode()])) for _ in range(4)]
    start = threading.Barrier(len(stores))
    failures: list[BaseException] = []

    def boot(store: SqlStore) -> None:
        start.wait()
        try:
            migrate(store)
        except BaseException as error:  # collected: the assertion below names it
            failures.append(error)

    threads = [threading.Thread(target=boot, args=(store,)) for store in stores]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert failures == []
        with stores[0].engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        assert versions == [HEAD_REVISION]
        with stores[1].turn(ONE) as record:
            record.state = "ready"
        assert stores[2].load_state(ONE) == "ready"
    finally:
        for store in stores:
            store.dispose()


def test_each_kind_of_entry_is_read_and_deleted_on_its_own_and_everything_goes_together(
    store: SqlStore,
) -> None:
    def entry(journal: Any, kind: Kind, words: str, when: datetime = NOW) -> int:
        entry_id = int(journal.start_checkin(when, kind))
        journal.save_answer(answer(entry_id, words))
        return entry_id

    with store.turn(ONE) as record:
        journal = record.journal
        assert journal is not None
        entry(journal, Kind.CHECKIN, "more walks")
        entry(journal, Kind.APPRECIATION, "you fixed the bike")
        entry(journal, Kind.DAILY, "a long day at work")
        entry(journal, Kind.DAILY, "a quiet day", when=NOW.replace(day=1))
        entry(journal, Kind.WHEEL, "7")  # a life balance rating
        assert journal.kinds() == {Kind.CHECKIN, Kind.APPRECIATION, Kind.DAILY, Kind.WHEEL}
        read = {kind: [a.text for r in journal.recent(8, kind) for a in r.answers] for kind in Kind}
        assert read == {
            Kind.CHECKIN: ["more walks"],
            Kind.APPRECIATION: ["you fixed the bike"],
            Kind.DAILY: ["a long day at work", "a quiet day"],
            Kind.WHEEL: ["7"],
        }
        assert [r.kind for r in journal.recent(8, Kind.DAILY)] == [Kind.DAILY, Kind.DAILY]
    with store.turn(TWO) as record:  # another household sees and deletes none of it
        assert record.journal is not None
        entry(record.journal, Kind.DAILY, "theirs")
        assert record.journal.delete_kind(Kind.CHECKIN) == 0
        assert record.journal.kinds() == {Kind.DAILY}
    export = store.export(ONE)
    assert export is not None
    assert [a["text"] for e in export["days"] for a in e["answers"]] == ["a long day at work", "a quiet day"]
    assert [a["text"] for e in export["appreciations"] for a in e["answers"]] == ["you fixed the bike"]
    assert [a["text"] for e in export["wheels"] for a in e["answers"]] == ["7"]
    with store.turn(ONE) as record:
        journal = record.journal
        assert journal is not None
        assert journal.delete_kind(Kind.CHECKIN) == 1  # "delete our check-ins": only the check-ins
        assert journal.kinds() == {Kind.APPRECIATION, Kind.DAILY, Kind.WHEEL}
        assert len(journal.delete_before(NOW.replace(day=2))) == 1  # retention takes every kind
        assert [a.text for r in journal.recent(8, Kind.DAILY) for a in r.answers] == ["a long day at work"]
        assert journal.delete_all() == 3  # "delete everything we said", the wheel's ratings too
        assert journal.kinds() == set()
    with store.turn(TWO) as record:
        assert record.journal is not None
        assert [a.text for r in record.journal.recent(8, Kind.DAILY) for a in r.answers] == ["theirs"]


def test_the_kinds_migration_makes_every_earlier_entry_a_check_in(sqlite_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    store = SqlStore(sqlite_url, AnswerCipher([Fernet.generate_key().decode()]))
    try:
        config = Config()
        config.set_main_option("script_location", str(Path(skill.storage.__file__).parent / "migrations"))
        with store.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0005")
            conn.execute(
                text(
                    "INSERT INTO households (id, platform, platform_user, state, created_at, updated_at) "
                    "VALUES (1, 'alexa', :user, '', :now, :now)"
                ),
                {"user": ONE.user, "now": NOW},
            )
            conn.execute(
                text("INSERT INTO checkins (household_id, started_at) VALUES (1, :now)"), {"now": NOW}
            )
        with store.engine.begin() as conn:
            checkin = conn.execute(text("SELECT id FROM checkins")).scalar_one()  # a check-in from before
        migrate(store)
        with store.turn(ONE) as record:
            assert record.journal is not None
            record.journal.save_answer(answer(checkin, "kept from before"))
            (entry,) = record.journal.recent(8, Kind.CHECKIN)
            assert entry.kind is Kind.CHECKIN and record.journal.recent(8, Kind.DAILY) == []
    finally:
        store.dispose()
