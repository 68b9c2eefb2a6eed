"""The appreciation round, in the core: both give thanks, say what it meant and what it shows;
kept only on "keep it", deleted on "don't keep it", let go when left unchosen."""

from __future__ import annotations

from dialogue import intents
from dialogue.ports import Kind
from tests.dialogue.conftest import Talk

SAID = {
    "thanks": "you picked my mum up from the station",
    "affected": "I could finally relax after work",
    "shows": "that you notice what I need",
}


def couple() -> Talk:
    talk = Talk()
    talk.state.household.names = ["Priya", "Tom"]
    talk.open()
    return talk


def kept(talk: Talk) -> list[tuple[int, str, str, str | None]]:
    return sorted(
        (a.person, a.topic, a.text, a.name)
        for r in talk.journal.recent(8, Kind.APPRECIATION)
        for a in r.answers
    )


def one_round(talk: Talk) -> None:
    for part in ("thanks", "affected", "shows"):
        talk.say(intents.ANSWER, answer=f"{SAID[part]}")


def test_both_give_thanks_by_name_and_the_round_is_kept_on_keep_it() -> None:
    talk = couple()
    talk.say(intents.APPRECIATION)
    assert "Priya first, unless Tom would like to start." in talk.text
    assert talk.text.endswith("Priya, what's one thing Tom did lately that you're grateful for?")
    talk.say(intents.ANSWER, answer=SAID["thanks"])
    assert talk.text == "How did that affect you, Priya? What difference did it make?"
    talk.say(intents.ANSWER, answer=SAID["affected"])
    assert talk.text == "And what does it show about Tom as a person?"
    (held,) = talk.journal.recent(8, Kind.APPRECIATION)  # held from the moment it was said, unchosen
    assert held.completed_at is None and len(held.answers) == 2
    talk.say(intents.ANSWER, answer=SAID["shows"])
    assert "Now swap." in talk.text and talk.text.count("Tom") == 1, "one name, once: whose turn it is"
    assert talk.text.endswith("Tom, what's one thing Priya did lately that you're grateful for?")
    one_round(talk)
    assert talk.text.endswith("Say keep it, or don't keep it.")
    assert SAID["thanks"] not in talk.state.to_json() and SAID["shows"] not in talk.state.to_json()
    talk.say(intents.KEEP_IT)
    assert "I've kept them, safely." in talk.text
    assert talk.journal.recent(8, Kind.APPRECIATION)[0].completed_at is not None
    assert [(person, topic) for person, topic, _, _ in kept(talk)] == [
        (0, "affected"),
        (0, "shows"),
        (0, "thanks"),
        (1, "affected"),
        (1, "shows"),
        (1, "thanks"),
    ]
    assert {name for *_, name in kept(talk)} == {"Priya", "Tom"}
    talk.open()  # a kept round stays
    assert len(kept(talk)) == 6


def test_dont_keep_it_deletes_the_round_at_once() -> None:
    talk = couple()
    talk.say(intents.APPRECIATION)
    one_round(talk)
    one_round(talk)
    assert len(talk.journal.answers) == 6  # held, encrypted by the host, from the moment it was said
    talk.say(intents.DISCARD_IT)
    assert "haven't kept any of it" in talk.text
    assert talk.journal.answers == {} and talk.journal.checkins == {}


def test_no_also_means_dont_keep_and_a_muddle_asks_again() -> None:
    talk = couple()
    talk.say(intents.APPRECIATION)
    one_round(talk)
    one_round(talk)
    talk.say(intents.FALLBACK)
    assert "Say keep it, or don't keep it." in talk.text
    talk.say(intents.NO)
    assert talk.journal.answers == {}


def test_skipping_a_part_and_stopping_halfway_keep_nothing() -> None:
    talk = couple()
    talk.say(intents.APPRECIATION)
    talk.say(intents.ANSWER, answer=SAID["thanks"])
    talk.say(intents.NEXT)
    assert "leave that part" in talk.text and "Tom" in talk.text
    talk.say(intents.NEXT)
    assert talk.text.startswith("Thank you, Priya.")  # she said something: thanked
    talk.say(intents.STOP)
    assert talk.reply is not None and talk.reply.end_session
    assert "haven't kept any of it" in talk.text
    assert talk.journal.answers == {}


def test_a_round_left_unchosen_is_deleted_when_they_come_back() -> None:
    talk = couple()
    talk.say(intents.APPRECIATION)
    one_round(talk)
    talk.end_session()  # the speaker timed out before "keep it"
    assert len(talk.journal.answers) == 3
    talk.open()
    assert talk.journal.answers == {} and talk.state.household.appreciation is None
    assert "Welcome back" in talk.text or "Hello again" in talk.text or "Good to hear you" in talk.text


def test_without_names_the_lines_speak_to_whoever_goes_first() -> None:
    talk = Talk()
    talk.open()
    talk.say(intents.APPRECIATION)
    assert "Decide who starts." in talk.text and "{" not in talk.text
    one_round(talk)
    assert "Now swap, and the other of you goes." in talk.text
    one_round(talk)
    talk.say(intents.YES)
    assert [name for *_, name in kept(talk)] == [None] * 6


