"""Storage benchmark: the CPU and wall time of one conversation turn's storage work.

Run:  .venv/bin/python bench/store_bench.py                 (SQLite; about 20 s)
      .venv/bin/python bench/store_bench.py --postgres postgresql://postgres@127.0.0.1:5432/test
      .venv/bin/python bench/store_bench.py --million      (adds a 1,000,000-answer database)
      .venv/bin/python bench/store_bench.py --quick        (small counts, for a smoke run)

It drives `SqlStore` directly, the way `skill.conversation.Conversation.turn` does, without
Flask or the dialogue core, so the figures are the storage layer's alone. Kinds of turn:

- new:    the first turn of a household (its row is created), state written
- state:  a turn that changes the household's state (lock the row, UPDATE, COMMIT)
- answer: a check-in answer turn: a new answer saved (encrypted) and the state changed
- redo:   the same, but the answer replaces one already saved (same check-in, topic, person)

Each household starts one check-in during the set-up; answer turns then save into it.

SQLite runs on a file in a temporary folder, WAL + synchronous=NORMAL as shipped: answer
turns fsync the log after their commit (so their wall time depends on the disk), state
turns do not wait for it. PostgreSQL (--postgres,
any database name in the URL) runs in a throwaway database `store_bench_<pid>` created and
dropped through the server's `postgres` database. CPU is this process's time.process_time:
the app worker's share; the database server's own CPU is not in it.

Every statement the store issues (the turn's, and the rarer playback, delete and export
ones) is recorded once and explained: EXPLAIN QUERY PLAN on SQLite; EXPLAIN on PostgreSQL
with --million (on a nearly empty PostgreSQL database the planner rightly prefers
sequential scans, so only the filled one says anything). A full scan of a table is
reported and makes the exit status 1.

--million also builds a second database holding 1,000,000 answers (50,000 households,
100,000 check-ins of ten answers each, written with one INSERT ... SELECT per table) and
prints the same turns against it next to the empty database's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from dialogue.ports import Answer  # noqa: E402
from skill.storage import HouseholdKey, SqlStore, migrate  # noqa: E402
from skill.storage.crypto import AnswerCipher  # noqa: E402
from skill.storage.prepared import Prepared  # noqa: E402

KINDS = ("new", "state", "answer", "redo")
TOPICS = ("appreciation", "working_well", "lacking", "unspoken", "wish")
ANSWER_TEXT = "the way you made dinner every night the week I was ill, without being asked"
# About the size of a real household's state: names, alerts, a check-in under way, a session.
STATE = '{"v": 3, "household": {"names": ["sam", "alex"], "voices": {}, "alerts": []}, "pad": "%s", "n": %d}'
STATE_PAD = "x" * 480
FILL_HOUSEHOLDS = 50_000
FILL_CHECKINS_EACH = 2
FILL_SAID_SQLITE = "2026-01-04 20:00:00.000000"  # SQLAlchemy's SQLite DateTime format
FILL_SAID_POSTGRES = datetime(2026, 1, 4, 20, 0, tzinfo=UTC)


@dataclass
class Timing:
    """One kind of turn: per-turn means (median over rounds) and pooled wall percentiles."""

    cpu_us: list[float] = field(default_factory=list)
    wall_us: list[float] = field(default_factory=list)
    samples_us: list[float] = field(default_factory=list)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpu_us)

    @property
    def wall(self) -> float:
        return statistics.median(self.wall_us)

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.samples_us)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# --------------------------------------------------------------------------- the turns


class Workload:
    """Households with a check-in each, and the four kinds of turn against them."""

    def __init__(self, store: SqlStore, households: int, tag: str) -> None:
        self.store = store
        self.tag = tag
        self.keys = [HouseholdKey("alexa", f"amzn1.ask.account.BENCH{tag}{n:05d}") for n in range(households)]
        self.checkins: dict[HouseholdKey, int] = {}
        self.counter = 0
        self.new_count = 0
        self.answers_saved = 0

    def set_up(self) -> None:
        """Create the households, start one check-in each and save the answer `redo` replaces."""
        now = datetime.now(UTC)
        for key in self.keys:
            with self.store.turn(key) as record:
                journal = record.journal
                assert journal is not None
                checkin = journal.start_checkin(now)
                journal.save_answer(self._answer(checkin, "redo", 0))
                record.state = self._state()
            self.checkins[key] = checkin

    def run(self, kind: str, turns: int) -> tuple[float, float, list[float]]:
        """`turns` turns of one kind, round-robin over the households: CPU s, wall s, per-turn µs."""
        one = self._turn_of(kind)
        samples: list[float] = []
        clock = time.perf_counter
        cpu_started, wall_started = time.process_time(), clock()
        for n in range(turns):
            started = clock()
            one(n)
            samples.append((clock() - started) * 1e6)
        return time.process_time() - cpu_started, clock() - wall_started, samples

    def _turn_of(self, kind: str) -> Callable[[int], None]:
        turns = {"new": self._new, "state": self._state_turn, "answer": self._answer_turn, "redo": self._redo}
        return turns[kind]

    def _new(self, _n: int) -> None:
        self.new_count += 1
        key = HouseholdKey("alexa", f"amzn1.ask.account.NEW{self.tag}{self.new_count:07d}")
        with self.store.turn(key) as record:
            record.state = self._state()

    def _state_turn(self, n: int) -> None:
        with self.store.turn(self.keys[n % len(self.keys)]) as record:
            record.state = self._state()

    def _answer_turn(self, n: int) -> None:
        key = self.keys[n % len(self.keys)]
        with self.store.turn(key) as record:
            assert record.journal is not None
            # A topic of its own: every answer of this kind is a new row, as in a real check-in.
            self.counter += 1
            record.journal.save_answer(self._answer(self.checkins[key], f"q{self.counter:08d}", n % 2))
            record.state = self._state()
        self.answers_saved += 1

    def _redo(self, n: int) -> None:
        key = self.keys[n % len(self.keys)]
        with self.store.turn(key) as record:
            assert record.journal is not None
            record.journal.save_answer(self._answer(self.checkins[key], "redo", 0))
            record.state = self._state()

    def _state(self) -> str:
        self.counter += 1
        return STATE % (STATE_PAD, self.counter)

    @staticmethod
    def _answer(checkin: int, topic: str, person: int) -> Answer:
        return Answer(checkin, topic, person, ANSWER_TEXT, datetime.now(UTC), person_id=None)


def measure(store: SqlStore, households: int, turns: int, rounds: int, tag: str) -> dict[str, Timing]:
    """Warm up, then `rounds` rounds of every kind (interleaved, so drift hits all kinds alike)."""
    workload = Workload(store, households, tag)
    workload.set_up()
    for kind in KINDS:
        workload.run(kind, max(turns // 10, 20))
    # Statistics for the planner now the tables hold the workload's rows: PostgreSQL plans
    # from them (and a server may run without autovacuum, as the test server here does).
    settle(store)
    timings = {kind: Timing() for kind in KINDS}
    for _ in range(rounds):
        for kind in KINDS:
            cpu, wall, samples = workload.run(kind, turns)
            timings[kind].cpu_us.append(cpu / turns * 1e6)
            timings[kind].wall_us.append(wall / turns * 1e6)
            timings[kind].samples_us.extend(samples)
    check_answers(store, workload)
    return timings


def check_answers(store: SqlStore, workload: Workload) -> None:
    """The answer turns really wrote: one row per answer turn, plus one `redo` row per household."""
    prefix = f"amzn1.ask.account.BENCH{workload.tag}%"
    with store.engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT count(*) FROM answers JOIN households ON households.id = answers.household_id "
                "WHERE households.platform_user LIKE :prefix"
            ),
            {"prefix": prefix},
        ).scalar_one()
    expected = workload.answers_saved + len(workload.keys)
    if stored != expected:
        raise SystemExit(f"expected {expected} stored answers, found {stored}")


# --------------------------------------------------------------------------- query plans


def record_statements(store: SqlStore) -> list[tuple[str, Any]]:
    """Run one of every store operation, recording each distinct SQL statement and its parameters."""
    seen: dict[str, Any] = {}
    run = Prepared.execute

    def remember(prepared: Prepared, cursor: Any, values: Any) -> Any:
        seen.setdefault(prepared.sql, prepared.parameters(values))
        return run(prepared, cursor, values)

    # Every statement of the store runs through Prepared.execute (skill.storage.prepared).
    Prepared.execute = remember  # type: ignore[method-assign]
    try:
        tour(store)
    finally:
        Prepared.execute = run  # type: ignore[method-assign]
    return list(seen.items())


def tour(store: SqlStore) -> None:
    """Every operation of the store once: turns, journal calls, load, export, deletes."""
    mine, other = HouseholdKey("alexa", "bench.tour.MINE"), HouseholdKey("alexa", "bench.tour.OTHER")
    now = datetime.now(UTC)
    with store.turn(mine) as record:  # first use: the row is created
        record.state = "{}"
    with store.turn(other) as record:
        record.state = "{}"
    with store.turn(mine) as record:
        journal = record.journal
        assert journal is not None
        checkin = journal.start_checkin(now)
        journal.save_answer(Answer(checkin, "wish", 0, ANSWER_TEXT, now))
        journal.save_answer(Answer(checkin, "wish", 0, ANSWER_TEXT + " again", now))
        journal.save_answer(Answer(checkin, "lacking", 1, ANSWER_TEXT, now))
        journal.remove_answer(checkin, "lacking", 1)
        journal.complete_checkin(checkin, now)
        journal.recent(8)
        record.state = '{"v": 1}'
    with store.turn(other) as record:  # another household's check-in is refused
        assert record.journal is not None
        try:
            record.journal.save_answer(Answer(checkin, "wish", 0, ANSWER_TEXT, now))
        except LookupError:
            pass
        else:
            raise SystemExit("a household saved into another household's check-in")
    store.load_state(mine)
    store.export(mine)
    with store.turn(mine) as record:
        assert record.journal is not None
        record.journal.delete_all()
    store.delete_household(mine)
    store.delete_household(other)


def explain(store: SqlStore, statements: list[tuple[str, Any]]) -> int:
    """Print each statement's plan; the number of statements that scan a whole table."""
    sqlite = store.engine.dialect.name == "sqlite"
    scans = 0
    with store.engine.connect() as conn:
        for statement, parameters in statements:
            prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
            rows = conn.exec_driver_sql(prefix + statement, parameters).all()
            lines = [str(row[3]) if sqlite else str(row[0]) for row in rows]
            bad = [line for line in lines if _is_table_scan(line, sqlite)]
            scans += bool(bad)
            print(f"  {' '.join(statement.split())[:150]}")
            for line in lines:
                print(f"      {'!! ' if line in bad else ''}{line.strip()}")
        conn.rollback()
    return scans


