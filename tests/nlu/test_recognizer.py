"""The recogniser in context: what is heard where, kept as said, and never a wrong guess."""

from __future__ import annotations

import pytest

from skill.nlu import FALLBACK, recognizer_for
from skill.nlu.grammar import locales


def heard(text: str, where: str = "home.menu", locale: str = "en-US") -> tuple[str, dict[str, str]]:
    found = recognizer_for(locale).understand(text, where)
    return found.intent, {name: (slot.resolved_id or slot.value or "") for name, slot in found.slots.items()}


@pytest.mark.parametrize(
    ("said", "intent", "slots"),
    [
        ("um can we get a question about family", "AskQuestionIntent", {"category": "FAMILY"}),
        ("Alexa, give us a hug", "HugIntent", {}),
        ("no phones tonight until nine", "StartEveningIntent", {"until": "09:00"}),
        ("okay so let's do our check-in", "StartCheckInIntent", {}),
        ("stop please", "AMAZON.StopIntent", {}),
        ("a one minute hug", "HugIntent", {"duration": "PT1M"}),
        ("tech-free evening for a couple of hours", "StartEveningIntent", {"duration": "PT2H"}),
        (
            "remind us every Sunday at half past eight",
            "ScheduleCheckInIntent",
            {"day": "sunday", "time": "08:30"},
        ),
        (
            "what did Priya say about what's working",
            "CheckInPlaybackIntent",
            {"person": "Priya", "topic": "WORKING_WELL"},
        ),
        ("can u gimme a qestion", "AskQuestionIntent", {}),
        ("cancel it", "EndEveningIntent", {}),
        ("cancel that", "AMAZON.CancelIntent", {}),
    ],
)
def test_menu_sentences_as_people_say_them(said: str, intent: str, slots: dict[str, str]) -> None:
    assert heard(said) == (intent, slots)


@pytest.mark.parametrize(
    "said",
    [
        "I need a coffee",
        "what's the weather",
        "I'm confused",
        "play some music",
        "order more paper towels",
        "",
    ],
)
def test_what_means_nothing_here_falls_back(said: str) -> None:
    assert heard(said)[0] == FALLBACK


def test_a_name_is_heard_only_while_a_name_is_asked_for() -> None:
    assert heard("I'm Sam")[0] == FALLBACK
    assert heard("I'm Sam", "checkin_names.ask_name") == ("NameIntent", {"name": "Sam"})
    assert heard("Sam", "checkin_names.ask_name") == ("NameIntent", {"name": "Sam"})
    assert heard("I'm confused", "checkin_names.ask_name")[0] != "NameIntent"
    assert heard("just me", "checkin_names.ask_name")[0] == "JustMeIntent"


def test_an_answer_is_kept_as_said_and_only_commands_are_heard_around_it() -> None:
    where = "checkin.answering"
    assert heard("I appreciated that you cooked dinner", where) == (
        "AnswerIntent",
        {"answer": "I appreciated that you cooked dinner"},
    )
    assert heard("um my answer is: Priya took my Mum to the hospital.", where) == (
        "AnswerIntent",
        {"answer": "Priya took my Mum to the hospital"},
    )
    assert heard("I wish we could hug for ten minutes", where)[0] == "AnswerIntent"
    assert heard("a question about family would be nice", where)[0] == "AnswerIntent"
    assert heard("skip", where)[0] == "AMAZON.NextIntent"
    assert heard("let me redo that", where)[0] == "RedoAnswerIntent"
    assert heard("let's finish later", where)[0] == "PauseCheckInIntent"
    assert heard("can you repeat the question", where)[0] == "AMAZON.RepeatIntent"
    assert heard("I'm grateful for the check-in we had", where) == (
        "AnswerIntent",
        {"answer": "I'm grateful for the check-in we had"},
    )


def test_near_misses_are_never_tried_on_someone_s_own_words() -> None:
    assert heard("qestion", "checkin.answering") == ("AnswerIntent", {"answer": "qestion"})


@pytest.mark.parametrize("locale", sorted(locales()))
def test_every_english_locale_hears_its_own_words_and_the_others(locale: str) -> None:
    assert heard("a question about mum and dad", locale=locale) == (
        "AskQuestionIntent",
        {"category": "FAMILY"},
    )
    assert heard("a question about mom and dad", locale=locale) == (
        "AskQuestionIntent",
        {"category": "FAMILY"},
    )
    assert heard("share a favourite memory", locale=locale)[0] == "RememberWhenIntent"


def test_a_locale_s_extra_sentences_are_heard_there() -> None:
    assert heard("chuck us a question", locale="en-AU")[0] == "AskQuestionIntent"
    assert heard("kindly give us a question", locale="en-IN")[0] == "AskQuestionIntent"


@pytest.mark.parametrize(
    ("said", "names"),
    [
        ("I'm Priya and this is Tom", "Priya and Tom"),
        ("we're Priya and Tom", "Priya and Tom"),
        ("Priya, Tom and Ava", "Priya, Tom and Ava"),
        ("um it's Sam and my wife is Jo", "Sam and Jo"),
        ("my husband is Tom", "Tom"),
        ("it's Dan, obviously", "Dan"),
    ],
)
def test_several_names_in_one_breath_while_names_are_asked_for(said: str, names: str) -> None:
    assert heard(said, "checkin_names.ask_name") == ("NameIntent", {"name": names})


@pytest.mark.parametrize("said", ["let's begin", "that's everyone", "no one else", "we're ready"])
def test_the_end_of_the_names_is_not_a_name(said: str) -> None:
    assert heard(said, "checkin_names.ask_name")[0] == "JustMeIntent"
