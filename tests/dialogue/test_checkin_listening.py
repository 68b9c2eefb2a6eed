"""The check-in listens like a patient facilitator: what is said at the answer step stays there,
filler is never kept, help keeps listening, the topic is named once, names can change any time."""

from __future__ import annotations

import pytest

from dialogue import intents
from dialogue.model import Slot
from tests.dialogue.conftest import Talk
from tests.dialogue.test_checkin import set_up_one, set_up_two, stored

ANSWER_SLOT = (intents.ANSWER, "answer")


@pytest.mark.parametrize(
    ("words", "kept"),
    [
        ("I loved our walk on Sunday", True),
        ("more hugs", True),
        ("sleep", True),
        ("what", False),
        ("Hmm.", False),
        ("hang on", False),
        ("I don't know", False),
        ("I'm not sure", False),
        ("wait", False),
        ("yes", False),
        ("that's a tough one", False),
        ("give us a sec", False),
        ("I need a minute to think", False),
        ("thanks babe", False),
    ],
)
def test_filler_is_never_kept_as_an_answer(talk: Talk, words: str, kept: bool) -> None:
    set_up_one(talk)
    reply = talk.say(intents.ANSWER, answer=words)
    assert bool(stored(talk)) is kept
    assert reply.elicit == ANSWER_SLOT and reply.listens
    if not kept:
        assert "skip" in talk.text and "Saved" not in talk.text


def test_two_non_answers_in_a_row_move_the_check_in_on_gently(talk: Talk) -> None:
    set_up_one(talk)
    talk.say(intents.ANSWER, answer="um")
    assert "appreciate" in talk.text
    talk.say(intents.ANSWER, answer="I don't know")
    assert "leave that one" in talk.text and "working well" in talk.text
    assert stored(talk) == {}
    talk.say(intents.ANSWER, answer="wait")  # a new topic: the count starts again
    assert "working well" in talk.text and "leave that one" not in talk.text


@pytest.mark.parametrize(
    "intent",
    [intents.ASK_QUESTION, intents.REMEMBER_WHEN, intents.HUG, intents.NAME, intents.JUST_ME, intents.YES],
)
def test_another_exercise_s_words_at_the_answer_step_stay_in_the_check_in(talk: Talk, intent: str) -> None:
    set_up_two(talk)
    reply = talk.say(intent, name=Slot(value="grateful Priya took my mum"))
    assert talk.state.session.flow == "checkin" and talk.state.session.step == "answering"
    assert "Sam," in talk.text and reply.elicit == ANSWER_SLOT
    assert "no check-in" not in talk.text.lower() and stored(talk) == {}


def test_another_exercise_at_the_answer_step_says_how_to_pause_for_it(talk: Talk) -> None:
    set_up_two(talk)
    talk.say(intents.HUG)
    assert "say pause" in talk.text and "Sam," in talk.text
    assert "didn't catch that" not in talk.text and stored(talk) == {}


def test_how_many_more_says_which_topic_of_five_then_asks_again(talk: Talk) -> None:
    set_up_two(talk)
    reply = talk.say(intents.CHECKIN_PROGRESS)
    assert "first of five" in talk.text and "Four more after this." in talk.text
    assert "Sam," in talk.text and reply.elicit == ANSWER_SLOT and stored(talk) == {}
    for words in ("the flowers", "the dinner", "the walk", "our mornings"):
        talk.say(intents.ANSWER, answer=words)
    talk.say(intents.CHECKIN_PROGRESS)
    assert "third of five" in talk.text and "what's lacking" in talk.text and "Two more" in talk.text
    for words in ("time", "sleep", "the budget", "all good", "a lie-in"):
        talk.say(intents.ANSWER, answer=words)
    talk.say(intents.CHECKIN_PROGRESS)
    assert "fifth of five" in talk.text and "It's the last one." in talk.text
    assert len(stored(talk)) == 9


def test_next_person_at_the_answer_step_passes_to_the_next_person(talk: Talk) -> None:
    set_up_two(talk)
    talk.say(intents.NEXT_PERSON)
    assert "Alex," in talk.text and talk.state.session.step == "answering" and stored(talk) == {}