def _is_table_scan(line: str, sqlite: bool) -> bool:
    if sqlite:
        # "SCAN answers" is a full pass over a table; "SEARCH ... USING INDEX" is a lookup, and
        # "SCAN CONSTANT ROW" is the VALUES/SELECT without FROM of an INSERT.
        return line.startswith("SCAN ") and not line.startswith("SCAN CONSTANT ROW")
    return "Seq Scan" in line


# --------------------------------------------------------------------------- 1,000,000 answers


def fill_million(store: SqlStore) -> float:
    """50,000 households x 2 check-ins x 10 answers, in one transaction; seconds taken."""
    started = time.perf_counter()
    sqlite = store.engine.dialect.name == "sqlite"
    token = Fernet(Fernet.generate_key()).encrypt(ANSWER_TEXT.encode())
    said: Any = FILL_SAID_SQLITE if sqlite else FILL_SAID_POSTGRES
    topics = ", ".join(f"('{topic}')" for topic in TOPICS)
    counts = ", ".join(f"({n})" for n in range(1, FILL_CHECKINS_EACH + 1))
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "WITH RECURSIVE n(i) AS "
                f"(SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {FILL_HOUSEHOLDS}) "
                "INSERT INTO households (platform, platform_user, state, created_at, updated_at) "
                "SELECT 'alexa', 'amzn1.ask.account.FILL' || CAST(i AS TEXT), '', :said, :said FROM n"
            ),
            {"said": said},
        )
        conn.execute(
            text(
                f"WITH k(n) AS (VALUES {counts}) "
                "INSERT INTO checkins (household_id, started_at, completed_at) "
                "SELECT h.id, :said, :said FROM households h, k "
                "WHERE h.platform_user LIKE 'amzn1.ask.account.FILL%'"
            ),
            {"said": said},
        )
        conn.execute(
            text(
                f"WITH t(topic) AS (VALUES {topics}), p(person) AS (VALUES (0), (1)) "
                "INSERT INTO answers "
                "(household_id, checkin_id, topic, person, person_id, ciphertext, said_at) "
                "SELECT c.household_id, c.id, t.topic, p.person, NULL, :token, :said FROM checkins c, t, p"
            ),
            {"token": token, "said": said},
        )
    settle(store)
    with store.engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM answers")).scalar_one()
    if count != FILL_HOUSEHOLDS * FILL_CHECKINS_EACH * len(TOPICS) * 2:
        raise SystemExit(f"the fill wrote {count} answers")
    return time.perf_counter() - started


