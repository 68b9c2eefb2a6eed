"""When it matters: the safe answer to danger and the pointer to outside help, in the core."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from dialogue import intents, safety
from dialogue.engine import respond
from dialogue.model import Event, Reply, Slot
from dialogue.speech import to_text
from dialogue.state import State
from tests.dialogue.conftest import Talk
from tests.dialogue.test_checkin import set_up_two

MODELS = Path(__file__).resolve().parents[2] / "interaction_models"
LOCALES = sorted(path.stem for path in MODELS.glob("*-*.json"))
DANGER = "he shoved me against the wall again on tuesday"


# --------------------------------------------------------------------------- the data


def test_every_locale_the_skill_speaks_has_an_emergency_number_and_a_helpline_with_sources() -> None:
    assert LOCALES == sorted(safety.locale_countries())
    for locale in LOCALES:
        numbers = safety.helplines_for(locale)
        assert numbers is not None, locale
        for number in (numbers.emergency, numbers.helpline):
            assert re.fullmatch(r"https://[^\s]+", number.source), (locale, number)
            assert re.sub(r"\D", "", number.spoken) in re.sub(r"\D", "", number.number) or locale == "en-AU"
        assert numbers.helpline.spoken in numbers.say, locale  # the sentence says the number
    australia = safety.helplines_for("en-AU")
    assert australia is not None and australia.emergency.spoken == "triple zero"


def test_a_host_that_knows_only_the_language_names_the_country() -> None:
    assert safety.helplines_for("en") is None
    gb = safety.helplines_for("en", country="gb")
    assert gb is not None and gb.emergency.number == "999"


@pytest.mark.parametrize(
    "words",
    [
        "he hit me last night",
        "I'm scared of my husband",
        "she won't let me see my family any more",
        "he threatened to kill me",
        "I don't feel safe at home",
        "my boyfriend is getting violent",
        "he pushed me down the stairs",
        "he's been hurting me",
    ],
)
def test_danger_words_are_screened(words: str) -> None:
    assert safety.is_danger(words)
    screened = safety.screened(Event(intents.ANSWER, slots={"answer": Slot(value=words)}))
    assert screened.intent == intents.SAFETY and not screened.slots


@pytest.mark.parametrize(
    "words",
    [
        "it hurt me when you forgot our anniversary",
        "that really hit me",
        "mum's going to kill me if we're late",
        "he beat me at chess again",
        "he pushed me to apply for the job",
        "I'm afraid I forgot to say thank you",
        "the baby kicks me all night",
        "I never told you how scared I was in March",
    ],
)
def test_honest_answers_with_look_alike_words_are_kept_as_said(words: str) -> None:
    assert not safety.is_danger(words)


# --------------------------------------------------------------------------- the answer


def test_danger_words_at_the_menu_get_the_numbers_and_no_card(talk: Talk) -> None:
    talk.open()
    reply = talk.say(intents.SAFETY)
    assert "call 9 1 1" in talk.text and "1 8 0 0, 7 9 9, 7 2 3 3" in talk.text
    assert reply.card is None, "the Alexa app is often shared: no helpline on its screen"
    assert reply.reprompt is not None and "again" in talk.reprompt
    assert "haven't kept" not in talk.text and "saved" not in talk.text


def test_danger_words_inside_a_check_in_answer_are_not_saved_and_the_place_is_kept(talk: Talk) -> None:
    set_up_two(talk)
    asked = talk.text
    talk.say(intents.ANSWER, answer=DANGER)
    assert talk.journal.answers == {}, "nothing of it reached the journal"
    assert "haven't kept" in talk.text or "None of that was saved" in talk.text
    assert "9 1 1" in talk.text
    assert DANGER not in json.dumps(talk.state.to_json())
    talk.say(intents.NO)
    assert talk.reply is not None and talk.reply.end_session
    assert "take care" in talk.text.lower()
    talk.open()
    reply = talk.say(intents.START_CHECKIN)  # resumes where it was: the same question, unanswered
    assert "Sam" in to_text_of(reply) and talk.journal.answers == {}
    assert asked.split()[-1] in to_text_of(reply) or "appreciat" in to_text_of(reply).lower()


def to_text_of(reply: Reply) -> str:
    return to_text(reply.speech)


def test_yes_says_the_numbers_again_with_the_other_way_in_and_stop_closes_quietly(talk: Talk) -> None:
    talk.open()
    talk.say(intents.SAFETY)
    talk.say(intents.YES)
    assert "1 8 0 0, 7 9 9, 7 2 3 3" in talk.text and "text the word START" in talk.text
    talk.say(intents.STOP)
    assert talk.reply is not None and talk.reply.end_session
    assert "Enjoy" not in talk.text and "Goodbye" not in talk.text


def test_each_locale_hears_its_own_numbers() -> None:
    for locale in LOCALES:
        talk = Talk()
        talk.open()
        talk.state, reply = _respond(talk, Event(intents.SAFETY, locale=locale))
        numbers = safety.helplines_for(locale)
        assert numbers is not None
        spoken = to_text_of(reply)
        assert numbers.emergency.spoken in spoken and numbers.helpline.spoken in spoken, locale


def test_a_country_we_have_no_numbers_for_hears_where_to_turn(talk: Talk) -> None:
    talk.open()
    talk.state, reply = _respond(talk, Event(intents.SAFETY, locale="en-NZ"))
    assert "local emergency number" in to_text_of(reply)


def _respond(talk: Talk, event: Event) -> tuple[State, Reply]:
    return respond(talk.state, event, talk.ports)


def test_seeking_support_gets_a_calm_pointer_never_a_diagnosis(talk: Talk) -> None:
    talk.open()
    reply = talk.say(intents.SEEK_SUPPORT)
    assert "counsellor" in talk.text and "coach" in talk.text
    for judgement in ("toxic", "abusive", "unhealthy", "wrong with", "should leave", "divorce"):
        assert judgement not in talk.text.lower()
    assert reply.reprompt is not None and not reply.end_session


def test_asking_for_the_number_gets_it_without_assuming_anything_happened(talk: Talk) -> None:
    talk.open()
    talk.say(intents.HELPLINE)
    assert "1 8 0 0, 7 9 9, 7 2 3 3" in talk.text and "sorry" not in talk.text.lower()
    talk.say(intents.REPEAT)
    assert "1 8 0 0, 7 9 9, 7 2 3 3" in talk.text, "repeat says the numbers again"


def test_after_the_numbers_carry_on_goes_back_to_the_check_in_where_it_was(talk: Talk) -> None:
    set_up_two(talk)
    assert "appreciat" in talk.text.lower()
    talk.say(intents.ANSWER, answer=DANGER)
    assert "carry on" in talk.reprompt
    talk.say(intents.NEXT)  # "carry on"
    assert "Sam" in talk.text and "appreciat" in talk.text.lower() and talk.journal.answers == {}
    assert talk.state.session.flow == "checkin"
    talk.say(intents.ANSWER, answer="the dinners you cooked")
    assert [key[1] for key in talk.journal.answers] == ["appreciation"]


def test_words_not_understood_after_the_numbers_get_a_gentle_hint_not_the_menu(talk: Talk) -> None:
    talk.open()
    talk.say(intents.SAFETY)
    talk.say(intents.FALLBACK)
    assert "yes" in talk.text and "stop" in talk.text
    assert "Remember when" not in talk.text and "question about family" not in talk.text


def test_the_numbers_are_not_left_in_the_stored_state(talk: Talk) -> None:
    talk.open()
    talk.say(intents.SAFETY)
    stored = talk.state.to_json()
    assert "Hotline" not in stored and "7 2 3 3" not in stored and "helpline" not in stored.lower()


def test_support_offers_tips_then_closes_warmly(talk: Talk) -> None:
    talk.open()
    talk.say(intents.SEEK_SUPPORT)
    assert "tips" in talk.text
    talk.say(intents.SEEK_SUPPORT)  # "how do we find one": not the same paragraph again
    assert "doctor" in talk.text and "tips on finding" not in talk.text
    talk.open()
    talk.say(intents.SEEK_SUPPORT)
    talk.say(intents.YES)
    assert "doctor" in talk.text
    talk.open()
    talk.say(intents.SEEK_SUPPORT)
    talk.say(intents.STOP)
    assert talk.reply is not None and talk.reply.end_session
    assert "Enjoy" not in talk.text and "here whenever you want to talk" in talk.text


def test_an_answer_saved_before_the_screen_knew_its_words_is_never_read_aloud(talk: Talk) -> None:
    set_up_two(talk)
    talk.say(intents.ANSWER, answer="the dinners you cooked")
    # An answer the screen did not catch when it was saved, as if the screen had learned since.
    talk.journal.save_answer(
        replace(next(iter(talk.journal.answers.values())), person=1, name="Alex", text=DANGER)
    )
    talk.say(intents.CHECKIN_PLAYBACK)
    talk.say(intents.YES)
    assert "dinners" in talk.text and "shoved" not in talk.text
    assert talk.reply is not None and talk.reply.card is not None and "shoved" not in talk.reply.card.text