def test_help_keeps_listening_for_the_same_answer_and_the_same_name(talk: Talk) -> None:
    set_up_two(talk)
    reply = talk.say(intents.HELP)
    assert "skip" in talk.text and "Sam," in talk.text and reply.elicit == ANSWER_SLOT
    talk.say(intents.ANSWER, answer="the flowers")
    assert stored(talk) == {("appreciation", 0): "the flowers"}

    other = Talk()
    other.open()
    other.say(intents.START_CHECKIN)
    reply = other.say(intents.HELP)
    assert reply.elicit == (intents.NAME, "name") and "first name" in other.text
    other.say(intents.NAME, name="jo")
    assert "Jo" in other.text


def test_the_topic_is_named_once_and_asking_again_never_says_next(talk: Talk) -> None:
    set_up_two(talk)
    talk.say(intents.ANSWER, answer="one")
    talk.say(intents.ANSWER, answer="two")
    assert talk.text.count("Next, what's working well") == 1
    talk.say(intents.REPEAT)
    assert "Next," not in talk.text and "Sam," in talk.text
    talk.say(intents.ANSWER, answer="three")
    talk.say(intents.REDO_ANSWER)
    assert "Next," not in talk.text
    talk.say(intents.PAUSE_CHECKIN)
    talk.open()
    talk.say(intents.START_CHECKIN)
    assert "working well" in talk.text and "Next," not in talk.text


def test_changing_names_mid_check_in_never_breaks_the_household(talk: Talk) -> None:
    set_up_two(talk)
    talk.say(intents.ANSWER, answer="Sam's appreciation")
    talk.say(intents.ANSWER, answer="Alex's appreciation")
    talk.say(intents.ANSWER, answer="Sam on what works")  # now it is Alex's turn (person 1)
    talk.say(intents.CHANGE_NAMES)
    talk.say(intents.NAME, name="robin")
    talk.say(intents.YES)
    talk.say(intents.JUST_ME)
    assert talk.state.household.names == ["Robin"] and "Robin," in talk.text
    for number in range(10):
        talk.say(intents.ANSWER, answer=f"still going {number}")
        assert "Sorry" not in talk.text
        if talk.state.household.checkin is None:
            break
    assert "check-in done" in talk.text
    talk.open()
    talk.say(intents.START_CHECKIN)
    assert "Robin" in talk.text and talk.state.session.step == "answering"


def test_who_would_you_like_to_hear_from_takes_a_name(talk: Talk) -> None:
    set_up_two(talk)
    talk.say(intents.ANSWER, answer="the flowers on Friday")
    talk.say(intents.ANSWER, answer="the long walk")
    talk.say(intents.PAUSE_CHECKIN)
    talk.open()
    reply = talk.say(intents.CHECKIN_PLAYBACK, person="Kim")
    assert "Sam and Alex" in talk.text and "not from Kim" in talk.text
    assert reply.elicit == (intents.CHECKIN_PLAYBACK, "person") and talk.state.session.step == "ask_person"
    talk.say(intents.NAME, name="alex")  # a platform may hear the bare name as a name
    assert "read out Alex's answers" in talk.text
    talk.say(intents.YES)
    assert "Alex appreciated" in talk.text and "the long walk" in talk.text and "flowers" not in talk.text
    talk.say(intents.CHECKIN_PLAYBACK, person="Kim")
    talk.say(intents.FALLBACK)
    assert "who was that" in talk.text.lower() and talk.state.session.step == "ask_person"
    talk.say(intents.CHECKIN_PLAYBACK, person="sam")
    assert "Sam appreciated" in talk.text and "flowers" in talk.text


