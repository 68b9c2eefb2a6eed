"""Remember when…: turns, nudges, and a memory taken as a memory."""

from __future__ import annotations

from dialogue import intents
from dialogue.content import load_content
from tests.dialogue.conftest import Talk

NUDGES = load_content().lists["remember.nudges"]
FIRST_PERSON = load_content().phrases["remember.first_person"]


def invites_first_person(text: str) -> bool:
    return any(line in text for line in FIRST_PERSON)


def nudge_in(text: str) -> str:
    found = [nudge for nudge in NUDGES if nudge in text]
    assert len(found) == 1, text
    return found[0]


def test_the_game_explains_itself_and_invites_a_first_person(talk: Talk) -> None:
    talk.open()
    talk.say(intents.REMEMBER_WHEN)
    assert "Remember when" in talk.text
    assert invites_first_person(talk.text)
    nudge_in(talk.text)
    assert talk.reply is not None and talk.reply.listens


def test_turns_pass_on_with_a_new_nudge_each_time_until_all_are_used(talk: Talk) -> None:
    talk.open()
    talk.say(intents.REMEMBER_WHEN)
    nudges = [nudge_in(talk.text)]
    for _ in range(len(NUDGES) - 1):
        talk.say(intents.NEXT_PERSON)
        assert not invites_first_person(talk.text)
        nudges.append(nudge_in(talk.text))
    assert sorted(nudges) == sorted(NUDGES)
    talk.say(intents.NEXT_PERSON)
    nudge_in(talk.text)  # a new round of nudges begins


def test_a_memory_told_to_the_speaker_moves_the_game_on(talk: Talk) -> None:
    talk.open()
    talk.say(intents.REMEMBER_WHEN)
    talk.say(intents.FALLBACK)  # "remember when we slept under the stars…"
    assert "sorry" not in talk.text.lower()
    assert "Remember when" in talk.text
    talk.say(intents.REMEMBER_WHEN)  # a memory that starts with the game's own words
    assert "Remember when" in talk.text and "Let's play" not in talk.text


def test_yes_after_a_turn_passes_it_on_and_start_over_restarts(talk: Talk) -> None:
    talk.open()
    talk.say(intents.REMEMBER_WHEN)
    talk.say(intents.YES)
    assert talk.state.session.turn == 1
    talk.say(intents.START_OVER)
    assert talk.state.session.turn == 0
    assert invites_first_person(talk.text)


def test_your_turn_from_the_menu_starts_the_game(talk: Talk) -> None:
    talk.open()
    talk.say(intents.NEXT_PERSON)
    assert talk.state.session.flow == "remember_when"
