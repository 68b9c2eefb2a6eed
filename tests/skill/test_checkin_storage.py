"""Check-ins through POST /alexa on SQLite and PostgreSQL: durable, encrypted, scoped, deletable."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import text

from skill.storage import HouseholdKey
from tests.conftest import AlexaSession, load_fixture

SECRET = "I never told you how scared I was in March"


def start_two(alexa: AlexaSession) -> None:
    alexa.launch()
    alexa.intent("StartCheckInIntent")
    alexa.intent("NameIntent", name="sam")
    alexa.intent("AMAZON.YesIntent")
    alexa.intent("NameIntent", name="alex")
    alexa.intent("AMAZON.YesIntent")
    alexa.intent("AMAZON.NoIntent")  # "anyone else joining?"


def answers_in_db(app: Flask) -> list[Any]:
    with app.extensions["store"].engine.connect() as conn:
        return list(conn.execute(text("SELECT household_id, topic, person, ciphertext FROM answers")).all())


def test_a_check_in_over_the_webhook_elicits_and_saves_each_answer(checkin_app: Flask) -> None:
    alexa = AlexaSession(checkin_app.test_client(), "amzn1.ask.account.CHECKIN")
    start_two(alexa)
    reply = alexa.intent("AnswerIntent", answer="the dinners you cooked")
    assert "Saved" in reply.speech or "kept" in reply.speech
    directives = reply.response.get("directives", [])
    assert directives and directives[0]["type"] == "Dialog.ElicitSlot"
    assert (
        directives[0]["slotToElicit"] == "answer" and directives[0]["updatedIntent"]["name"] == "AnswerIntent"
    )
    assert len(answers_in_db(checkin_app)) == 1


def test_redoing_an_answer_over_the_webhook_keeps_only_the_new_one(checkin_app: Flask) -> None:
    alexa = AlexaSession(checkin_app.test_client(), "amzn1.ask.account.REDO")
    start_two(alexa)
    alexa.intent("AnswerIntent", answer="the first try")
    alexa.intent("RedoAnswerIntent")
    alexa.intent("AnswerIntent", answer="what I meant")
    (row,) = answers_in_db(checkin_app)
    assert row.person == 0
    exported = checkin_app.extensions["store"].export(HouseholdKey("alexa", alexa.user_id))
    (checkin,) = exported["checkins"]
    assert [a["text"] for a in checkin["answers"]] == ["what I meant"]


def test_answers_are_unreadable_in_the_raw_table(checkin_app: Flask) -> None:
    alexa = AlexaSession(checkin_app.test_client(), "amzn1.ask.account.RAW")
    start_two(alexa)
    alexa.intent("AnswerIntent", answer=SECRET)
    (row,) = answers_in_db(checkin_app)
    raw = bytes(row.ciphertext)
    assert SECRET.encode() not in raw and b"scared" not in raw
    with pytest.raises(ValueError):
        from skill.storage.crypto import AnswerCipher

        AnswerCipher([Fernet.generate_key().decode()]).decrypt(raw)


def test_households_never_see_each_others_answers(checkin_app: Flask) -> None:
    client = checkin_app.test_client()
    one, two = AlexaSession(client, "amzn1.ask.account.ONE"), AlexaSession(client, "amzn1.ask.account.TWO")
    start_two(one)
    one.intent("AnswerIntent", answer=SECRET)
    two.launch()
    reply = two.intent("CheckInPlaybackIntent")
    assert SECRET not in reply.speech and "haven't saved" in reply.speech
    assert len({row.household_id for row in answers_in_db(checkin_app)}) == 1


def test_answers_survive_an_app_restart(
    make_app: Callable[[dict[str, Any]], Flask], database_url: str
) -> None:
    config = {"DATABASE_URL": database_url, "ALEXA_VERIFY_SIGNATURES": False}
    first = make_app(config)
    alexa = AlexaSession(first.test_client(), "amzn1.ask.account.RESTART2")
    start_two(alexa)
    alexa.intent("AnswerIntent", answer=SECRET)
    first.extensions["store"].dispose()
    second = make_app(config)
    alexa = AlexaSession(second.test_client(), "amzn1.ask.account.RESTART2")
    alexa.launch()
    alexa.intent("CheckInPlaybackIntent")
    assert SECRET in alexa.intent("AMAZON.YesIntent").speech


def test_delete_by_voice_removes_every_answer(checkin_app: Flask) -> None:
    alexa = AlexaSession(checkin_app.test_client(), "amzn1.ask.account.DELETE")
    start_two(alexa)
    alexa.intent("AnswerIntent", answer="one")
    alexa.intent("AnswerIntent", answer="two")
    alexa.intent("DeleteCheckInsIntent")
    alexa.intent("AMAZON.NoIntent")
    assert len(answers_in_db(checkin_app)) == 2
    alexa.intent("DeleteCheckInsIntent")
    assert "deleted" in alexa.intent("AMAZON.YesIntent").speech.lower()
    assert answers_in_db(checkin_app) == []


def test_skill_disabled_deletes_all_of_that_households_data(checkin_app: Flask) -> None:
    client = checkin_app.test_client()
    leaving, staying = (
        AlexaSession(client, "amzn1.ask.account.LEAVING"),
        AlexaSession(client, "amzn1.ask.account.STAYING"),
    )
    for alexa in (leaving, staying):
        start_two(alexa)
        alexa.intent("AnswerIntent", answer="kept or not")
    event = load_fixture("skill_disabled_event")
    event["context"]["System"]["user"]["userId"] = leaving.user_id
    result = client.post("/alexa", json=event)
    assert result.status_code == 200 and "outputSpeech" not in result.get_json()["response"]
    with checkin_app.extensions["store"].engine.connect() as conn:
        users = [row[0] for row in conn.execute(text("SELECT platform_user FROM households"))]
    assert users == [staying.user_id]
    assert len(answers_in_db(checkin_app)) == 1


def test_answers_never_appear_in_logs(checkin_app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    alexa = AlexaSession(checkin_app.test_client(), "amzn1.ask.account.LOGS")
    start_two(alexa)
    alexa.intent("AnswerIntent", answer=SECRET)
    alexa.intent("CheckInPlaybackIntent")
    assert SECRET not in caplog.text and "scared" not in caplog.text


def test_export_command_prints_one_households_data(checkin_app: Flask) -> None:
    alexa = AlexaSession(checkin_app.test_client(), "amzn1.ask.account.EXPORT")
    start_two(alexa)
    alexa.intent("AnswerIntent", answer=SECRET)
    other = AlexaSession(checkin_app.test_client(), "amzn1.ask.account.OTHER")
    start_two(other)
    other.intent("AnswerIntent", answer="not yours")
    result = checkin_app.test_cli_runner().invoke(
        args=["export-household", "--user", "amzn1.ask.account.EXPORT"]
    )
    assert result.exit_code == 0, result.output
    assert SECRET in result.output and "not yours" not in result.output
    assert '"names": [' in result.output


def test_parallel_households_on_two_app_instances_lose_no_answer(
    make_app: Callable[[dict[str, Any]], Flask], database_url: str
) -> None:
    config = {"DATABASE_URL": database_url, "ALEXA_VERIFY_SIGNATURES": False}
    apps = [make_app(config), make_app(config)]
    confirmed: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def household(number: int) -> None:
        try:
            alexa = AlexaSession(apps[number % 2].test_client(), f"amzn1.ask.account.PAR{number}")
            start_two(alexa)
            for index in range(4):
                alexa.client = apps[(number + index) % 2].test_client()
                reply = alexa.intent("AnswerIntent", answer=f"h{number} a{index}")
                if reply.status == 200 and ("Saved" in reply.speech or "kept" in reply.speech):
                    with lock:
                        confirmed.append(f"h{number} a{index}")
        except BaseException as error:  # noqa: BLE001 - asserted below
            errors.append(error)

    threads = [threading.Thread(target=household, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(confirmed) == 48
    with apps[0].extensions["store"].engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT count(*) FROM answers JOIN households ON households.id = answers.household_id "
                "WHERE households.platform_user LIKE 'amzn1.ask.account.PAR%'"
            )
        ).scalar()
    assert stored == len(confirmed)


def test_a_household_paused_under_the_previous_state_version_resumes_where_it_was(checkin_app: Flask) -> None:
    """State version 1 kept progress as "topic:person" strings; after the upgrade nobody loses their place."""
    alexa = AlexaSession(checkin_app.test_client(), "amzn1.ask.account.VERSION1")
    start_two(alexa)
    alexa.intent("AnswerIntent", answer="the dinners you cooked")  # Sam, appreciation
    alexa.intent("AnswerIntent", answer="the walk on Sunday")  # Alex, appreciation
    alexa.intent("AMAZON.NextIntent")  # Sam skips what's working well
    alexa.intent("PauseCheckInIntent")
    engine = checkin_app.extensions["store"].engine
    with engine.begin() as conn:  # written back as the previous release stored it
        state = json.loads(conn.execute(text("SELECT state FROM households")).scalar_one())
        progress = state["household"].pop("checkin")
        assert progress["done"] == [[0, 0], [0, 1], [1, 0]] and progress["asking"] == [1, 1]
        state["household"].update(
            checkin_id=progress["id"],
            checkin_done=["appreciation:0", "appreciation:1", "working_well:0"],
            checkin_current="working_well:1",
            checkin_last="appreciation:1",
        )
        state["version"] = 1
        conn.execute(text("UPDATE households SET state = :state"), {"state": json.dumps(state)})

    assert "check-in" in alexa.launch().speech  # the greeting still knows one is waiting
    resumed = alexa.intent("StartCheckInIntent")
    assert "what's working well" in resumed.speech and "Alex" in resumed.speech
    assert "Next" not in resumed.speech  # the topic is named once, not led in again
    alexa.intent("AnswerIntent", answer="we laugh a lot more")
    redone = alexa.intent("RedoAnswerIntent")  # the last answer is now Alex's new one
    assert "Alex" in redone.speech
    alexa.intent("AnswerIntent", answer="we laugh a lot")
    exported = checkin_app.extensions["store"].export(HouseholdKey("alexa", alexa.user_id))
    (checkin,) = exported["checkins"]  # the same check-in, not a new one
    said = [(a["topic"], a["name"], a["text"]) for a in checkin["answers"]]
    assert said == [
        ("appreciation", "Sam", "the dinners you cooked"),
        ("appreciation", "Alex", "the walk on Sunday"),
        ("working_well", "Alex", "we laugh a lot"),
    ]
    assert exported["state"]["version"] == 2 and exported["state"]["household"]["checkin"]["asking"] == [2, 0]