def test_a_family_of_up_to_six_gives_its_names_in_one_go_or_one_by_one(talk: Talk) -> None:
    talk.open()
    talk.say(intents.START_CHECKIN)
    talk.say(intents.NAME, name="Priya, Tom and Ava")
    assert "Priya, Tom and Ava" in talk.text and "right" in talk.text
    talk.say(intents.YES)
    assert "anyone else" in talk.text.lower()
    talk.say(intents.NAME, name="leo and Mia")
    talk.say(intents.YES)
    talk.say(intents.NAME, name="Raj and Zoe")  # the seventh is one too many
    talk.say(intents.YES)
    assert talk.state.household.names == ["Priya", "Tom", "Ava", "Leo", "Mia", "Raj"]
    assert "six of you" in talk.text and talk.state.session.step == "answering"
    for name in ("Priya", "Tom", "Ava", "Leo", "Mia", "Raj"):
        assert f"{name}," in talk.text
        talk.say(intents.ANSWER, answer=f"something kind {name}")
    assert len(stored(talk)) == 6
    assert "someone here" in talk.text or "between you all" in talk.text  # no "about Tom" in a group


def test_anyone_else_no_begins_and_yes_asks_for_the_name(talk: Talk) -> None:
    talk.open()
    talk.say(intents.START_CHECKIN)
    talk.say(intents.NAME, name="Priya and Tom")
    talk.say(intents.YES)
    talk.say(intents.YES)
    assert "anyone else" in talk.text.lower() and talk.state.session.step == "ask_name"
    talk.say(intents.JUST_ME)  # "that's everyone"
    assert talk.state.session.step == "answering" and "Priya," in talk.text


def test_reading_answers_aloud_asks_first_once_a_session(talk: Talk) -> None:
    set_up_two(talk)
    talk.say(intents.ANSWER, answer="the flowers on Friday")
    talk.say(intents.PAUSE_CHECKIN)
    talk.open()
    talk.say(intents.CHECKIN_PLAYBACK, person="sam")
    assert "read out Sam's answers" in talk.text and "flowers" not in talk.text
    talk.say(intents.NO)
    assert "flowers" not in talk.text and talk.state.session.step == "menu"
    talk.say(intents.CHECKIN_PLAYBACK, person="sam")
    talk.say(intents.YES)
    assert "Sam appreciated" in talk.text and "flowers" in talk.text
    talk.say(intents.CHECKIN_PLAYBACK)  # the same session: no second ask
    assert "flowers" in talk.text
    talk.open()  # a new session asks again
    talk.say(intents.CHECKIN_PLAYBACK)
    assert "is that okay" in talk.text.lower() and "flowers" not in talk.text


def test_deleting_one_answer_or_one_check_in_asks_and_keeps_the_rest(talk: Talk) -> None:
    from datetime import timedelta

    set_up_two(talk)
    for words in ("s1", "a1", "s2", "a2", "s3", "a3"):
        talk.say(intents.ANSWER, answer=words)
    talk.say(intents.PAUSE_CHECKIN)
    talk.open()
    talk.say(intents.DELETE_ANSWER, person="alex", topic=Slot("what's lacking", "LACKING"))
    assert "Alex's answer about what's lacking" in talk.text and len(stored(talk)) == 6
    talk.say(intents.YES)
    assert "deleted" in talk.text and sorted(stored(talk).values()) == ["a1", "a2", "s1", "s2", "s3"]
    talk.say(intents.DELETE_ANSWER, topic=Slot("appreciation", "APPRECIATION"))  # "my answer", two people
    assert "Whose should I delete: Sam's or Alex's?" in talk.text and len(stored(talk)) == 5
    talk.say(intents.NAME, name="Kim")  # nobody by that name answered: asked again, nothing deleted
    assert "whose answer about appreciation" in talk.text.lower() and len(stored(talk)) == 5
    talk.say(intents.NAME, name="Sam")  # the answer to "whose?"
    assert "Sam's answer about appreciation" in talk.text
    talk.say(intents.YES)
    assert sorted(stored(talk).values()) == ["a1", "a2", "s2", "s3"]
    talk.say(intents.DELETE_ANSWER, topic=Slot("appreciation", "APPRECIATION"))  # only Alex's is left
    assert "Alex's answer about appreciation" in talk.text
    talk.say(intents.NO)
    talk.say(intents.DELETE_ANSWER, topic=Slot("what's working", "WORKING_WELL"))
    talk.say(intents.NO)  # "no" to "whose?": nothing goes
    assert "haven't deleted anything" in talk.text and len(stored(talk)) == 4

    talk.now += timedelta(days=7)
    talk.open()
    talk.say(intents.START_CHECKIN)  # a new week's check-in would start after the old one is done
    talk.say(intents.DELETE_CHECKIN)
    assert "check-in from" in talk.text and "4 answers" in talk.text
    talk.say(intents.NO)
    assert len(stored(talk)) == 4
    talk.say(intents.DELETE_CHECKIN)
    talk.say(intents.YES)
    assert "That check-in is deleted" in talk.text and stored(talk) == {}


