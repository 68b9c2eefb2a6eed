"""The rules that work everywhere: launch, help, stop, repeat, start over, fallback."""

from __future__ import annotations

import itertools
import random

import pytest

from dialogue import intents, to_ssml
from dialogue.flows import all_rules
from tests.dialogue.conftest import Talk


def test_first_launch_explains_and_a_returning_household_is_welcomed_back(talk: Talk) -> None:
    talk.open()
    first = talk.text
    assert "Welcome to Heart to Heart" in first
    assert "question" in first and "Remember when" in first
    talk.say(intents.STOP)
    talk.open()
    assert "Welcome to Heart to Heart" not in talk.text
    assert "question" in talk.text.lower()


@pytest.mark.parametrize("intent", [intents.STOP, intents.CANCEL])
@pytest.mark.parametrize("where", ["home", "questions", "remember"])
def test_stop_and_cancel_end_the_session_everywhere(talk: Talk, intent: str, where: str) -> None:
    talk.open()
    if where == "questions":
        talk.say(intents.ASK_QUESTION)
    elif where == "remember":
        talk.say(intents.REMEMBER_WHEN)
    reply = talk.say(intent)
    assert reply.end_session and reply.reprompt is None
    assert talk.text


def test_help_fits_the_state(talk: Talk) -> None:
    talk.open()
    talk.say(intents.HELP)
    home_help = talk.text
    talk.say(intents.ASK_QUESTION)
    talk.say(intents.HELP)
    questions_help = talk.text
    talk.say(intents.REMEMBER_WHEN)
    talk.say(intents.HELP)
    remember_help = talk.text
    assert len({home_help, questions_help, remember_help}) == 3
    assert "next" in questions_help.lower()
    assert "next person" in remember_help.lower()
    assert talk.reply is not None and talk.reply.listens


def test_fallback_twice_in_a_row_says_what_can_be_said(talk: Talk) -> None:
    talk.open()
    talk.say(intents.ASK_QUESTION)
    talk.say(intents.FALLBACK)
    first = talk.text
    talk.say(intents.FALLBACK)
    second = talk.text
    assert first != second
    assert "what you can say" in second.lower()
    assert len(second) > len(first)
    talk.say(intents.NEXT)
    talk.say(intents.FALLBACK)
    assert "what you can say" not in talk.text.lower()  # the count starts again


def test_repeat_says_the_last_reply_again(talk: Talk) -> None:
    talk.open()
    greeting = talk.text
    talk.say(intents.REPEAT)
    assert talk.text == greeting


@pytest.mark.parametrize("intent", [intents.START_OVER, intents.HOME])
def test_start_over_and_home_go_back_to_the_menu(talk: Talk, intent: str) -> None:
    talk.open()
    talk.say(intents.ASK_QUESTION)
    talk.say(intent)
    assert "question" in talk.text.lower() and "remember when" in talk.text.lower()
    assert talk.state.session.flow == "home"


def test_yes_with_nothing_offered_gets_a_hint_not_a_crash(talk: Talk) -> None:
    talk.open()
    reply = talk.say(intents.YES)
    assert reply.listens and talk.text


def test_session_ended_says_nothing(talk: Talk) -> None:
    talk.open()
    reply = talk.say(intents.SESSION_ENDED)
    assert reply.speech == () and reply.end_session


def test_no_dead_ends_in_random_conversations() -> None:
    """Every reply that keeps the session open has a reprompt, and speech stays short."""
    names = sorted({rule.intent for rule in all_rules()} - {intents.LAUNCH})
    rng = random.Random(3)
    for seed in range(30):
        talk = Talk(seed)
        talk.open()
        for _ in range(40):
            reply = talk.say(rng.choice(names))
            if reply.end_session:
                talk.open()
                continue
            assert reply.reprompt is not None, talk.state.session
            assert reply.speech, talk.state.session
            ssml = to_ssml(reply.speech)
            assert len(ssml) < 8000
            # about 25 seconds of speech at ~15 characters a second, pauses included; a timed
            # exercise's quiet (one pause of 10 s or more, the hug) is not speech
            pauses = sum(p.ms for p in reply.speech if hasattr(p, "ms") and p.ms < 10_000)
            assert len(talk.text) / 15 + pauses / 1000 < 25


def test_replies_vary_over_repeated_use() -> None:
    openings = set()
    for seed in range(10):
        talk = Talk(seed)
        talk.open()
        talk.say(intents.STOP)
        talk.open()
        openings.add(talk.text)
    assert len(openings) > 1


def test_every_intent_in_every_state_gets_an_answer() -> None:
    names = sorted({rule.intent for rule in all_rules()} - {intents.SESSION_ENDED})
    for setup, intent in itertools.product(
        [(), (intents.ASK_QUESTION,), (intents.LIST_CATEGORIES,), (intents.REMEMBER_WHEN,)], names
    ):
        talk = Talk()
        talk.open()
        for step in setup:
            talk.say(step)
        reply = talk.say(intent)
        assert reply.speech, (setup, intent)


def test_state_survives_its_round_trip_and_respond_leaves_the_input_alone(talk: Talk) -> None:
    from dialogue import State

    talk.open()
    talk.say(intents.ASK_QUESTION)
    talk.say(intents.REMEMBER_WHEN)
    before = talk.state.to_json()
    assert State.from_json(before).to_json() == before
    copy = talk.state.copy()
    copy.household.asked.setdefault("FAMILY", []).append("x")
    copy.session.nudges.append(99)
    assert talk.state.to_json() == before


def test_respond_leaves_the_callers_state_alone_unless_it_is_handed_over() -> None:
    from dialogue import Event, Ports, State, respond

    before = State()
    kept = before.to_json()
    after, _ = respond(before, Event("@Launch", new_session=True), Ports(random.Random(1)))
    assert before.to_json() == kept and after is not before
    assert after.household.visits == 1 and after.session.flow == "home"

    again, _ = respond(after, Event(intents.ASK_QUESTION), Ports(random.Random(1)), handed_over=True)
    assert again is after and again.session.flow == "questions"