def settle(store: SqlStore) -> None:
    """Planner statistics, and (SQLite) the WAL folded back into the file, before measuring."""
    if store.engine.dialect.name == "sqlite":
        # On the DB-API connection: SQLAlchemy's would open a transaction (BEGIN IMMEDIATE, see
        # skill.storage), inside which SQLite refuses to checkpoint.
        raw = store.engine.raw_connection()
        try:
            raw.execute("ANALYZE")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    else:
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


# --------------------------------------------------------------------------- databases


@contextmanager
def postgres_database(url: str, name: str) -> Iterator[str]:
    """A database `name` on the server of `url`, created through `postgres`, dropped afterwards."""
    server = make_url(url).set(drivername="postgresql+psycopg")
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def opened(url: str, cipher: AnswerCipher) -> Iterator[SqlStore]:
    store = SqlStore(url, cipher)
    try:
        migrate(store)
        yield store
    finally:
        store.dispose()


# --------------------------------------------------------------------------- output


def print_table(title: str, columns: dict[str, dict[str, Timing]]) -> None:
    print(f"\n{title}")
    names = list(columns)
    header = f"  {'kind':<8}" + "".join(
        f"{name + ' cpu':>16}{name + ' wall':>16}{'p50':>8}{'p99':>8}" for name in names
    )
    if len(names) == 2:
        header += f"{'cpu ratio':>11}{'wall ratio':>11}"
    print(header + "   (µs per turn)")
    for kind in KINDS:
        line = f"  {kind:<8}"
        for name in names:
            t = columns[name][kind]
            line += f"{t.cpu:>16.0f}{t.wall:>16.0f}{t.percentile(0.5):>8.0f}{t.percentile(0.99):>8.0f}"
        if len(names) == 2:
            first, second = (columns[name][kind] for name in names)
            line += f"{second.cpu / first.cpu:>11.2f}{second.wall / first.wall:>11.2f}"
        print(line)


