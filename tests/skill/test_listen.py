"""Listen to understand through /alexa and /web/turn: the quiet is really in what is sent."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.conftest import AlexaSession


def break_seconds(ssml: str) -> float:
    return sum(int(ms) for ms in re.findall(r'<break time="(\d+)ms"/>', ssml)) / 1000


def test_on_alexa_the_talking_minute_is_sixty_seconds_of_breaks_between_two_chimes(
    checkin_app: Flask,
) -> None:
    alexa = AlexaSession(checkin_app.test_client(), "amzn1.ask.account.LISTEN")
    alexa.launch()
    intro = alexa.intent("ListenIntent", duration="PT1M")
    assert "listening to understand" in intro.speech and not intro.ended
    talked = alexa.intent("AMAZON.YesIntent")
    assert 60 <= break_seconds(talked.ssml) < 63
    assert talked.ssml.count("<audio ") == 2 and "</speak>" in talked.ssml
    assert all(int(ms) <= 10_000 for ms in re.findall(r'<break time="(\d+)ms"/>', talked.ssml))
    said_back = alexa.intent("AMAZON.YesIntent")
    assert 60 <= break_seconds(said_back.ssml) < 63 and "did that feel understood" in said_back.speech


def test_in_the_browser_two_minutes_start_a_timer_and_finishing_early_picks_up(checkin_app: Flask) -> None:
    client = checkin_app.test_client()
    session = "web-listen-household-0001"

    def turn(**what: Any) -> dict[str, Any]:
        reply: dict[str, Any] = client.post("/web/turn", json={"session_id": session, **what}).get_json()
        return reply

    turn(launch=True)
    assert turn(utterance="can we do the listening exercise")["heard"]["intent"] == "ListenIntent"
    started = turn(utterance="yes")
    assert [effect["type"] for effect in started["effects"]] == ["timer"] and started["end_session"]
    opened = turn(launch=True)
    assert "still has" in opened["speech_text"] or "still 2 minutes" in opened["speech_text"]
    again = turn(utterance="we've finished talking")
    assert "Welcome back" in again["speech_text"]
    assert [effect["type"] for effect in again["effects"]] == ["cancel_timer"]
    said_back = turn(utterance="yes")
    pauses = sum(segment.get("pause", 0) for segment in said_back["segments"])
    assert pauses >= 60_000
