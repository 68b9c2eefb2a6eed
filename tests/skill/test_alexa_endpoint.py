"""POST /alexa with real Alexa request envelopes, through Flask's test client."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dialogue.content import load_content
from tests.conftest import AlexaSession, load_fixture

CONTENT = load_content()
QUESTION_TEXTS = {q.text: q for q in CONTENT.questions.values()}


def question_of(reply) -> str:  # type: ignore[no-untyped-def]
    assert reply.card is not None, reply.body
    return str(reply.card["content"])


def test_launch_greets_a_new_household_then_welcomes_it_back(alexa: AlexaSession) -> None:
    first = alexa.launch()
    assert first.status == 200
    assert "Welcome to Heart to Heart" in first.speech
    assert first.reprompt and not first.ended
    assert first.ssml.startswith("<speak>") and first.ssml.endswith("</speak>")
    alexa.intent("AMAZON.StopIntent")
    again = alexa.launch()
    assert "Welcome to Heart to Heart" not in again.speech


def test_a_question_about_family_with_a_resolved_slot(alexa: AlexaSession) -> None:
    alexa.launch()
    reply = alexa.intent("AskQuestionIntent", category=("growing up", "FAMILY"))
    assert reply.status == 200
    text = question_of(reply)
    assert QUESTION_TEXTS[text].category == "FAMILY"
    assert reply.card["title"] == "About family"  # type: ignore[index]
    assert reply.speech.count(text) == 1
    assert not reply.ended and reply.reprompt


def test_unresolved_slot_words_still_pick_the_category(alexa: AlexaSession) -> None:
    alexa.launch()
    reply = alexa.intent("AskQuestionIntent", category="the future")
    assert QUESTION_TEXTS[question_of(reply)].category == "HOPES_AND_DREAMS"


def test_one_shot_question_without_launch(alexa: AlexaSession) -> None:
    reply = alexa.intent("AskQuestionIntent", category=("faith", "SPIRITUALITY"))
    assert QUESTION_TEXTS[question_of(reply)].category == "SPIRITUALITY"


def test_whole_deck_through_the_webhook_across_sessions(client: FlaskClient) -> None:
    alexa = AlexaSession(client, user_id="amzn1.ask.account.DECKWALKER")
    seen = []
    for index in range(53):
        if index % 10 == 0:
            alexa.session_id = None  # a new session every ten questions
        reply = alexa.intent("AskQuestionIntent") if index % 2 else alexa.intent("AMAZON.NextIntent")
        seen.append(question_of(reply))
    assert sorted(seen) == sorted(QUESTION_TEXTS)


def test_another_household_has_its_own_deck(client: FlaskClient) -> None:
    one, two = AlexaSession(client, "amzn1.ask.account.ONE"), AlexaSession(client, "amzn1.ask.account.TWO")
    for _ in range(9):
        one.intent("AskQuestionIntent", category=("family", "FAMILY"))
    fresh = [question_of(two.intent("AskQuestionIntent", category=("family", "FAMILY"))) for _ in range(9)]
    assert len(set(fresh)) == 9


def test_help_is_state_aware_over_the_wire(alexa: AlexaSession) -> None:
    alexa.launch()
    home = alexa.intent("AMAZON.HelpIntent").speech
    alexa.intent("RememberWhenIntent")
    game = alexa.intent("AMAZON.HelpIntent").speech
    assert home != game and "next person" in game.lower()


def test_fallback_twice_lists_what_to_say(alexa: AlexaSession) -> None:
    alexa.launch()
    first = alexa.intent("AMAZON.FallbackIntent")
    second = alexa.intent("AMAZON.FallbackIntent")
    assert "what you can say" not in first.speech.lower()
    assert "what you can say" in second.speech.lower()
    assert not second.ended and second.reprompt


@pytest.mark.parametrize("intent", ["AMAZON.StopIntent", "AMAZON.CancelIntent"])
def test_stop_and_cancel_end_the_session(alexa: AlexaSession, intent: str) -> None:
    alexa.launch()
    alexa.intent("AskQuestionIntent")
    reply = alexa.intent(intent)
    assert reply.ended and reply.speech and not reply.reprompt


def test_session_ended_request_gets_an_empty_response(alexa: AlexaSession) -> None:
    alexa.launch()
    reply = alexa.session_ended()
    assert reply.status == 200
    assert "outputSpeech" not in reply.response


def test_malformed_json_is_a_400_with_a_reason(client: FlaskClient) -> None:
    result = client.post("/alexa", data=b'{"version": "1.0", ', content_type="application/json")
    assert result.status_code == 400
    assert "JSON" in result.get_json()["error"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"[]", "application/json"),
        (b'"hello"', "application/json"),
        (b"{}", "application/json"),
        (json.dumps({"version": "1.0", "request": {"type": "LaunchRequest"}}).encode(), "application/json"),
        (b"version=1.0", "application/x-www-form-urlencoded"),
        (b"\xff\xfe\x00", "application/json"),
    ],
)
def test_things_that_are_not_alexa_requests_get_400(
    client: FlaskClient, body: bytes, content_type: str
) -> None:
    result = client.post("/alexa", data=body, content_type=content_type)
    assert result.status_code == 400
    assert result.get_json()["error"]


def test_an_intent_request_without_an_intent_is_refused(client: FlaskClient) -> None:
    envelope = load_fixture("intent_request")
    del envelope["request"]["intent"]
    result = client.post("/alexa", json=envelope)
    assert result.status_code == 400
    assert "request" in result.get_json()["error"]


def test_oversize_body_is_413(client: FlaskClient) -> None:
    result = client.post("/alexa", data=b"{" + b" " * 200_000 + b"}", content_type="application/json")
    assert result.status_code == 413
    assert result.get_json() == {"error": "request body is too large"}


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"]
)
def test_a_body_without_a_content_length_is_read_too(client: FlaskClient, content_type: str) -> None:
    """Chunked bodies (gunicorn: no length, input terminated) take werkzeug's reader."""
    body = json.dumps(load_fixture("launch_request")).encode()
    chunked_body = {"wsgi.input_terminated": True}
    chunked = client.post(
        "/alexa",
        input_stream=io.BytesIO(body),
        headers={"Content-Type": content_type, "Transfer-Encoding": "chunked"},
        environ_overrides=chunked_body,
    )
    assert chunked.status_code == 200
    assert chunked.get_json()["response"]["outputSpeech"]["ssml"].startswith("<speak>")
    huge = client.post(
        "/alexa",
        input_stream=io.BytesIO(b"{" + b" " * 200_000 + b"}"),
        headers={"Content-Type": content_type, "Transfer-Encoding": "chunked"},
        environ_overrides=chunked_body,
    )
    assert huge.status_code == 413


