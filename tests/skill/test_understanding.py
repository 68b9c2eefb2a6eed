"""Misses are counted per platform and step, never with the words; the operator reads them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask

SESSION = "understanding-counts-0001"
SECRET = "purple elephant"


@pytest.fixture(params=["sqlite", "postgres"])
def counted_app(request: pytest.FixtureRequest, make_app: Any, sqlite_url: str) -> Flask:
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    app: Flask = make_app({"DATABASE_URL": url, "ALEXA_VERIFY_SIGNATURES": False})
    store = app.extensions["store"]
    with store.engine.begin() as conn:  # the PostgreSQL database is shared by the run
        conn.exec_driver_sql("DELETE FROM understanding_misses")
    return app


def say(app: Flask, words: str) -> dict[str, Any]:
    result = app.test_client().post("/web/turn", json={"session_id": SESSION, "utterance": words})
    assert result.status_code == 200
    reply: dict[str, Any] = result.get_json()
    return reply


def test_fallbacks_and_near_misses_are_counted_where_they_happen_without_words(counted_app: Flask) -> None:
    say(counted_app, "open heart to heart")
    say(counted_app, f"{SECRET} on the moon")  # nothing: a fallback at the menu
    say(counted_app, f"{SECRET} and the weather")  # again
    say(counted_app, "can u gimme a qestion")  # a near miss, then a question is asked
    say(counted_app, "another one")  # understood outright: not counted
    rows = counted_app.extensions["store"].understanding_misses()
    assert rows == [("web", "home.menu", "fallback", 2), ("web", "home.menu", "near_miss", 1)]

    runner = counted_app.test_cli_runner()
    shown = runner.invoke(args=["understanding"])
    assert shown.exit_code == 0
    assert "home.menu" in shown.output and "fallback" in shown.output
    as_json = json.loads(runner.invoke(args=["understanding", "--json"]).output)
    assert {"platform": "web", "place": "home.menu", "kind": "near_miss", "count": 1} in as_json
    with counted_app.extensions["store"].engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT * FROM understanding_misses").fetchall()
    assert SECRET not in repr(stored) and "qestion" not in repr(stored)


def test_an_answer_is_never_a_miss(counted_app: Flask) -> None:
    say(counted_app, "start our check in")
    say(counted_app, "I'm Sam")
    say(counted_app, "yes")
    say(counted_app, "just me")
    saved = say(counted_app, f"the {SECRET} we saw at the zoo")
    assert saved["heard"] == {
        "intent": "AnswerIntent",
        "slots": {"answer": f"the {SECRET} we saw at the zoo"},
    }
    assert counted_app.extensions["store"].understanding_misses() == []