def test_a_household_can_keep_check_ins_for_a_while_and_older_ones_go_by_themselves(talk: Talk) -> None:
    from datetime import timedelta

    set_up_one(talk)
    talk.say(intents.ANSWER, answer="an old thought")
    talk.say(intents.PAUSE_CHECKIN)
    talk.now += timedelta(days=40)
    talk.open()
    talk.say(intents.KEEP_CHECKINS, duration="P3M")
    assert "3 months" in talk.text and "an old thought" in stored(talk).values()
    talk.say(intents.KEEP_CHECKINS, duration="P1M")
    assert "1 month" in talk.text and "deleted" in talk.text and stored(talk) == {}
    talk.say(intents.START_CHECKIN)
    talk.say(intents.ANSWER, answer="a new thought")
    talk.say(intents.PAUSE_CHECKIN)
    talk.now += timedelta(days=31)
    talk.open()  # nobody asks: a new session tidies first
    assert stored(talk) == {}
    assert talk.reply is not None and talk.reply.listens  # and the household is greeted as usual
    talk.say(intents.KEEP_CHECKINS)
    assert "until you ask" in talk.text and talk.state.household.retention_days is None


@pytest.mark.parametrize(
    ("said", "read"),
    [
        (
            "that you cooked dinner",
            "Sam appreciated: that you cooked dinner.",
        ),  # Alexa took "I appreciated" off
        ("I appreciated that you cooked dinner", "Sam said: I appreciated that you cooked dinner."),
    ],
)
def test_a_read_back_reads_naturally_with_or_without_the_opening_words(
    talk: Talk, said: str, read: str
) -> None:
    set_up_one(talk)
    talk.state.household.names = ["Sam"]
    talk.say(intents.ANSWER, answer=said)
    talk.say(intents.PAUSE_CHECKIN)
    talk.open()
    talk.say(intents.CHECKIN_PLAYBACK)
    talk.say(intents.YES)
    assert read in talk.text


def test_a_household_with_known_voices_can_keep_read_back_to_those_voices(talk: Talk) -> None:
    set_up_two(talk)
    talk.say(intents.ANSWER, answer="the flowers", person_id="amzn1.ask.person.SAM")
    talk.say(intents.PAUSE_CHECKIN)
    talk.open()
    talk.say(intents.READ_BACK_VOICES, readers=Slot("our own voices", "OWN"))  # a voice Alexa does not know
    assert "can't tell your voices apart" in talk.text and not talk.state.household.voices_only
    talk.say(
        intents.READ_BACK_VOICES, person_id="amzn1.ask.person.SAM", readers=Slot("our own voices", "OWN")
    )
    assert talk.state.household.voices_only
    talk.say(intents.CHECKIN_PLAYBACK)  # a guest's voice, or none
    assert "only read your check-in answers" in talk.text and "flowers" not in talk.text
    talk.say(intents.CHECKIN_PLAYBACK, person_id="amzn1.ask.person.SAM")
    talk.say(intents.YES, person_id="amzn1.ask.person.SAM")
    assert "flowers" in talk.text
    talk.say(intents.READ_BACK_VOICES, readers=Slot("anyone", "ANYONE"))
    assert not talk.state.household.voices_only


