"""How was your day, in the core: one question each, kept, read back with the read-back rules;
offered in the evening at launch, never nagging, with the device's time zone kept a week."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from dialogue import intents
from dialogue.model import Slot
from dialogue.ports import Kind
from tests.dialogue.conftest import Talk


class Zones:
    """The time-zone port, counting how often it is asked."""

    def __init__(self, name: str | None = "Europe/London") -> None:
        self.name, self.asked = name, 0

    def __call__(self) -> str | None:
        self.asked += 1
        return self.name


def couple(zone: str | None = "Europe/London") -> tuple[Talk, Zones]:
    talk = Talk()
    zones = Zones(zone)
    talk.ports.time_zone = zones
    talk.state.household.names = ["Sam", "Alex"]
    talk.state.household.visits = 5
    return talk, zones


def days_kept(talk: Talk) -> list[tuple[str | None, str]]:
    return [(a.name, a.text) for r in talk.journal.recent(8, Kind.DAILY) for a in r.answers]


def test_each_is_asked_by_name_and_both_answers_are_kept() -> None:
    talk, _ = couple()
    talk.open()
    talk.say(intents.DAILY)
    assert talk.text.endswith("Sam, how was your day?") or talk.text.endswith(
        "Sam, how did today go for you?"
    )
    talk.say(intents.ANSWER, answer="long, the train was late again")
    assert talk.text.startswith("Thanks, Sam.") or talk.text.startswith("Thank you, Sam.")
    assert "Alex" in talk.text
    talk.say(intents.ANSWER, answer="lovely, I had lunch in the park")
    assert "I've kept that" in talk.text
    assert sorted(days_kept(talk)) == [
        ("Alex", "lovely, I had lunch in the park"),
        ("Sam", "long, the train was late again"),
    ]
    assert "train" not in talk.state.to_json()


def test_what_did_sam_say_yesterday_asks_first_then_reads_that_day_only_and_never_danger() -> None:
    talk, _ = couple()
    talk.open()
    talk.say(intents.DAILY)
    talk.say(intents.ANSWER, answer="busy but fine")
    talk.say(intents.ANSWER, answer="quiet")
    talk.now += timedelta(days=1)
    talk.open()
    talk.say(intents.DAILY)
    talk.say(intents.ANSWER, answer="a lovely walk by the river")
    talk.say(intents.NEXT)
    talk.say(
        intents.DAILY_READ_BACK, person="Sam", spoken_day=Slot(value="yesterday", resolved_id="YESTERDAY")
    )
    assert "what Sam said about the day" in talk.text and talk.state.session.step == "read_ok"
    talk.say(intents.YES)
    assert talk.text.startswith("Yesterday, Sam said: busy but fine.")
    assert "Alex" not in talk.text and "river" not in talk.text
    assert talk.reply is not None and talk.reply.private  # the words never reach the stored state
    talk.say(intents.DAILY_READ_BACK)  # no day: the latest; asked once a session only
    assert "Sam said: a lovely walk by the river." in talk.text
    key = next(key for key in talk.journal.answers if key[0] == 2 and key[2] == 0)
    talk.journal.answers[key] = replace(
        talk.journal.answers[key], text="he hit me again"
    )  # saved before the screen knew them
    talk.say(intents.DAILY_READ_BACK)
    assert "hit me" not in talk.text


def test_nothing_kept_for_the_day_asked_says_so_without_asking_to_read() -> None:
    talk, _ = couple()
    talk.open()
    talk.say(intents.DAILY_READ_BACK, person="Alex", spoken_day=Slot(value="monday", resolved_id="MONDAY"))
    assert talk.text == "I don't have anything Alex said on Monday." and talk.state.session.step == "menu"


def test_skip_and_stop_keep_what_was_said() -> None:
    talk, _ = couple()
    talk.open()
    talk.say(intents.DAILY)
    talk.say(intents.NEXT)
    assert "Alex" in talk.text
    talk.say(intents.ANSWER, answer="really good")
    assert days_kept(talk) == [("Alex", "really good")]
    talk.now += timedelta(days=1)
    talk.open()
    talk.say(intents.DAILY)
    talk.say(intents.ANSWER, answer="tiring")
    talk.say(intents.STOP)
    assert talk.reply is not None and talk.reply.end_session and "kept" in talk.text


def test_the_evening_greeting_offers_it_once_a_day_not_once_done_and_fetches_the_zone_once_a_week() -> None:
    talk, zones = couple()
    talk.now = talk.now.replace(hour=19)  # 7 pm in London
    talk.open()
    assert talk.text.endswith("Would you like to tell each other how your day was?")
    talk.say(intents.NO)
    talk.open()  # later the same evening: not again
    assert "how your day was" not in talk.text
    talk.now += timedelta(days=1)
    talk.open()
    assert "how your day was" in talk.text
    talk.say(intents.YES)
    assert talk.text.endswith("Sam, how was your day?") or talk.text.endswith(
        "Sam, how did today go for you?"
    )
    talk.now += timedelta(hours=1)
    talk.open()  # done today: not offered
    assert "how your day was" not in talk.text
    assert zones.asked == 1, "the device's time zone is kept, not fetched at every launch"
    talk.now += timedelta(days=8)
    talk.open()
    assert zones.asked == 2


def test_not_in_the_morning_nor_without_a_time_zone_nor_on_a_first_visit() -> None:
    talk, _ = couple()
    talk.now = talk.now.replace(hour=8)
    talk.open()
    assert "how your day was" not in talk.text
    talk, _ = couple(zone=None)
    talk.now = talk.now.replace(hour=19)
    talk.open()
    assert "how your day was" not in talk.text
    talk, _ = couple()
    talk.state.household.visits = 0
    talk.now = talk.now.replace(hour=19)
    talk.open()
    assert "how your day was" not in talk.text


def test_after_three_evenings_turned_down_it_is_offered_once_a_week() -> None:
    talk, _ = couple()
    talk.now = talk.now.replace(hour=19)
    offered = []
    for _day in range(10):
        talk.open()
        offered.append("how your day was" in talk.text)
        talk.say(intents.NO)
        talk.now += timedelta(days=1)
    assert offered == [True, True, True, False, False, False, False, False, False, True]


def test_without_names_the_other_one_is_asked_and_read_back_as_such() -> None:
    talk = Talk()
    talk.open()
    talk.say(intents.DAILY)
    assert talk.text.endswith("One of you first: how was your day?")
    talk.say(intents.ANSWER, answer="fine")
    assert talk.text.endswith("And you? How was your day?")
    talk.say(intents.ANSWER, answer="great")
    talk.say(intents.DAILY_READ_BACK)
    talk.say(intents.YES)
    assert talk.text.startswith("Today, one of you said: fine. The other said: great.")


def test_danger_in_a_daily_answer_is_answered_not_kept_and_carry_on_goes_back_to_the_day() -> None:
    talk, _ = couple()
    talk.open()
    talk.say(intents.DAILY)
    talk.say(intents.SAFETY)
    assert "I haven't kept those words" in talk.text or "None of that was saved" in talk.text
    assert "go back to how your day was" in talk.reprompt
    talk.say(intents.NEXT)  # "carry on": on to the next person; Sam is not asked again
    assert talk.text.startswith("Okay. Let's go on, gently.") and "Alex" in talk.text
    talk.say(intents.ANSWER, answer="okay in the end")
    assert days_kept(talk) == [("Alex", "okay in the end")]


def test_what_do_i_do_after_the_numbers_says_them_again_gently() -> None:
    talk, _ = couple()
    talk.open()
    talk.say(intents.SAFETY)
    talk.say(intents.HELP)
    assert "call 9 1 1" in talk.text and "Heart to Heart" not in talk.text


def test_delete_our_check_ins_with_only_days_kept_says_so_and_delete_everything_takes_them() -> None:
    talk, _ = couple()
    talk.open()
    talk.say(intents.DAILY)
    talk.say(intents.ANSWER, answer="good")
    talk.say(intents.NEXT)
    talk.say(intents.DELETE_CHECKINS)
    assert "There are no check-in answers kept yet" in talk.text and "Your days stay" in talk.text
    assert talk.state.session.step == "menu" and days_kept(talk) == [("Sam", "good")]
    talk.say(intents.DELETE_EVERYTHING)
    assert "your check-ins, your appreciations, your days, your wheel ratings and your names" in talk.text
    talk.say(intents.DISCARD_IT)  # "yes, delete it"
    assert "Everything you said is deleted" in talk.text and days_kept(talk) == []
    assert talk.state.household.names == []


def test_tom_can_go_first_and_never_mind_goes_back_to_the_menu() -> None:
    talk, _ = couple()
    talk.open()
    talk.say(intents.DAILY)
    talk.say(intents.NAME, name="alex")
    assert (
        talk.text == "Sure. Alex, how was your day?" or talk.text == "Sure. Alex, how did today go for you?"
    )
    talk.say(intents.ANSWER, answer="fine thanks")
    assert "Sam" in talk.text
    talk.say(intents.CANCEL)
    assert talk.reply is not None and not talk.reply.end_session
    assert "What was said is kept" in talk.text and days_kept(talk) == [("Alex", "fine thanks")]


def test_asked_again_the_same_day_it_offers_to_read_what_was_said() -> None:
    talk, _ = couple()
    talk.open()
    talk.say(intents.DAILY)
    talk.say(intents.ANSWER, answer="a good one")
    talk.say(intents.ANSWER, answer="so so")
    talk.say(intents.DAILY)
    assert talk.text == "You've already told me about today. Would you like to hear it?"
    talk.say(intents.YES)
    talk.say(intents.YES)  # yes, read it aloud
    assert "Today, Sam said: a good one. Alex said: so so." in talk.text
    talk.say(intents.REPEAT)
    assert "Today, Sam said: a good one." in talk.text
    assert len(talk.journal.checkins) == 1


def test_no_to_the_evening_offer_asks_what_they_would_like_instead() -> None:
    talk, _ = couple()
    talk.now = talk.now.replace(hour=19)
    talk.open()
    talk.say(intents.NO)
    assert talk.text == "No problem. What would you like to do?"
    assert talk.reply is not None and not talk.reply.end_session


def test_carry_on_after_danger_words_at_the_menu_does_not_resume_a_paused_check_in() -> None:
    talk, _ = couple()
    talk.open()
    talk.say(intents.START_CHECKIN)
    talk.say(intents.PAUSE_CHECKIN)
    talk.open()
    talk.say(intents.SAFETY)
    assert "go back to the check-in" not in talk.reprompt
    talk.say(intents.NEXT)
    assert talk.state.session.flow == "home" and talk.state.household.checkin is not None


def test_with_only_our_voices_chosen_a_day_is_read_only_to_a_voice_the_check_in_knows() -> None:
    talk, _ = couple()
    talk.state.household.voices = {"voice-sam": 0}
    talk.state.household.voices_only = True
    talk.open()
    talk.say(intents.DAILY)
    talk.say(intents.ANSWER, answer="quiet")
    talk.say(intents.NEXT)
    talk.say(intents.DAILY_READ_BACK)
    assert "quiet" not in talk.text and talk.state.session.step == "menu"
    talk.say(intents.DAILY_READ_BACK, person_id="voice-sam")
    talk.say(intents.YES, person_id="voice-sam")
    assert "Sam said: quiet." in talk.text
