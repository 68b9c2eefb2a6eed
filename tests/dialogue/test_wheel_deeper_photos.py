"""The life balance wheel, going deeper and photo show-and-tell, in the core: what a couple hears,
what is kept (ratings only, in the journal), and what carries over to another day."""

from __future__ import annotations

from datetime import timedelta

from dialogue import effects as fx
from dialogue import intents
from dialogue.model import Slot
from dialogue.ports import Kind
from tests.dialogue.conftest import Talk
from tests.dialogue.test_intimacy_rituals import couple

AREAS = ("relationships", "health", "work", "money", "fun", "growth", "family", "friends")


def rate_all(talk: Talk, sam: list[int], alex: list[int]) -> None:
    talk.say(intents.WHEEL)
    for value in [*sam, *alex]:
        talk.say(intents.RATING, rating=Slot(value=str(value), resolved_id=str(value)))


def kept(talk: Talk) -> list[tuple[str | None, str, str]]:
    record = talk.journal.recent(1, Kind.WHEEL)[0]
    return sorted((a.name, a.topic, a.text) for a in record.answers)


# --- the wheel -------------------------------------------------------------------------------


def test_each_person_rates_every_area_by_name_and_every_rating_is_kept() -> None:
    talk = couple()
    talk.say(intents.WHEEL)
    assert "rate them from one to ten" in talk.text
    assert talk.text.endswith("Sam, from one to ten, how happy are you with your relationship?")
    assert talk.reply is not None and talk.reply.elicit == (intents.RATING, "rating")
    talk.say(intents.RATING, rating="8")
    assert talk.text.endswith("your health?")
    for value in ("6", "5", "4", "9", "7", "8"):
        talk.say(intents.RATING, rating=value)
    talk.say(intents.RATING, rating="7")
    assert "That's all eight for you." in talk.text
    assert talk.text.endswith("Alex, from one to ten, how happy are you with your relationship?")
    for value in ("9", "8", "6", "3", "7", "6", "9", "8"):
        talk.say(intents.RATING, rating=value)
    assert "That's your wheel, kept." in talk.text
    assert "Sam: highest is fun, at 9; lowest is money, at 4." in talk.text
    assert "Alex: highest is relationship, at 9; lowest is money, at 3." in talk.text
    assert "The lowest was money." in talk.text
    assert ("Sam", "relationships", "8") in kept(talk) and ("Alex", "money", "3") in kept(talk)
    assert len(kept(talk)) == 16
    assert talk.reply is not None and talk.reply.private, "ratings are not repeated from the state"
    assert '"8"' not in talk.state.to_json() and talk.state.session.entry is None


def test_the_next_wheel_says_what_changed_since_last_time() -> None:
    talk = couple()
    rate_all(talk, [6, 6, 5, 4, 9, 7, 8, 7], [9, 8, 6, 3, 7, 6, 9, 8])
    talk.now += timedelta(days=30)
    talk.open()
    rate_all(talk, [8, 6, 5, 4, 9, 7, 8, 7], [9, 8, 6, 3, 7, 6, 9, 8])
    assert "Since last time, for Sam, relationship went from 6 to 8." in talk.text
    assert "Alex: the same as last time." in talk.text


def test_numbers_outside_one_to_ten_and_skips() -> None:
    talk = couple()
    talk.say(intents.WHEEL)
    for hostile in ("inf", "nan", "-3", "seven and a bit"):  # a request's slot can hold anything
        talk.say(intents.RATING, rating=hostile)
        assert talk.text.endswith("your relationship?")
    talk.say(intents.RATING, rating="12")
    assert talk.text.startswith("From one to ten, please, or say skip.") and talk.text.endswith(
        "your relationship?"
    )
    talk.say(intents.FALLBACK)
    assert talk.text.endswith("your relationship?")
    talk.say(intents.NEXT)
    assert talk.text.startswith("We'll leave that one.") and talk.text.endswith("your health?")
    talk.say(intents.RATING, rating="7")
    talk.say(intents.STOP)
    assert talk.text.startswith("Okay. What you've rated is kept. To finish it later today")
    assert kept(talk) == [("Sam", "health", "7")]


def test_a_wheel_left_half_way_is_carried_on_the_same_day_and_started_afresh_the_next() -> None:
    talk = couple()
    talk.say(intents.WHEEL)
    for value in ("8", "6", "5"):
        talk.say(intents.RATING, rating=value)
    talk.say(intents.STOP)
    talk.now += timedelta(hours=2)
    talk.open()
    talk.say(intents.WHEEL)  # "carry on the wheel"
    assert talk.text == "Let's carry on with your wheel. Sam, from one to ten, how happy are you with money?"
    for value in ("4", "9", "7", "8", "7", "9", "8", "6", "3", "7", "6", "9", "8"):
        talk.say(intents.RATING, rating=value)
    assert "That's your wheel, kept." in talk.text and len(kept(talk)) == 16
    talk.open()
    talk.say(intents.WHEEL)
    talk.say(intents.RATING, rating="5")
    talk.say(intents.STOP)
    talk.now += timedelta(days=1)
    talk.open()
    talk.say(intents.WHEEL)
    assert "I'll name eight areas" in talk.text, "a day later it starts afresh"
    left = talk.journal.recent(8, Kind.WHEEL)[0]  # yesterday's one rating, kept as it was
    assert [a.text for a in left.answers] == ["5"] and left.completed_at is not None


def test_reading_the_last_wheel_asks_first() -> None:
    talk = couple()
    talk.say(intents.WHEEL_READ_BACK)
    assert talk.text.startswith("There's no wheel kept yet.")
    rate_all(talk, [6, 6, 5, 4, 9, 7, 8, 7], [9, 8, 6, 3, 7, 6, 9, 8])
    talk.open()
    talk.say(intents.WHEEL_READ_BACK)
    assert talk.text == "Your ratings are personal. Shall I read them aloud?"
    talk.say(intents.YES)
    assert (
        "Sam gave relationship 6, health 6, work 5, money 4, fun 9, growth 7, family 8, and friends 7."
        in talk.text
    )