def test_verification_on_by_default_refuses_unsigned_requests(
    make_app: Callable[[dict[str, Any]], Flask], sqlite_url: str
) -> None:
    app = make_app({"DATABASE_URL": sqlite_url})
    assert app.config["ALEXA_VERIFY_SIGNATURES"] is True
    result = app.test_client().post("/alexa", json=load_fixture("launch_request"))
    assert result.status_code == 400
    assert "signature" in result.get_json()["error"].lower()


def test_turning_verification_off_warns_at_start_up(
    make_app: Callable[[dict[str, Any]], Flask], sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    make_app({"DATABASE_URL": sqlite_url, "ALEXA_VERIFY_SIGNATURES": "false"})
    assert any("ALEXA_VERIFY_SIGNATURES is off" in r.getMessage() for r in caplog.records)


def test_skill_id_allow_list(make_app: Callable[[dict[str, Any]], Flask], sqlite_url: str) -> None:
    app = make_app(
        {
            "DATABASE_URL": sqlite_url,
            "ALEXA_VERIFY_SIGNATURES": False,
            "ALEXA_SKILL_IDS": "amzn1.ask.skill.someone-else, amzn1.ask.skill.another",
        }
    )
    result = app.test_client().post("/alexa", json=load_fixture("launch_request"))
    assert result.status_code == 400
    assert "application" in result.get_json()["error"].lower()
    allowed = load_fixture("launch_request")["context"]["System"]["application"]["applicationId"]
    app = make_app({"DATABASE_URL": sqlite_url, "ALEXA_VERIFY_SIGNATURES": False, "ALEXA_SKILL_IDS": allowed})
    assert app.test_client().post("/alexa", json=load_fixture("launch_request")).status_code == 200


def test_an_internal_fault_is_a_spoken_apology_not_a_stack_trace(
    app: Flask,
    alexa: AlexaSession,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(app.extensions["conversation"].store, "turn", broken)
    reply = alexa.launch()
    assert reply.status == 200
    assert "sorry" in reply.speech.lower()
    assert "Traceback" not in json.dumps(reply.body) and "fire" not in json.dumps(reply.body)
    assert any("turn failed: RuntimeError" in r.getMessage() for r in caplog.records)


def test_state_survives_an_app_restart(
    make_app: Callable[[dict[str, Any]], Flask], sqlite_url: str, tmp_path: Path
) -> None:
    first_app = make_app({"DATABASE_URL": sqlite_url, "ALEXA_VERIFY_SIGNATURES": False})
    alexa = AlexaSession(first_app.test_client(), "amzn1.ask.account.RESTART")
    seen = {question_of(alexa.intent("AskQuestionIntent", category=("family", "FAMILY"))) for _ in range(5)}
    second_app = make_app({"DATABASE_URL": sqlite_url, "ALEXA_VERIFY_SIGNATURES": False})
    alexa = AlexaSession(second_app.test_client(), "amzn1.ask.account.RESTART")
    later = {question_of(alexa.intent("AskQuestionIntent", category=("family", "FAMILY"))) for _ in range(4)}
    assert seen.isdisjoint(later)
    assert (tmp_path / "skill.sqlite3").exists()


def test_session_attributes_sent_by_a_client_are_not_echoed(alexa: AlexaSession) -> None:
    envelope = alexa._envelope("launch_request")
    envelope["session"]["attributes"] = {"junk": "x" * 50_000}
    reply = alexa.post(envelope)
    assert reply.status == 200 and "Welcome" in reply.speech
    assert "junk" not in json.dumps(reply.body) and len(json.dumps(reply.body)) < 5_000
