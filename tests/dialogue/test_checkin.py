"""The weekly check-in played whole: names, every step, skips, redo, pause and resume, playback, delete."""

from __future__ import annotations

from datetime import timedelta

from dialogue import intents
from dialogue.flows.checkin.common import TOPICS
from dialogue.model import Slot
from tests.dialogue.conftest import Talk


def set_up_two(talk: Talk) -> None:
    talk.open()
    talk.say(intents.START_CHECKIN)
    talk.say(intents.NAME, name="sam")
    talk.say(intents.YES)
    talk.say(intents.NAME, name="alex")
    talk.say(intents.YES)
    talk.say(intents.NO)  # "anyone else joining?"


def set_up_one(talk: Talk) -> None:
    talk.open()
    talk.say(intents.START_CHECKIN)
    talk.say(intents.NAME, name="jo")
    talk.say(intents.YES)
    talk.say(intents.JUST_ME)


def stored(talk: Talk) -> dict[tuple[str, int], str]:
    return {(a.topic, a.person): a.text for a in talk.journal.answers.values()}


def test_names_are_learned_confirmed_and_corrected(talk: Talk) -> None:
    talk.open()
    reply = talk.say(intents.START_CHECKIN)
    assert "first name" in talk.text and reply.elicit == (intents.NAME, "name")
    talk.say(intents.NAME, name="sam")
    assert "Sam" in talk.text and "right" in talk.text
    talk.say(intents.NO)
    talk.say(intents.NAME, name="pam")
    talk.say(intents.NAME, name="Sam")  # a correction instead of yes/no
    talk.say(intents.YES)
    assert "Sam" in talk.text and "just me" in talk.text
    talk.say(intents.NAME, name="alex")
    talk.say(intents.YES)
    assert "Sam and Alex" in talk.text and "anyone else" in talk.text
    reply = talk.say(intents.NO)
    assert talk.state.household.names == ["Sam", "Alex"]
    assert "Sam, what did you appreciate about Alex" in talk.text or "Sam, what's something Alex" in talk.text
    assert reply.elicit == (intents.ANSWER, "answer") and reply.listens


def test_a_whole_check_in_for_two_asks_everyone_everything_and_saves_it_all(talk: Talk) -> None:
    set_up_two(talk)
    for index in range(len(TOPICS) * 2):
        assert ("Sam," if index % 2 == 0 else "Alex,") in talk.text
        reply = talk.say(intents.ANSWER, answer=f"answer number {index}")
        assert "Saved" in talk.text or "kept" in talk.text
    assert "check-in done" in talk.text
    assert "remind you every week" in talk.text and reply.listens  # a reminder is offered
    assert len(stored(talk)) == 10
    assert {topic for topic, _ in stored(talk)} == {t.value for t in TOPICS}
    assert stored(talk)[("appreciation", 0)] == "answer number 0"
    assert stored(talk)[("wish", 1)] == "answer number 9"
    assert talk.journal.checkins[1]["completed_at"] is not None
    assert talk.state.household.checkin is None


def test_each_topic_is_framed_once_and_asked_of_each_person_by_name(talk: Talk) -> None:
    set_up_two(talk)
    assert "appreciation" in talk.text.lower() and "Sam," in talk.text
    talk.say(intents.ANSWER, answer="the dinners")
    assert "Alex," in talk.text and "First, appreciation" not in talk.text
    talk.say(intents.ANSWER, answer="the walks")
    assert "working well" in talk.text.lower() and "Sam," in talk.text


def test_skip_moves_on_without_saving(talk: Talk) -> None:
    set_up_two(talk)
    talk.say(intents.NEXT)
    assert ("skip" in talk.text.lower() or "moving on" in talk.text.lower()) and "Alex," in talk.text
    talk.say(intents.ANSWER, answer="the walks")
    assert stored(talk) == {("appreciation", 1): "the walks"}