# --- going deeper ----------------------------------------------------------------------------


def test_both_answer_each_question_and_who_goes_first_alternates() -> None:
    talk = couple()
    talk.say(intents.DEEPER)
    assert "three sets of questions" in talk.text and "Sam first." in talk.text
    first_question = talk.text
    talk.say(intents.NEXT)
    assert "Now Alex, the same question." in talk.text
    talk.say(intents.NEXT)
    assert "Next question" in talk.text or "next one" in talk.text
    assert "Alex first." in talk.text and talk.text != first_question
    talk.say(intents.NEXT)
    assert "Now Sam, the same question." in talk.text


def test_a_set_can_be_paused_and_picked_up_another_day_at_the_same_question() -> None:
    talk = couple()
    talk.say(intents.DEEPER)
    for _ in range(4):  # two questions, both answered
        talk.say(intents.NEXT)
    third = talk.text
    talk.say(intents.PAUSE_CHECKIN)
    assert "I'll keep your place" in talk.text and talk.reply is not None and talk.reply.end_session
    talk.now += timedelta(days=2)
    talk.open()
    talk.say(intents.DEEPER)
    assert talk.text.startswith("Welcome back. Let's pick up where you stopped.")
    assert third.split("Sam first. ")[-1].split(" When")[0] in talk.text


def test_a_finished_set_asks_before_going_deeper_and_the_third_closes() -> None:
    talk = couple()
    talk.say(intents.DEEPER)
    for _ in range(12):  # six questions, two answers each
        talk.say(intents.NEXT)
    assert talk.text.startswith("That's set one done.")
    talk.say(intents.NO)
    assert "we'll start set two" in talk.text
    talk.open()
    talk.say(intents.DEEPER)
    assert talk.text.startswith("Set two: a little deeper.")
    for _ in range(12):
        talk.say(intents.NEXT)
    talk.say(intents.YES)
    assert talk.text.startswith("Set three, the most personal.")
    for _ in range(12):
        talk.say(intents.NEXT)
    assert talk.text.startswith("That's all three sets.")
    assert talk.state.household.deeper is None


# --- photo show-and-tell ---------------------------------------------------------------------


def test_photos_start_with_do_not_disturb_and_a_timer_for_each_turn_passed_by_name() -> None:
    talk = couple()
    talk.say(intents.PHOTOS)
    assert "put your phones on do not disturb" in talk.text
    assert "Sam goes first" in talk.text and "about 5 minutes" in talk.text
    talk.say(intents.YES)
    assert talk.reply is not None and talk.reply.end_session
    (timer,) = [e for e in talk.reply.effects if isinstance(e, fx.StartTimer)]
    assert timer.duration == timedelta(minutes=5) and timer.purpose == "photos"
    assert talk.text.startswith("Go ahead, Sam.")
    talk.now += timedelta(minutes=2)
    talk.open()
    assert "Sam still has about 3 minutes" in talk.text
    talk.say(intents.NEXT_PERSON)
    assert talk.text.startswith("Thank you, Sam.") and "Now it's Alex's turn" in talk.text, "passed on early"
    talk.say(intents.YES)
    talk.now += timedelta(minutes=6)  # the timer rang
    talk.open()
    assert talk.text.startswith("Time's up. That's a round of show-and-tell."), "the timer rang"
    talk.say(intents.YES)
    assert talk.text.startswith("Another round. Sam first again")


def test_a_time_of_their_own_per_turn() -> None:
    talk = couple()
    talk.say(intents.PHOTOS, duration=Slot(value="PT3M"))
    assert "about 3 minutes" in talk.text


# --- the greeting ----------------------------------------------------------------------------


def test_a_returning_greeting_suggests_two_untried_things_that_fit_the_hour() -> None:
    talk = Talk()
    talk.state.household.visits = 5
    talk.ports.time_zone = lambda: "Europe/London"
    talk.now = talk.now.replace(hour=18)  # 6 pm in London: dinner time
    talk.open()
    assert "how your day was" in talk.text  # the evening's first greeting offers the daily question
    talk.say(intents.NO)
    talk.open()
    assert "a question for dinner, or going deeper?" in talk.text
    talk.say(intents.ASK_QUESTION)
    talk.say(intents.DEEPER)
    talk.open()
    # the question tried comes last; the set of deeper questions begun is there to carry on
    assert "carrying on going deeper, or photo show and tell?" in talk.text
    talk.now = talk.now.replace(hour=7)  # the next morning
    talk.now += timedelta(days=1)
    talk.open()
    assert "a ritual idea, or a twenty-second hug?" in talk.text
    assert len(talk.text) < 120, "the greeting stays short"


def test_without_the_devices_time_zone_the_greeting_is_the_plain_one() -> None:
    talk = Talk()
    talk.state.household.visits = 5
    talk.ports.time_zone = lambda: None
    talk.open()
    assert "How about" not in talk.text and "for dinner" not in talk.text
    assert talk.text.startswith(("Welcome back.", "Hello again.", "Good to hear you."))


def test_a_paused_set_of_deeper_questions_is_suggested_first_in_the_evening() -> None:
    talk = couple()
    talk.say(intents.DEEPER)
    talk.say(intents.PAUSE_CHECKIN)
    talk.now = talk.now.replace(hour=19)
    talk.state.household.daily_offered = talk.now.date().isoformat()  # the day's offer made already
    talk.open()
    assert "carrying on going deeper, or a question for dinner?" in talk.text