def test_an_enormous_keeping_time_is_no_fault(talk: Talk) -> None:
    set_up_one(talk)
    talk.say(intents.KEEP_CHECKINS, duration="P99999999Y")
    assert "100 years" in talk.text
    talk.open()
    assert talk.reply is not None and talk.reply.listens


def test_let_me_redo_that_right_after_the_last_answer_opens_the_check_in_again(talk: Talk) -> None:
    set_up_one(talk)
    for words in ("the dinner", "our walks", "more sleep", "nothing unsaid", "a quiet weekend"):
        talk.say(intents.ANSWER, answer=words)
    assert talk.state.household.checkin is None and "remind" in talk.text.lower()  # finished
    (checkin,) = talk.journal.checkins.values()
    assert checkin["completed_at"] is not None

    talk.say(intents.REDO_ANSWER)  # "wait, let me redo that"
    assert "Jo," in talk.text and "wish" in talk.text.lower() and "Next" not in talk.text
    assert checkin["completed_at"] is None and ("wish", 0) not in stored(talk)
    talk.say(intents.ANSWER, answer="a day at the sea")
    assert stored(talk)[("wish", 0)] == "a day at the sea" and len(stored(talk)) == 5
    assert checkin["completed_at"] is not None and len(talk.journal.checkins) == 1

    talk.open()  # another day: the finished check-in stays finished
    talk.say(intents.REDO_ANSWER)
    assert "no check-in" in talk.text.lower() and len(stored(talk)) == 5


# --- found by a tester who talked to the chat as a couple, a family and a person alone -------


def _finish_two(talk: Talk) -> None:
    set_up_two(talk)
    for words in ("s1", "a1", "s2", "a2", "s3"):
        talk.say(intents.ANSWER, answer=words)
    talk.say(intents.NEXT)  # Alex passes on what's lacking
    for words in ("s4", "a4", "s5", "a5"):
        talk.say(intents.ANSWER, answer=words)
    assert talk.state.household.checkin is None


def test_keep_going_after_one_persons_answer_goes_on_with_the_read_back(talk: Talk) -> None:
    _finish_two(talk)
    talk.say(intents.CHECKIN_PLAYBACK)
    talk.say(intents.YES)
    assert "s1" in talk.text and "a1" in talk.text
    talk.say(intents.CHECKIN_PLAYBACK, person="Alex", topic=Slot("what's lacking", "LACKING"))
    assert "don't have an answer from Alex" in talk.text and "yet" not in talk.text  # Alex passed
    talk.say(intents.NEXT)  # "keep going": the read-back, not a question
    assert "s2" in talk.text and "a2" in talk.text
    talk.say(intents.CHECKIN_PLAYBACK, person="Alex", topic=Slot("wish", "WISH"))
    assert "a5" in talk.text
    talk.say(intents.NEXT)
    assert "s3" in talk.text


def test_after_one_persons_answers_alone_next_says_that_is_all_not_a_question(talk: Talk) -> None:
    _finish_two(talk)
    talk.open()
    talk.say(intents.CHECKIN_PLAYBACK, person="Alex", topic=Slot("wish", "WISH"))
    talk.say(intents.YES)  # "this will read out Alex's answers; is that okay?"
    assert "a5" in talk.text
    talk.say(intents.NEXT)
    assert "That's all I have on that" in talk.text and talk.state.session.flow == "checkin_readback"


def test_nothing_to_read_is_said_without_asking_to_read_it(talk: Talk) -> None:
    _finish_two(talk)
    talk.open()
    talk.say(intents.CHECKIN_PLAYBACK, person="Alex", topic=Slot("what's lacking", "LACKING"))
    assert "don't have an answer from Alex" in talk.text and "okay?" not in talk.text