def run_backend(label: str, url: str, million_url: str | None, args: argparse.Namespace) -> int:
    """Measure one backend (and its filled twin); the number of statements that scan."""
    cipher = AnswerCipher([Fernet.generate_key().decode()])
    columns: dict[str, dict[str, Timing]] = {}
    scans = 0
    with opened(url, cipher) as store:
        columns["empty"] = measure(store, args.households, args.turns, args.rounds, "E")
        statements = record_statements(store)
        if store.is_sqlite:
            print(f"\n{label}: plans of the {len(statements)} statements the store issues")
            scans += explain(store, statements)
    if million_url is not None:
        with opened(million_url, cipher) as store:
            seconds = fill_million(store)
            print(f"\n{label}: filled 1,000,000 answers in {seconds:.1f} s")
            columns["1M"] = measure(store, args.households, args.turns, args.rounds, "M")
            print(f"\n{label} with 1,000,000 answers: plans of the statements the store issues")
            scans += explain(store, record_statements(store))
    print_table(
        f"{label}: {args.households} households, {args.turns} turns x {args.rounds} rounds per kind "
        "(cpu/wall: median of the rounds' means; p50/p99: wall, all turns)",
        columns,
    )
    return scans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="also measure PostgreSQL on this server")
    parser.add_argument("--million", action="store_true", help="also measure with 1,000,000 stored answers")
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke run")
    parser.add_argument("--households", type=int, default=64)
    parser.add_argument("--turns", type=int, default=2000, help="turns per kind per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only-postgres", action="store_true", help="skip SQLite")
    args = parser.parse_args()
    if args.quick:
        args.turns, args.rounds = 200, 2
    print(f"python {sys.version.split()[0]}, pid {os.getpid()}")
    scans = 0
    with tempfile.TemporaryDirectory(prefix="hth-store-bench-") as tmp:
        folder = Path(tmp)
        if not args.only_postgres:
            scans += run_backend(
                "SQLite (WAL, synchronous=NORMAL, answer turns fsynced)",
                f"sqlite:///{folder / 'empty.sqlite3'}",
                f"sqlite:///{folder / 'million.sqlite3'}" if args.million else None,
                args,
            )
    if args.postgres:
        name = f"store_bench_{os.getpid()}"
        with postgres_database(args.postgres, name) as url:
            if args.million:
                with postgres_database(args.postgres, name + "_million") as million:
                    scans += run_backend("PostgreSQL", url, million, args)
            else:
                scans += run_backend("PostgreSQL", url, None, args)
    if scans:
        print(f"\n{scans} statement plan(s) scan a whole table (marked !!)")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
