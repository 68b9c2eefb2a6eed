"""The terminal chat and its utterance matcher: typed words through the real /alexa path."""

from __future__ import annotations

import pytest
from flask import Flask

from skill.alexa.simulate import SimulatedDevice
from skill.cli import ChatClient, _in_process_post
from skill.nlu import FALLBACK, matcher_for


@pytest.mark.parametrize(
    ("words", "intent", "slot"),
    [
        ("Give us a question about growing up!", "AskQuestionIntent", ("growing up", "FAMILY")),
        ("a question", "AskQuestionIntent", None),
        ("family", "AskQuestionIntent", ("family", "FAMILY")),
        ("another one", "AMAZON.NextIntent", None),
        ("say that again", "AMAZON.RepeatIntent", None),
        ("let's play remember when", "RememberWhenIntent", None),
        ("your turn", "NextPersonIntent", None),
        ("what categories are there", "ListCategoriesIntent", None),
        ("stop", "AMAZON.StopIntent", None),
        ("yes", "AMAZON.YesIntent", None),
        ("the weather in paris tomorrow", FALLBACK, None),
    ],
)
def test_matcher_finds_the_intent_and_resolves_the_category(
    words: str, intent: str, slot: tuple[str, str] | None
) -> None:
    match = matcher_for("en-US").match(words)
    assert match.intent == intent
    if slot is not None:
        assert match.slots["category"] == slot


def test_an_unknown_topic_keeps_its_words_unresolved() -> None:
    match = matcher_for("en-US").match("a question about cars")
    assert match.intent == "AskQuestionIntent"
    assert match.slots["category"] == ("cars", None)


def test_a_typed_conversation_through_the_webhook(app: Flask) -> None:
    client = ChatClient(_in_process_post(app), SimulatedDevice())
    greeting, ended = client.say("open heart to heart")
    assert "Welcome to Heart to Heart" in greeting and not ended
    question, _ = client.say("a question about faith")
    assert "spirituality" in question.lower()
    assert "&apos;" not in question and "<" not in question
    goodbye, ended = client.say("stop")
    assert ended and goodbye


def test_the_chat_command_runs_in_a_terminal(make_app, sqlite_url: str) -> None:

    app = make_app({"DATABASE_URL": sqlite_url, "ALEXA_VERIFY_SIGNATURES": False})
    result = app.test_cli_runner().invoke(
        args=["chat"], input="open heart to heart\nlet's play remember when\nstop\n"
    )
    assert result.exit_code == 0, result.output
    assert "Welcome to Heart to Heart" in result.output
    assert "Remember when" in result.output
    assert "(session ended)" in result.output


def test_a_check_in_typed_in_the_terminal_takes_bare_answers_like_alexa(app: Flask) -> None:
    client = ChatClient(_in_process_post(app), SimulatedDevice())
    client.say("open heart to heart")
    client.say("start our check in")
    confirm, _ = client.say("my name is sam")
    assert "Sam" in confirm
    client.say("yes")
    client.say("just me")
    saved, _ = client.say("the long walk we took on sunday")  # no carrier phrase: fills the elicited slot
    assert "Saved" in saved or "kept" in saved
    client.say("pause")
    client.say("open heart to heart")
    played, _ = client.say("what did i say last week")
    assert "the long walk we took on sunday" in played
