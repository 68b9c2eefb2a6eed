"""The life balance wheel, going deeper and photo show-and-tell through POST /alexa and /web/turn.

The wheel's ratings on SQLite and PostgreSQL: kept encrypted, one row per area and person,
scoped to their household, in the export, and deleted with "delete everything we said"."""

from __future__ import annotations

import json
from datetime import datetime

import responses
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import text

from skill.storage import HouseholdKey
from tests.conftest import AlexaSession
from tests.skill.test_safety import web
from tests.skill.test_timers import TIMERS, sent, timer_created

SAM = ["8", "6", "5", "4", "9", "7", "8", "7"]
ALEX = ["9", "8", "6", "3", "7", "6", "9", "8"]


def wheel_rows(app: Flask) -> list[tuple[int, str, int, bytes]]:
    with app.extensions["store"].engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT a.household_id, a.topic, a.person, a.ciphertext FROM answers a "
                "JOIN checkins c ON c.id = a.checkin_id WHERE c.kind = 'wheel' ORDER BY a.id"
            )
        ).all()
    return [(int(h), str(t), int(p), bytes(c)) for h, t, p, c in rows]


def test_a_wheel_on_alexa_is_kept_encrypted_scoped_exported_and_deleted(checkin_app: Flask) -> None:
    client = checkin_app.test_client()
    alexa = AlexaSession(client, "amzn1.ask.account.WHEELHOUSE")
    other = AlexaSession(client, "amzn1.ask.account.NEIGHBOURS")
    other.launch()
    alexa.launch()
    started = alexa.intent("WheelIntent")
    assert "rate them from one to ten" in started.speech
    assert started.response["directives"][0]["type"] == "Dialog.ElicitSlot"
    for value in SAM + ALEX:
        reply = alexa.intent("RatingIntent", rating=value)
        assert reply.status == 200
    assert "That's your wheel, kept." in reply.speech
    assert "The lowest was money." in reply.speech

    rows = wheel_rows(checkin_app)
    assert len(rows) == 16 and {topic for _h, topic, _p, _c in rows} >= {"relationships", "money"}
    key = Fernet(checkin_app.config["ANSWER_KEYS"].split(",")[0].encode())
    plain = [json.loads(key.decrypt(c).decode().lstrip("\x1e")) for _h, _t, _p, c in rows]
    assert [p["text"] for p in plain] == SAM + ALEX
    assert all(c not in (b"8", b"9") and len(c) > 50 for _h, _t, _p, c in rows), "ciphertext, not the number"

    store = checkin_app.extensions["store"]
    export = store.export(HouseholdKey("alexa", alexa.user_id))
    (wheel,) = export["wheels"]
    assert [a["text"] for a in wheel["answers"]][:8] == SAM
    assert store.export(HouseholdKey("alexa", other.user_id))["wheels"] == [], "scoped to its household"
    assert "There's no wheel kept yet." in other.intent("WheelReadBackIntent").speech

    asked = alexa.intent("DeleteEverythingIntent")
    assert "your wheel ratings" in asked.speech
    alexa.intent("AMAZON.YesIntent")
    assert wheel_rows(checkin_app) == []
    assert store.export(HouseholdKey("alexa", alexa.user_id))["wheels"] == []


def test_going_deeper_in_the_browser_pauses_and_picks_up_another_day(checkin_app: Flask) -> None:
    client = checkin_app.test_client()
    session = "web-deeper-household-0001"
    web(client, session, "")
    first = web(client, session, "um can we go deeper tonight")
    assert "three sets of questions" in first["speech_text"] and "One of you first." in first["speech_text"]
    done = web(client, session, "okay i'm done")
    assert done["speech_text"].startswith("Now the other, the same question.")
    second = web(client, session, "your turn")
    assert "Next question" in second["speech_text"] or "next one" in second["speech_text"]
    paused = web(client, session, "let's stop here and pick it up tomorrow")
    assert "I'll keep your place" in paused["speech_text"]
    web(client, session, "")
    back = web(client, session, "let's carry on going deeper")
    assert back["speech_text"].startswith("Welcome back. Let's pick up where you stopped.")


def test_photo_show_and_tell_on_alexa_times_each_turn_with_a_real_timer(
    alexa: AlexaSession, amazon: responses.RequestsMock, fixed_clock: datetime
) -> None:
    amazon.post(TIMERS, json=timer_created("photos-1", "PT5M"))
    alexa.launch()
    intro = alexa.intent("PhotoIntent")
    assert "put your phones on do not disturb" in intro.speech and not intro.ended
    going = alexa.intent("AMAZON.YesIntent")
    assert going.ended and "I've set a timer for 5 minutes" in going.speech
    [body] = sent(amazon, "POST", TIMERS)
    assert body["duration"] == "PT5M"
    spoken = body["triggeringBehavior"]["operation"]["textToAnnounce"][0]["text"]
    assert spoken.startswith("Time to pass the photos on.")


def test_a_wheel_typed_in_the_browser_the_way_people_rate(checkin_app: Flask) -> None:
    client = checkin_app.test_client()
    session = "web-wheel-household-00001"
    web(client, session, "")
    first = web(client, session, "um can we do the life balance wheel")
    assert first["speech_text"].endswith("how happy are you with your relationship?")
    assert "seven" in first["suggestions"], "numbers are offered as chips while rating"
    said = ["eight", "maybe a six", "five i guess", "not great, a four", "a solid nine", "7", "8 out of 10"]
    for words in said:
        web(client, session, words)
    last = web(client, session, "skip")
    assert "Now the other." in last["speech_text"]
    for words in ["9", "8", "6", "3", "7", "6", "9", "8"]:
        reply = web(client, session, words)
    assert "That's your wheel, kept." in reply["speech_text"]
    assert "lowest is money, at 3" in reply["speech_text"]
    assert len(wheel_rows(checkin_app)) == 15  # one area skipped


def test_going_deeper_on_alexa_alternates_who_goes_first(alexa: AlexaSession, fixed_clock: datetime) -> None:
    alexa.launch()
    first = alexa.intent("DeeperIntent")
    assert "One of you first." in first.speech and not first.ended
    assert "Now the other, the same question." in alexa.intent("NextPersonIntent").speech
    second = alexa.intent("AMAZON.NextIntent")
    assert "One of you first." in second.speech and second.speech != first.speech
    paused = alexa.intent("PauseCheckInIntent")
    assert "I'll keep your place" in paused.speech and paused.ended


def test_photo_show_and_tell_in_the_browser_passes_the_turn(checkin_app: Flask) -> None:
    client = checkin_app.test_client()
    session = "web-photos-household-0001"
    web(client, session, "")
    intro = web(client, session, "can we show each other pictures and tell the story behind them")
    assert "do not disturb" in intro["speech_text"] and "about 5 minutes each" in intro["speech_text"]
    going = web(client, session, "yes")
    (timer,) = going["effects"]
    assert (timer["type"], timer["purpose"]) == ("timer", "photos")
    web(client, session, "")  # opened again while the turn's timer runs
    passed = web(client, session, "next person")
    assert "Now it's the other's turn" in passed["speech_text"]
    assert [e["type"] for e in passed["effects"]] == ["cancel_timer"], "passed on early: the timer goes"