def test_one_name_corrects_the_one_it_sounds_like_among_several(talk: Talk) -> None:
    talk.open()
    talk.say(intents.START_CHECKIN)
    talk.say(intents.NAME, name="Dana, Leo and Maya")
    talk.say(intents.NAME, name="Mia")  # "no, it's Mia, not Maya"
    assert "Dana, Leo and Mia" in talk.text
    talk.say(intents.YES)
    assert talk.state.household.names == ["Dana", "Leo", "Mia"]
    talk.say(intents.CHANGE_NAMES)
    talk.say(intents.NAME, name="Dana and Leo")
    talk.say(intents.NAME, name="Robin")  # like neither: a new start, not a correction
    assert "Robin" in talk.text and "Dana" not in talk.text
    talk.say(intents.NO)
    assert "again" in talk.text.lower()


def test_just_me_before_the_name_begins_as_soon_as_the_name_is_known(talk: Talk) -> None:
    talk.open()
    talk.say(intents.START_CHECKIN)
    talk.say(intents.JUST_ME)  # "just me tonight", before any name
    talk.say(intents.NAME, name="Jordan")
    talk.say(intents.YES)
    assert "who's checking in with you" not in talk.text.lower() and "Jordan," in talk.text
    assert talk.state.session.step == "answering"
    talk.say(intents.STOP)
    assert "Goodbye" not in talk.text  # paused, not ended
    talk.open()
    talk.say(intents.CANCEL)
    assert "each other" not in talk.text  # one person is not told to take care of each other


def test_someone_else_may_go_first_and_the_person_asked_comes_after(talk: Talk) -> None:
    set_up_two(talk)
    assert "Sam," in talk.text
    talk.say(intents.NAME, name="Alex")  # "Alex, you go first"
    assert "Alex can go first" in talk.text and stored(talk) == {}
    talk.say(intents.ANSWER, answer="the flowers")
    assert stored(talk) == {("appreciation", 1): "the flowers"} and "Sam," in talk.text
    talk.say(intents.NAME, name="Alex")  # Alex has answered this one: it stays Sam's turn
    assert "Alex has had a turn" in talk.text and "Sam," in talk.text and "can go first" not in talk.text
    talk.say(intents.NAME, name="Sam")  # "Sam, you go first" when it is Sam's turn: just the question
    assert talk.text.startswith("Sam,") and "Sorry" not in talk.text


def test_resuming_and_re_asking_never_say_the_name_or_the_topic_twice(talk: Talk) -> None:
    set_up_one(talk)
    talk.say(intents.ANSWER, answer="hmm")  # a non-answer: asked again, gently
    assert talk.text.count("Jo") == 1
    talk.say(intents.ANSWER, answer="the sunshine")
    talk.say(intents.ANSWER, answer="the sea")
    talk.say(intents.REDO_ANSWER)
    assert talk.text.count("Jo") == 1
    talk.say(intents.PAUSE_CHECKIN)
    talk.open()
    talk.say(intents.START_CHECKIN)
    topic = talk.text.split("We were on ")[-1].split(".")[0] if "We were on" in talk.text else ""
    assert "Next" not in talk.text and "Think of the little things" not in talk.text, topic


def test_an_answer_sent_again_at_once_is_kept_once_and_the_same_words_later_are_an_answer(
    talk: Talk,
) -> None:
    from datetime import timedelta

    set_up_two(talk)
    talk.say(intents.ANSWER, answer="more time together")
    first = talk.text
    talk.say(intents.ANSWER, answer="more time together")  # the platform's retry of a lost reply
    assert stored(talk) == {("appreciation", 0): "more time together"} and "Alex," in talk.text and first
    talk.now += timedelta(seconds=30)
    talk.say(intents.ANSWER, answer="more time together")  # Alex, in their own time: the same wish
    assert stored(talk) == {
        ("appreciation", 0): "more time together",
        ("appreciation", 1): "more time together",
    }


def test_a_household_that_has_done_one_before_hears_a_shorter_start(talk: Talk) -> None:
    set_up_two(talk)
    assert "Here's how it works" in talk.text
    for number in range(10):
        talk.say(intents.ANSWER, answer=f"answer number {number + 1}")
    assert len(stored(talk)) == 10
    talk.say(intents.START_CHECKIN)
    assert "Here's how it works" not in talk.text
    assert "as before" in talk.text or "last time" in talk.text
