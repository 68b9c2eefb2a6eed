"""The store on a real SQLite file and a real PostgreSQL server: same behaviour on both."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from skill.storage import HEAD_REVISION, HouseholdKey, SqlStore, migrate


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[SqlStore]:
    if request.param == "sqlite":
        url = sqlite_url
    else:
        url = request.getfixturevalue("postgres_url")
    store = SqlStore(url)
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


def test_the_app_runs_on_postgresql(make_app, postgres_url: str) -> None:
    from tests.conftest import AlexaSession

    app = make_app({"DATABASE_URL": postgres_url, "ALEXA_VERIFY_SIGNATURES": False})
    alexa = AlexaSession(app.test_client(), "amzn1.ask.account.POSTGRES")
    assert "Welcome" in alexa.launch().speech
    assert alexa.intent("AskQuestionIntent", category=("family", "FAMILY")).card is not None
