"""The safe answer through the real adapters, on SQLite and PostgreSQL: the numbers are said,
and the words are nowhere afterwards (database files, stored state, logs, the request log's
intent names)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from tests.conftest import AlexaSession
from tests.skill.test_serving import request_lines

DANGER = "he shoved me into the wardrobe and said he'd break my arm"
WORDS = ("shoved", "wardrobe", "break my arm")


def stored_text(checkin_app: Flask, database_url: str) -> str:
    """Everything the database holds, as text: the raw SQLite files, or PostgreSQL's tables."""
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        return raw.decode("latin-1").lower()
    with checkin_app.extensions["store"].engine.connect() as conn:
        rows = conn.execute(text("SELECT h::text FROM households h")).all()
        rows += conn.execute(text("SELECT a::text FROM answers a")).all()
    return " ".join(row[0] for row in rows).lower()


def test_danger_words_in_a_check_in_answer_on_alexa_are_answered_and_kept_nowhere(
    checkin_app: Flask, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    alexa = AlexaSession(checkin_app.test_client(), "amzn1.ask.account.SAFETY")
    alexa.launch()
    for intent, slots in [
        ("StartCheckInIntent", {}),
        ("NameIntent", {"name": "sam"}),
        ("AMAZON.YesIntent", {}),
        ("NameIntent", {"name": "alex"}),
        ("AMAZON.YesIntent", {}),
        ("AMAZON.NoIntent", {}),
    ]:
        alexa.intent(intent, **slots)
    alexa.intent("AnswerIntent", answer="the walk on sunday")  # a real answer, kept
    reply = alexa.intent("AnswerIntent", answer=DANGER)
    assert reply.status == 200 and "9 1 1" in reply.speech and "7 2 3 3" in reply.speech
    assert reply.card is None and not reply.ended
    with checkin_app.extensions["store"].engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM answers")).scalar_one() == 1
    alexa.intent("AMAZON.NoIntent")
    stored = stored_text(checkin_app, database_url)
    assert "sam" in stored or "checkin" in stored, "the check-in itself is stored"
    for word in WORDS:
        assert word not in stored, word
        assert word not in caplog.text.lower(), word
    assert "SafetyIntent" not in caplog.text


def test_a_safety_request_is_logged_as_a_fallback(
    checkin_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    alexa = AlexaSession(checkin_app.test_client(), "amzn1.ask.account.SAFETYLOG")
    alexa.launch()
    alexa.intent("AMAZON.FallbackIntent")
    reply = alexa.intent("SafetyIntent")
    assert "9 1 1" in reply.speech
    intents_logged = [line.get("intent") for line in request_lines(caplog)]
    assert intents_logged[-2:] == ["AMAZON.FallbackIntent", "AMAZON.FallbackIntent"]
    assert "SafetyIntent" not in caplog.text


def web(client: Any, session: str, utterance: str, locale: str = "en-US") -> dict[str, Any]:
    body: dict[str, Any] = {"session_id": session, "locale": locale}
    body.update({"launch": True} if not utterance else {"utterance": utterance})
    result = client.post("/web/turn", json=body)
    assert result.status_code == 200, result.get_data(as_text=True)
    reply: dict[str, Any] = result.get_json()
    return reply


def test_danger_words_typed_in_the_browser_anywhere_get_the_countrys_numbers(
    checkin_app: Flask, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = checkin_app.test_client()
    session = "web-safety-household-0001"
    web(client, session, "", "en-GB")
    menu = web(client, session, "um I'm scared of my husband", "en-GB")
    assert "9 9 9" in menu["speech_text"] and "0 8 0 8, 2 0 0 0, 2 4 7" in menu["speech_text"]
    assert menu["card"] is None
    web(client, session, "no thanks", "en-GB")
    web(client, session, "", "en-GB")
    for said in ["let's do our check-in", "Priya", "yes", "Tom", "yes", "no"]:
        web(client, session, said, "en-GB")
    answer = web(client, session, f"what's lacking, honestly, {DANGER}", "en-GB")
    assert "9 9 9" in answer["speech_text"]
    assert "haven't kept" in answer["speech_text"] or "None of that was saved" in answer["speech_text"]
    again = web(client, session, "yes please", "en-GB")
    assert "press 5 5" in again["speech_text"]
    with checkin_app.extensions["store"].engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM answers")).scalar_one() == 0
    stored = stored_text(checkin_app, database_url)
    for word in (*WORDS, "scared of my husband"):
        assert word not in stored, word
        assert word not in caplog.text.lower(), word


def test_wanting_outside_help_in_the_browser_gets_the_pointer(checkin_app: Flask) -> None:
    client = checkin_app.test_client()
    session = "web-support-household-001"
    web(client, session, "")
    reply = web(client, session, "we've been bickering non stop for months, what do we do")
    assert reply["heard"]["intent"] == "SeekSupportIntent"
    assert "counsellor" in reply["speech_text"] and not reply["end_session"]