def test_help_and_repeat_at_each_part_keep_the_place() -> None:
    talk = couple()
    talk.say(intents.APPRECIATION)
    talk.say(intents.HELP)
    assert "Something small is fine" in talk.text and talk.text.endswith("you're grateful for?")
    talk.say(intents.ANSWER, answer=SAID["thanks"])
    asked = talk.text
    talk.say(intents.REPEAT)
    assert talk.text in asked and talk.state.session.step == "affected"


def test_a_check_in_closing_with_its_reminder_set_offers_the_round() -> None:
    talk = couple()
    talk.state.household.alerts["checkin"] = {"kind": "reminder", "id": "r1"}
    talk.say(intents.START_CHECKIN)
    while talk.state.household.checkin is not None:
        talk.say(intents.NEXT)
    assert talk.text.endswith("with an appreciation round?")
    talk.say(intents.YES)
    assert "Priya, what's one thing Tom did lately" in talk.text


def test_tom_can_go_first_and_someone_can_pass() -> None:
    talk = couple()
    talk.say(intents.APPRECIATION)
    talk.say(intents.NAME, name="tom")
    assert talk.text == "Sure. Tom, what's one thing Priya did lately that you're grateful for?"
    talk.say(intents.NO)  # "no thanks": Tom passes, nothing kept for him
    assert "you can pass" in talk.text and talk.text.endswith(
        "Priya, what's one thing Tom did lately that you're grateful for?"
    )
    talk.say(intents.NAME, name="tom")  # too late to swap: the words stay Priya's question
    assert talk.state.session.step == "thanks" and "Priya" in talk.text
    one_round(talk)
    talk.say(intents.KEEP_IT)
    assert {(person, name) for person, _, _, name in kept(talk)} == {(0, "Priya")}


def test_both_passing_keeps_nothing_and_asks_nothing() -> None:
    talk = couple()
    talk.say(intents.APPRECIATION)
    talk.say(intents.NEXT)
    talk.say(intents.NEXT)
    assert "Nothing to keep this time" in talk.text and talk.state.session.step == "menu"
    assert talk.journal.checkins == {}


def test_what_did_we_appreciate_reads_the_last_round_kept_after_asking() -> None:
    talk = couple()
    talk.say(intents.APPRECIATION_READ_BACK)
    assert "haven't kept an appreciation round" in talk.text
    talk.say(intents.APPRECIATION)
    one_round(talk)
    one_round(talk)
    talk.say(intents.KEEP_IT)
    talk.end_session()
    talk.open()
    talk.say(intents.APPRECIATION_READ_BACK)
    assert "read out your appreciations" in talk.text
    talk.say(intents.YES)
    assert "Priya was grateful for: you picked my mum up from the station." in talk.text
    assert "It meant: I could finally relax after work." in talk.text
    assert "Tom was grateful for" in talk.text
    assert talk.reply is not None and talk.reply.private
    assert "station" not in talk.state.to_json()


def test_keep_it_question_again_and_a_muddle() -> None:
    talk = couple()
    talk.say(intents.APPRECIATION)
    one_round(talk)
    one_round(talk)
    talk.say(intents.REPEAT)
    assert talk.text == "Shall I keep what you said? Say keep it, or don't keep it."


def test_go_back_forgets_the_last_answer_and_asks_it_again_even_across_the_swap() -> None:
    talk = couple()
    talk.say(intents.APPRECIATION)
    one_round(talk)
    assert talk.state.session.step == "thanks" and "Tom, what's one thing" in talk.text
    talk.say(intents.REDO_ANSWER)
    assert talk.text == "Of course, let's try that again. And what does it show about Tom as a person?"
    talk.say(intents.ANSWER, answer="that he is kind")
    assert "Tom, what's one thing" in talk.text
    assert ("shows", "that he is kind") in {(a.topic, a.text) for a in talk.journal.answers.values()}
    assert len(talk.journal.answers) == 3


def test_say_that_again_after_a_read_back_reads_the_round_again() -> None:
    talk = couple()
    talk.say(intents.APPRECIATION)
    one_round(talk)
    one_round(talk)
    talk.say(intents.KEEP_IT)
    talk.say(intents.APPRECIATION_READ_BACK)
    talk.say(intents.YES)
    first = talk.text
    talk.say(intents.REPEAT)
    assert talk.text == first and "was grateful for" in first


def test_danger_words_during_a_round_get_the_safe_answer_and_the_round_is_let_go() -> None:
    talk = couple()
    talk.say(intents.APPRECIATION)
    talk.say(intents.ANSWER, answer=SAID["thanks"])
    talk.say(intents.SAFETY)
    assert "I haven't kept those words" in talk.text or "None of that was saved" in talk.text
    assert talk.journal.answers == {} and talk.state.household.appreciation is None