def test_let_me_redo_that_records_the_last_answer_again(talk: Talk) -> None:
    set_up_two(talk)
    talk.say(intents.ANSWER, answer="first try")
    talk.say(intents.REDO_ANSWER)
    assert "Sam" in talk.text and ("appreciat" in talk.text.lower())
    assert stored(talk) == {}
    talk.say(intents.ANSWER, answer="second try")
    assert stored(talk) == {("appreciation", 0): "second try"}
    assert "Alex," in talk.text


def test_say_that_again_repeats_the_question_not_the_thanks(talk: Talk) -> None:
    set_up_two(talk)
    talk.say(intents.ANSWER, answer="the dinners")
    talk.say(intents.REPEAT)
    assert "Alex," in talk.text and "Saved" not in talk.text


def test_pause_on_step_three_and_resume_next_day_in_a_new_session(talk: Talk) -> None:
    set_up_two(talk)
    for text in ["a", "b", "c", "d"]:
        talk.say(intents.ANSWER, answer=text)
    assert "lacking" in talk.text.lower()
    reply = talk.say(intents.PAUSE_CHECKIN)
    assert reply.end_session and "saved" in talk.text.lower() and "lacking" in talk.text.lower()
    talk.now += timedelta(days=1)
    talk.end_session()
    talk.open()
    assert "check-in is waiting" in talk.text
    talk.say(intents.START_CHECKIN)
    assert "lacking" in talk.text.lower() and "Sam," in talk.text
    talk.say(intents.ANSWER, answer="more sleep")
    assert stored(talk)[("lacking", 0)] == "more sleep"
    assert len(stored(talk)) == 5


def test_stop_mid_way_keeps_progress(talk: Talk) -> None:
    set_up_two(talk)
    talk.say(intents.ANSWER, answer="the dinners")
    reply = talk.say(intents.STOP)
    assert reply.end_session and "saved" in talk.text.lower()
    talk.end_session()
    talk.say(intents.START_CHECKIN)  # one-shot: "ask heart to heart to start our check-in"
    assert "Alex," in talk.text


def test_a_household_of_one(talk: Talk) -> None:
    set_up_one(talk)
    assert talk.state.household.names == ["Jo"]
    for index in range(len(TOPICS)):
        assert "Jo," in talk.text
        talk.say(intents.ANSWER, answer=f"thought {index}")
    assert "check-in done" in talk.text and len(stored(talk)) == 5


def test_an_unheard_answer_is_asked_again_not_saved(talk: Talk) -> None:
    set_up_two(talk)
    reply = talk.say(intents.FALLBACK)
    assert "didn't catch" in talk.text and reply.elicit == (intents.ANSWER, "answer")
    talk.say(intents.ANSWER, answer="   ")
    assert stored(talk) == {}


def test_a_recognised_voice_is_credited_with_its_answer(talk: Talk) -> None:
    set_up_two(talk)
    talk.say(intents.ANSWER, person_id="amzn1.ask.person.SAM", answer="the dinners")
    talk.say(intents.ANSWER, person_id="amzn1.ask.person.ALEX", answer="the walks")
    assert talk.state.household.voices == {"amzn1.ask.person.SAM": 0, "amzn1.ask.person.ALEX": 1}
    stored_ids = {a.person: a.person_id for a in talk.journal.answers.values()}
    assert stored_ids == {0: "amzn1.ask.person.SAM", 1: "amzn1.ask.person.ALEX"}


def finish_a_check_in(talk: Talk) -> None:
    set_up_two(talk)
    for topic in TOPICS:
        talk.say(intents.ANSWER, answer=f"sam on {topic.value}")
        talk.say(intents.ANSWER, answer=f"alex on {topic.value}")


