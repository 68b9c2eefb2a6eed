"""Questions at dinner: decks, categories, no repeats, next / again / back."""

from __future__ import annotations

import pytest

from dialogue.content import load_content
from dialogue.model import Slot
from tests.dialogue.conftest import Talk

CONTENT = load_content()
TEXT_TO_ID = {q.text: q.id for q in CONTENT.questions.values()}


def asked_id(talk: Talk) -> str:
    assert talk.reply is not None and talk.reply.card is not None
    return TEXT_TO_ID[talk.reply.card.text]


def test_the_whole_deck_is_asked_once_before_any_question_repeats(talk: Talk) -> None:
    talk.open()
    seen = []
    for _ in range(53):
        talk.say("AskQuestionIntent")
        seen.append(asked_id(talk))
        assert CONTENT.questions[seen[-1]].text in talk.text
    assert sorted(seen) == sorted(CONTENT.questions)
    talk.say("AMAZON.NextIntent")
    assert asked_id(talk) != seen[-1]


def test_deck_position_survives_new_sessions_and_days(talk: Talk) -> None:
    seen = []
    for _ in range(53):
        talk.open()  # every question in its own session
        talk.say("AskQuestionIntent")
        seen.append(asked_id(talk))
        talk.say("AMAZON.StopIntent")
    assert len(set(seen)) == 53


@pytest.mark.parametrize("seed", range(5))
def test_a_category_deck_runs_out_then_starts_again_never_twice_in_a_row(seed: int) -> None:
    talk = Talk(seed)
    talk.open()
    family = []
    for _ in range(40):
        talk.say("AskQuestionIntent", category=Slot("family", "FAMILY"))
        family.append(asked_id(talk))
    assert sorted(family[:9]) == sorted(q.id for q in CONTENT.categories["FAMILY"].questions)
    assert all(CONTENT.questions[q].category == "FAMILY" for q in family)
    assert all(a != b for a, b in zip(family, family[1:], strict=False))
    assert sorted(family[9:18]) == sorted(family[:9])


@pytest.mark.parametrize(
    ("words", "category"),
    [
        ("us", "RELATIONSHIP"),
        ("our relationship", "RELATIONSHIP"),
        ("growing up", "FAMILY"),
        ("the kids", "FAMILY"),
        ("the future", "HOPES_AND_DREAMS"),
        ("our dreams", "HOPES_AND_DREAMS"),
        ("hard times", "HARDSHIP"),
        ("disappointments and hardship", "HARDSHIP"),
        ("fears", "INSECURITIES"),
        ("self doubt", "INSECURITIES"),
        ("faith", "SPIRITUALITY"),
        ("god", "SPIRITUALITY"),
    ],
)
def test_natural_names_choose_the_category_even_unresolved(talk: Talk, words: str, category: str) -> None:
    talk.open()
    talk.say("AskQuestionIntent", category=Slot(words))  # no resolution from the platform
    assert CONTENT.questions[asked_id(talk)].category == category
    assert talk.reply is not None and talk.reply.card is not None
    assert talk.reply.card.title == CONTENT.categories[category].card_title


def test_resolved_id_wins_over_the_words(talk: Talk) -> None:
    talk.open()
    talk.say("AskQuestionIntent", category=Slot("something odd", "SPIRITUALITY"))
    assert CONTENT.questions[asked_id(talk)].category == "SPIRITUALITY"


def test_unknown_category_lists_the_real_ones_and_waits_for_a_choice(talk: Talk) -> None:
    talk.open()
    talk.say("AskQuestionIntent", category=Slot("cars"))
    assert "cars" in talk.text
    for category in CONTENT.categories.values():
        assert category.name in talk.text
    assert talk.reply is not None and talk.reply.listens
    talk.say("AskQuestionIntent", category=Slot("faith"))
    assert CONTENT.questions[asked_id(talk)].category == "SPIRITUALITY"


def test_another_one_stays_in_the_category(talk: Talk) -> None:
    talk.open()
    talk.say("AskQuestionIntent", category=Slot("insecurities", "INSECURITIES"))
    for _ in range(5):
        talk.say("AMAZON.NextIntent")
        assert CONTENT.questions[asked_id(talk)].category == "INSECURITIES"


def test_another_one_in_a_new_session_continues_last_category(talk: Talk) -> None:
    talk.open()
    talk.say("AskQuestionIntent", category=Slot("hard times", "HARDSHIP"))
    talk.say("AMAZON.StopIntent")
    talk.end_session()
    talk.say("AMAZON.NextIntent")  # "Alexa, ask heart to heart for another one"
    assert CONTENT.questions[asked_id(talk)].category == "HARDSHIP"


def test_say_that_again_repeats_only_the_question(talk: Talk) -> None:
    talk.open()
    talk.say("AskQuestionIntent")
    first = asked_id(talk)
    talk.say("AMAZON.RepeatIntent")
    assert asked_id(talk) == first
    assert CONTENT.questions[first].text in talk.text
    talk.say("AMAZON.NextIntent")
    assert asked_id(talk) != first


def test_go_back_reads_the_previous_question(talk: Talk) -> None:
    talk.open()
    talk.say("AskQuestionIntent")
    first = asked_id(talk)
    talk.say("AMAZON.NextIntent")
    talk.say("AMAZON.PreviousIntent")
    assert asked_id(talk) == first


def test_what_categories_names_all_six_and_yes_gives_a_question(talk: Talk) -> None:
    talk.open()
    talk.say("ListCategoriesIntent")
    for category in CONTENT.categories.values():
        assert category.name in talk.text
    talk.say("AMAZON.NextIntent")
    assert asked_id(talk) in CONTENT.questions


def test_yes_after_a_question_is_another_and_no_says_goodbye(talk: Talk) -> None:
    talk.open()
    talk.say("AskQuestionIntent")
    first = asked_id(talk)
    talk.say("AMAZON.YesIntent")
    assert asked_id(talk) != first
    reply = talk.say("AMAZON.NoIntent")
    assert reply.end_session


def test_the_first_question_of_a_session_explains_next_and_later_ones_do_not(talk: Talk) -> None:
    talk.open()
    talk.say("AskQuestionIntent")
    assert "next" in talk.text.lower()
    talk.say("AMAZON.NextIntent")
    assert "say next" not in talk.text.lower()
