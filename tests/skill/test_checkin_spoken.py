"""A check-in typed as people talk, through /web/turn on SQLite and PostgreSQL: exactly what was
confirmed is stored, filler is not, and changing names half-way never breaks the household."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from skill.storage import HouseholdKey

SESSION = "spoken-checkin-0000001"


@pytest.fixture(params=["sqlite", "postgresql"])
def app(
    request: pytest.FixtureRequest, make_app: Callable[[dict[str, Any]], Flask], sqlite_url: str
) -> Flask:
    url = sqlite_url if request.param == "sqlite" else str(request.getfixturevalue("postgres_url"))
    built = make_app({"DATABASE_URL": url, "ALEXA_VERIFY_SIGNATURES": False})
    built.extensions["store"].delete_household(
        HouseholdKey("web", SESSION)
    )  # the PostgreSQL database is shared
    return built


def conversation(app: Flask, *lines: str) -> list[dict[str, Any]]:
    client = app.test_client()
    replies = []
    for words in lines:
        result = client.post("/web/turn", json={"session_id": SESSION, "utterance": words})
        assert result.status_code == 200
        reply: dict[str, Any] = result.get_json()
        assert "fault" not in reply, (words, reply["speech_text"])
        replies.append(reply)
    return replies


def saved(app: Flask) -> list[str]:
    exported = app.extensions["store"].export(HouseholdKey("web", SESSION))
    return [answer["text"] for checkin in exported["checkins"] for answer in checkin["answers"]]


def test_a_natural_check_in_keeps_only_what_was_meant(app: Flask) -> None:
    replies = conversation(
        app,
        "okay so let's do our check-in",
        "um I'm Priya",
        "yep",
        "and this is Tom",
        "yes",
        "no, that's all of us",
        "I'm grateful Priya took my Mum to the hospital",
        "hmm",
        "wait",
        "I appreciated that you cooked dinner",
        "hang on, what was the question",
        "we laughed a lot more this week",
        "help",
        "your turn",
        "let's stop for tonight",
    )
    heard = [reply["heard"]["intent"] for reply in replies]
    assert (
        heard[6] == "AnswerIntent"
        and "Saved" in replies[6]["speech_text"]
        or "kept" in replies[6]["speech_text"]
    )
    assert "skip" in replies[7]["speech_text"]  # "hmm": nothing kept, asked gently
    assert "leave that one" in replies[8]["speech_text"]  # "wait": the second, so the check-in moves on
    assert heard[10] == "AMAZON.RepeatIntent"
    assert replies[12]["elicit"] == {"intent": "AnswerIntent", "slot": "answer"}  # help keeps listening
    assert heard[13] == "AMAZON.NextIntent"  # "your turn" passes without saving
    assert heard[14] == "PauseCheckInIntent" and replies[14]["end_session"]
    assert saved(app) == [
        "I'm grateful Priya took my Mum to the hospital",
        "I appreciated that you cooked dinner",
        "we laughed a lot more this week",
    ]


def test_changing_names_half_way_then_just_me_keeps_the_household_working(app: Flask) -> None:
    conversation(
        app,
        "start our check in",
        "I'm Priya",
        "yes",
        "Tom",
        "yes",
        "let's begin",
        "the flowers",
        "the dinner",
        "we talk more",
        "change our names",
        "I'm Robin",
        "yes",
        "just me",
    )
    replies = conversation(app, "more walks", "a good book", "a quiet weekend", "start our check in")
    assert all("Robin" in reply["speech_text"] for reply in replies)
    assert replies[3]["heard"]["intent"] == "StartCheckInIntent"  # resumes, is not saved as an answer
    assert sorted(saved(app)) == sorted(
        ["the flowers", "the dinner", "we talk more", "more walks", "a good book", "a quiet weekend"]
    )
    # every answer stays with whoever said it, whatever the names are now
    priya = conversation(app, "pause", "what did Priya say", "yes")[2]["speech_text"]
    assert "Priya appreciated" in priya and "the flowers" in priya and "the dinner" not in priya
    tom = conversation(app, "what did Tom say about appreciation")[0]["speech_text"]
    assert "Tom appreciated" in tom and "the dinner" in tom


def test_parts_are_deleted_by_voice_and_old_check_ins_go_by_themselves(app: Flask) -> None:
    conversation(
        app,
        "start our check in",
        "I'm Priya and this is Tom",
        "yes",
        "that's everyone",
        "the flowers",
        "the dinner",
        "we talk more",
        "let's stop for tonight",
        "delete Tom's answer about appreciation",
        "yes",
    )
    assert sorted(saved(app)) == ["the flowers", "we talk more"]
    conversation(app, "delete last week's check-in", "yes")
    assert saved(app) == []
    conversation(app, "start our check in", "a kept thought", "pause")
    assert saved(app) == ["a kept thought"]
    replies = conversation(app, "only keep our check-ins for three months")
    assert "3 months" in replies[0]["speech_text"] and saved(app) == ["a kept thought"]
    store = app.extensions["store"]
    four_months_ago = {
        "postgresql": "UPDATE checkins SET started_at = started_at - INTERVAL '120 days'",
        "sqlite": "UPDATE checkins SET started_at = datetime(started_at, '-120 days')",
    }
    with store.engine.begin() as conn:
        conn.exec_driver_sql(four_months_ago[conn.dialect.name])
    conversation(app, "open heart to heart")  # nobody asks: a new session tidies first
    assert saved(app) == []
