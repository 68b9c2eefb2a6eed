"""skill.storage.prepared runs a Core statement on the DBAPI cursor with SQLAlchemy's own results.

SQLAlchemy's `Connection.execute` is the reference: for the same statement and values, the
rows a `Prepared` statement returns (datetimes converted on SQLite, binary as bytes) equal
the rows SQLAlchemy returns, on a real SQLite file and a real PostgreSQL server. Statements
whose SQL is only known per call are refused when prepared.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import bindparam, select, text

from dialogue.ports import Answer
from skill.storage import HouseholdKey, SqlStore, migrate
from skill.storage.crypto import AnswerCipher
from skill.storage.journal import _ANSWER_COLUMNS, _recent_checkins
from skill.storage.prepared import Prepared
from skill.storage.schema import answers, checkins

HOME = HouseholdKey("alexa", "amzn1.ask.account.PREPARED")
SAID = datetime(2026, 11, 29, 20, 15, 30, 123456, tzinfo=UTC)
WHO = text("SELECT id FROM households WHERE platform_user = :user")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[SqlStore]:
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    store = SqlStore(url, AnswerCipher([Fernet.generate_key().decode()]))
    migrate(store)
    with store.turn(HOME) as record:
        assert record.journal is not None
        for started in (SAID.replace(day=22), SAID):
            checkin = record.journal.start_checkin(started)
            for person in (0, 1):
                answer = Answer(checkin, "wish", person, f"wish {person}", SAID, person_id=None)
                record.journal.save_answer(answer)
            record.journal.complete_checkin(checkin, started)
    yield store
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM households WHERE platform_user = :user"), {"user": HOME.user})
    store.dispose()


def test_rows_equal_sqlalchemys_with_datetimes_and_binary(store: SqlStore) -> None:
    dialect = store.engine.dialect
    with store.engine.connect() as conn:
        household = conn.execute(WHO, {"user": HOME.user}).scalar_one()
    scope = {"household": household, "limit": 8, "kind": "checkin"}
    statements = {
        "recent check-ins": _recent_checkins(checkins.c.id, checkins.c.started_at, checkins.c.completed_at),
        "their answers": select(*_ANSWER_COLUMNS).where(
            answers.c.household_id == bindparam("household"),
            answers.c.checkin_id.in_(_recent_checkins(checkins.c.id).scalar_subquery()),
        ),
    }
    for name, statement in statements.items():
        with store.engine.connect() as conn:
            expected = [tuple(row) for row in conn.execute(statement, scope).all()]
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            got = Prepared(statement, dialect).all(cursor, scope)
        assert got == expected, name
        assert got, name
    assert all(isinstance(value, datetime) for row in got for value in (row[5],))
    assert all(isinstance(row[4], bytes) for row in got)


def test_statements_whose_sql_depends_on_the_values_are_refused(store: SqlStore) -> None:
    listed = select(answers.c.id).where(answers.c.id.in_(bindparam("ids", expanding=True)))
    with pytest.raises(ValueError, match="subquery"):
        Prepared(listed, store.engine.dialect)


def test_a_value_the_statement_carries_itself_is_bound_too(store: SqlStore) -> None:
    """SQLite adds OFFSET 0 to a LIMIT: a parameter the caller never names."""
    newest = _recent_checkins(checkins.c.started_at)
    with store.engine.connect() as conn:
        household = conn.execute(WHO, {"user": HOME.user}).scalar_one()
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        scope = {"household": household, "limit": 1, "kind": "checkin"}
        rows = Prepared(newest, store.engine.dialect).all(cursor, scope)
    assert [row[0].replace(tzinfo=UTC) for row in rows] == [SAID]
