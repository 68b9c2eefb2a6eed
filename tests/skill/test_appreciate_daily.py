"""The appreciation round and the daily question through POST /alexa and /web/turn, on SQLite and
PostgreSQL: what is kept is encrypted, scoped to its household, read back, deleted by voice and
on SkillDisabled; danger words in a daily answer are answered and kept nowhere."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import text

from skill.storage import HouseholdKey
from tests.conftest import AlexaSession, load_fixture
from tests.skill.test_safety import stored_text, web

THANKS = "you took the bins out in the pouring rain"
MEANT = "it meant I could stay warm and read my book"
SHOWS = "that you look after people without being asked"
DAY = "the new manager finally listened to my idea"


def kinds_in_db(app: Flask) -> list[tuple[str, int]]:
    with app.extensions["store"].engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.kind, count(a.id) FROM checkins c JOIN answers a ON a.checkin_id = c.id "
                "GROUP BY c.kind ORDER BY c.kind"
            )
        ).all()
    return [(str(kind), int(count)) for kind, count in rows]


def state_of(app: Flask) -> str:
    with app.extensions["store"].engine.connect() as conn:
        return " ".join(row[0] for row in conn.execute(text("SELECT state FROM households")).all()).lower()


def test_an_appreciation_round_on_alexa_is_kept_encrypted_on_keep_it(
    checkin_app: Flask, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    alexa = AlexaSession(checkin_app.test_client(), "amzn1.ask.account.APPRECIATE")
    alexa.launch()
    first = alexa.intent("AppreciationIntent")
    assert "appreciation round" in first.speech and not first.ended
    assert first.response["directives"][0]["type"] == "Dialog.ElicitSlot"  # the answer is elicited
    for _giver in range(2):
        for said in (THANKS, MEANT, SHOWS):
            reply = alexa.intent("AnswerIntent", answer=said)
            assert reply.status == 200
    assert "Say keep it, or don't keep it." in reply.speech
    for word in ("bins", "warm", "look after"):
        assert word not in state_of(checkin_app), "never in the clear in the state while it is asked"
    done = alexa.intent("KeepItIntent")
    assert "I've kept them" in done.speech
    assert kinds_in_db(checkin_app) == [("appreciation", 6)]
    stored = stored_text(checkin_app, database_url)
    for word in ("pouring rain", "read my book", "without being asked"):
        assert word not in stored and word not in caplog.text.lower(), word
    export = checkin_app.extensions["store"].export(HouseholdKey("alexa", alexa.user_id))
    assert [a["text"] for a in export["appreciations"][0]["answers"]] == [THANKS, MEANT, SHOWS] * 2
    assert export["checkins"] == [] and export["days"] == []


def test_dont_keep_it_in_the_browser_deletes_the_round(checkin_app: Flask) -> None:
    client = checkin_app.test_client()
    session = "web-appreciation-household-1"
    web(client, session, "")
    assert "appreciation round" in web(client, session, "can we thank each other")["speech_text"]
    for said in (
        THANKS,
        MEANT,
        SHOWS,
        "um, you made me laugh when I was low",
        "I felt lighter",
        "she's kind",
    ):
        web(client, session, said)
    assert kinds_in_db(checkin_app) == [("appreciation", 6)]  # held, encrypted, until they choose
    reply = web(client, session, "no, that was just for us")
    assert "haven't kept any of it" in reply["speech_text"]
    assert kinds_in_db(checkin_app) == []


def test_a_round_left_unchosen_in_the_browser_is_gone_at_the_next_visit(checkin_app: Flask) -> None:
    client = checkin_app.test_client()
    session = "web-appreciation-household-2"
    web(client, session, "")
    web(client, session, "let's do appreciations")
    web(client, session, THANKS)
    assert kinds_in_db(checkin_app) == [("appreciation", 1)]
    web(client, session, "")  # they come back another day
    assert kinds_in_db(checkin_app) == []


def test_the_daily_question_in_the_browser_is_kept_read_back_and_danger_is_kept_nowhere(
    checkin_app: Flask, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = checkin_app.test_client()
    session = "web-daily-household-00001"
    web(client, session, "")
    asked = web(client, session, "ask us how our day was")
    assert asked["speech_text"].endswith("One of you first: how was your day?")
    web(client, session, DAY)
    danger = web(client, session, "honestly he pushed me against the wall again")
    assert "9 1 1" in danger["speech_text"]
    web(client, session, "no thanks")
    assert kinds_in_db(checkin_app) == [("daily", 1)]
    web(client, session, "")
    web(client, session, "what did we say about our day")
    read = web(client, session, "yes")
    assert "the new manager finally listened to my idea" in read["speech_text"]
    assert "pushed" not in read["speech_text"]
    stored = stored_text(checkin_app, database_url)
    for word in ("new manager", "pushed me", "against the wall"):
        assert word not in stored, word
        assert word not in caplog.text.lower(), word
    assert "SafetyIntent" not in caplog.text


def test_delete_our_check_ins_keeps_the_days_and_delete_everything_takes_all(checkin_app: Flask) -> None:
    client = checkin_app.test_client()
    session = "web-delete-kinds-household"
    web(client, session, "")
    for said in ["let's do our check-in", "Priya", "yes", "Tom", "yes", "no", "you cooked every night"]:
        web(client, session, said)
    web(client, session, "pause")
    web(client, session, "")
    for said in ["ask us how our day was", DAY, "long but fine"]:
        web(client, session, said)
    assert kinds_in_db(checkin_app) == [("checkin", 1), ("daily", 2)]
    confirm = web(client, session, "delete our check-ins")
    assert "Your days stay" in confirm["speech_text"]
    web(client, session, "yes")
    assert kinds_in_db(checkin_app) == [("daily", 2)]
    confirm = web(client, session, "delete everything we said")
    assert "your appreciations, your days, your wheel ratings and your names" in confirm["speech_text"]
    assert "Everything you said is deleted" in web(client, session, "yes")["speech_text"]
    assert kinds_in_db(checkin_app) == []


def test_skill_disabled_deletes_every_kind_of_that_household_only(checkin_app: Flask) -> None:
    client = checkin_app.test_client()
    leaving = AlexaSession(client, "amzn1.ask.account.LEAVINGKINDS")
    staying = AlexaSession(client, "amzn1.ask.account.STAYINGKINDS")
    for alexa in (leaving, staying):
        alexa.launch()
        alexa.intent("DailyIntent")
        alexa.intent("AnswerIntent", answer=DAY)
        alexa.intent("AnswerIntent", answer="quiet one")
        alexa.intent("AppreciationIntent")
        for said in (THANKS, MEANT, SHOWS):
            alexa.intent("AnswerIntent", answer=said)
    assert kinds_in_db(checkin_app) == [("appreciation", 6), ("daily", 4)]
    event = load_fixture("skill_disabled_event")
    event["context"]["System"]["user"]["userId"] = leaving.user_id
    assert client.post("/alexa", json=event).status_code == 200
    assert kinds_in_db(checkin_app) == [("appreciation", 3), ("daily", 2)]
    staying.launch()  # the unchosen round of the household that stayed goes at its next visit
    assert kinds_in_db(checkin_app) == [("daily", 2)]


def test_what_did_sam_say_yesterday_on_alexa_reads_that_day(checkin_app: Flask) -> None:
    conversation = checkin_app.extensions["conversation"]
    alexa = AlexaSession(checkin_app.test_client(), "amzn1.ask.account.DAILYREAD")
    day_one = datetime(2026, 11, 23, 19, 30, tzinfo=UTC)
    conversation.clock = lambda: day_one
    alexa.launch()
    alexa.intent("StartCheckInIntent")
    for intent, slots in [
        ("NameIntent", {"name": "sam"}),
        ("AMAZON.YesIntent", {}),
        ("NameIntent", {"name": "alex"}),
        ("AMAZON.YesIntent", {}),
        ("AMAZON.NoIntent", {}),
        ("PauseCheckInIntent", {}),
    ]:
        alexa.intent(intent, **slots)
    alexa.launch()
    alexa.intent("DailyIntent")
    alexa.intent("AnswerIntent", answer=DAY)
    alexa.intent("AnswerIntent", answer="quiet one")
    conversation.clock = lambda: day_one + timedelta(days=1)
    alexa.launch()
    ask = alexa.intent("DailyReadBackIntent", person="sam", spoken_day=("yesterday", "YESTERDAY"))
    assert "what sam said about the day" in ask.speech.lower()
    read = alexa.intent("AMAZON.YesIntent")
    assert "Sam said: the new manager finally listened to my idea." in read.speech
    assert "quiet one" not in read.speech
    assert "manager" not in json.dumps(read.response.get("card") or {}), "no card carries the words"


def test_a_kept_round_is_read_back_in_the_browser_only_to_its_household(checkin_app: Flask) -> None:
    client = checkin_app.test_client()
    ours, theirs = "web-appreciation-household-3", "web-appreciation-household-4"
    web(client, ours, "")
    web(client, ours, "let's do appreciations")
    for said in (THANKS, MEANT, SHOWS):
        web(client, ours, said)
    assert web(client, ours, "no thanks")["speech_text"].endswith("Say keep it, or don't keep it.")
    assert "I've kept them" in web(client, ours, "keep them please")["speech_text"]
    web(client, theirs, "")
    assert (
        "haven't kept an appreciation round" in web(client, theirs, "what did we appreciate")["speech_text"]
    )
    web(client, ours, "")
    assert "read out your appreciations" in web(client, ours, "what did we appreciate")["speech_text"]
    read = web(client, ours, "yes")["speech_text"]
    assert f"was grateful for: {THANKS}." in read and f"It meant: {MEANT}." in read