def test_playback_of_last_week_topic_by_topic(talk: Talk) -> None:
    finish_a_check_in(talk)
    talk.now += timedelta(days=7)
    talk.open()
    talk.say(intents.CHECKIN_PLAYBACK)
    assert "read out your check-in answers" in talk.text and "sam on" not in talk.text  # asks first
    reply = talk.say(intents.YES)
    assert "Sunday, November 22" in talk.text
    assert (
        "Sam appreciated: sam on appreciation" in talk.text
        and "Alex appreciated: alex on appreciation" in talk.text
    )
    assert "working" not in talk.text.lower().split("say next")[0].split("appreciation")[-1]
    assert reply.card is not None and "alex on wish" in reply.card.text
    for topic in TOPICS[1:]:
        talk.say(intents.NEXT)
        assert f"sam on {topic.value}" in talk.text
    assert "everything" in talk.text.lower()


def test_what_did_sam_say_about_whats_working(talk: Talk) -> None:
    finish_a_check_in(talk)
    talk.open()
    talk.say(intents.CHECKIN_PLAYBACK, person="sam", topic=Slot("what's working", "WORKING_WELL"))
    assert "read out Sam's answers" in talk.text
    talk.say(intents.YES)
    assert "sam on working_well" in talk.text and "alex on" not in talk.text
    talk.say(intents.CHECKIN_PLAYBACK, person="alex", topic="what's lacking")
    assert "alex on lacking" in talk.text and "sam on" not in talk.text
    talk.say(intents.CHECKIN_PLAYBACK, person="robin")
    assert "Robin" in talk.text or "robin" in talk.text


def test_when_was_our_last_check_in(talk: Talk) -> None:
    talk.open()
    talk.say(intents.LAST_CHECKIN)
    assert "haven't saved a check-in" in talk.text
    finish_a_check_in(talk)
    talk.open()
    talk.say(intents.LAST_CHECKIN)
    assert "Sunday, November 22" in talk.text and "10 answers" in talk.text


def test_delete_with_no_keeps_and_with_yes_deletes(talk: Talk) -> None:
    finish_a_check_in(talk)
    talk.open()
    talk.say(intents.DELETE_CHECKINS)
    assert "sure" in talk.text.lower()
    talk.say(intents.NO)
    assert len(stored(talk)) == 10
    talk.say(intents.DELETE_CHECKINS)
    talk.say(intents.YES)
    assert "deleted" in talk.text.lower() and stored(talk) == {}
    talk.say(intents.CHECKIN_PLAYBACK)
    assert "haven't saved a check-in" in talk.text


def test_answers_are_read_back_exactly_as_said(talk: Talk) -> None:
    set_up_two(talk)
    talk.say(intents.ANSWER, answer='you said "I <3 you" & meant it')
    talk.say(intents.PAUSE_CHECKIN)
    talk.open()
    talk.say(intents.CHECKIN_PLAYBACK)
    talk.say(intents.YES)
    assert 'you said "I <3 you" & meant it' in talk.text


def test_reminder_times_are_read_for_an_evening_check_in(talk: Talk) -> None:
    from dialogue.effects import ScheduleReminder

    talk.ports.time_zone = lambda: "Europe/London"
    talk.open()
    reply = talk.say(intents.SCHEDULE_CHECKIN, day="wednesday", time="08:00")
    (effect,) = reply.effects
    assert isinstance(effect, ScheduleReminder)
    assert "Wednesday at 8 PM" in talk.text
    assert effect.at.hour == 20 and effect.at.weekday() == 2 and effect.recurrence is not None
    assert effect.at > talk.now.replace(tzinfo=None)
    talk.open()
    talk.say(intents.SCHEDULE_CHECKIN, time="10:30")  # a morning hour after nine stays as said
    assert "Wednesday at 10:30 AM" in talk.text


def test_no_to_the_reminder_offer_says_goodbye_and_sets_nothing(talk: Talk) -> None:
    set_up_one(talk)
    for index in range(len(TOPICS)):
        talk.say(intents.ANSWER, answer=f"thought {index}")
    assert "remind you" in talk.text
    reply = talk.say(intents.NO)
    assert reply.end_session and reply.effects == ()
    assert "checkin" not in talk.state.household.alerts
