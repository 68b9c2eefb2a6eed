"""The six kinds of intimacy, their quiz, and connection rituals, in the core: what a couple hears,
what a "yes" starts, which reminder is made, and that nothing of the quiz outlives the session."""

from __future__ import annotations

from datetime import datetime

import pytest

from dialogue import effects as fx
from dialogue import intents
from dialogue.content import load_content
from dialogue.model import Slot
from tests.dialogue.conftest import Talk
from tests.dialogue.test_timed import outcome


def couple() -> Talk:
    talk = Talk()
    talk.state.household.names = ["Sam", "Alex"]
    talk.state.household.visits = 5
    talk.ports.time_zone = lambda: "Europe/London"
    talk.open()
    return talk


def reminders(talk: Talk) -> list[fx.ScheduleReminder]:
    assert talk.reply is not None
    return [e for e in talk.reply.effects if isinstance(e, fx.ScheduleReminder)]


# --- the kinds of intimacy -------------------------------------------------------------------


def test_what_is_spiritual_intimacy_explains_it_and_yes_asks_from_the_spirituality_deck() -> None:
    talk = couple()
    talk.say(intents.INTIMACY_KIND, kind=Slot(value="spiritual", resolved_id="SPIRITUAL"))
    assert talk.text.startswith("Spiritual intimacy is sharing what gives your life meaning")
    assert talk.text.endswith("I have a set of questions about spirituality. Would you like one?")
    talk.say(intents.YES)
    assert "spirituality" in talk.text.lower()
    assert talk.state.session.question is not None
    deck = load_content().categories["SPIRITUALITY"].questions
    assert talk.state.session.question in {question.id for question in deck}


def test_physical_intimacy_leads_to_a_hug_and_yes_starts_one() -> None:
    talk = couple()
    talk.say(intents.INTIMACY_KIND, kind="physical")
    assert "closeness through touch" in talk.text and "Shall I time one?" in talk.text
    talk.say(intents.YES)
    assert talk.state.session.flow == "timed"
    assert "hug" in talk.text.lower()


def test_sexual_intimacy_is_answered_plainly_and_offers_nothing() -> None:
    talk = couple()
    talk.say(intents.INTIMACY_KIND, kind="sexual")
    assert "That conversation is yours to have" in talk.text
    assert talk.text.endswith("What would you like to do now?")
    assert talk.state.session.offer is None
    talk.say(intents.YES)  # nothing was offered: a yes starts nothing
    assert talk.state.session.flow == "home"


def test_what_kinds_are_there_names_six_and_a_bare_kind_is_then_explained() -> None:
    talk = couple()
    talk.say(intents.INTIMACY_KINDS)
    assert "emotional, physical, spiritual, intellectual, social and sexual" in talk.text
    assert talk.state.session.step == "choosing"
    talk.say(intents.FALLBACK)
    assert talk.text.startswith("Sorry, I didn't catch which one.") and "spiritual" in talk.text
    talk.say(intents.INTIMACY_KIND, kind="intellectual")
    assert talk.text.startswith("Intellectual intimacy is the closeness of sharing ideas")
    talk.say(intents.YES)
    assert talk.state.session.category == "HOPES_AND_DREAMS"


def test_help_while_choosing_fits_the_step() -> None:
    talk = couple()
    talk.say(intents.INTIMACY_KINDS)
    talk.say(intents.HELP)
    assert talk.text.startswith("I can tell you about any of the six kinds of intimacy.")


# --- the quiz --------------------------------------------------------------------------------


def test_the_quiz_counts_yes_skips_and_leads_on_from_the_first_kind_they_lean_to() -> None:
    talk = couple()
    talk.say(intents.INTIMACY_QUIZ)
    assert "sounds like the two of you" in talk.text
    assert talk.text.endswith("talking it through together is the first thing you want. Yes or no?")
    talk.say(intents.NO)  # emotional
    talk.say(intents.YES)  # physical
    talk.say(intents.NEXT)  # spiritual: skipped
    assert talk.text.startswith("We'll leave that one. You love a good talk"), "no 'got it' after a skip"
    talk.say(intents.FALLBACK)  # intellectual, not understood
    assert talk.text.startswith("A yes or a no is all I need.")
    assert "a book or the news" in talk.text, "the same statement again"
    talk.say(intents.REPEAT)
    assert "a book or the news" in talk.text
    talk.say(intents.YES)  # intellectual
    talk.say(intents.NO)  # social
    talk.say(intents.NO)  # sexual
    assert "You lean towards physical and intellectual intimacy." in talk.text
    assert talk.text.endswith(
        "For physical intimacy, a twenty-second hug is a good place to start. Shall I time one?"
    )
    assert talk.state.session.leans == [], "the quiz's answers are not kept"
    talk.say(intents.YES)
    assert talk.state.session.flow == "timed"


def test_no_to_everything_is_fine_and_one_person_is_asked_as_one() -> None:
    talk = Talk()
    talk.state.household.names = ["Priya"]
    talk.state.household.visits = 3
    talk.open()
    talk.say(intents.INTIMACY_QUIZ)
    assert "sounds like you, or no" in talk.text
    for _ in range(6):
        talk.say(intents.NO)
    assert "None of those, then, and that's fine" in talk.text
    assert talk.state.session.flow == "home" and talk.state.session.offer is None


def test_never_mind_leaves_the_quiz() -> None:
    talk = couple()
    talk.say(intents.INTIMACY_QUIZ)
    talk.say(intents.YES)
    talk.say(intents.CANCEL)
    assert talk.text.startswith("Okay, we'll leave the quiz there.")
    assert talk.state.session.flow == "home" and talk.state.session.leans == []


# --- connection rituals ----------------------------------------------------------------------


def test_ideas_come_in_turn_across_sessions_and_another_gives_the_next() -> None:
    talk = couple()
    talk.say(intents.RITUAL)
    assert "a glass of wine, or a cup of tea" in talk.text
    assert talk.text.endswith("Shall I remind you, or would you like another idea?")
    talk.say(intents.NEXT)
    assert "a brunch date at the weekend" in talk.text
    talk.say(intents.NO)
    assert talk.text.startswith("Okay, no reminder.")
    talk.open()
    talk.say(intents.RITUAL)
    assert "a long, slow kiss" in talk.text, "the next idea, not the first again"


def test_yes_sets_a_daily_reminder_at_the_rituals_usual_time_in_the_devices_zone() -> None:
    talk = couple()
    talk.say(intents.RITUAL)
    talk.say(intents.YES)
    assert "I'll remind you every day at 6:30 PM" in talk.text and talk.reply is not None
    assert talk.reply.end_session
    (reminder,) = reminders(talk)
    assert reminder.recurrence == fx.Recurrence("DAILY", ())
    assert reminder.at == datetime(2026, 11, 23, 18, 30)  # 20:00 in London now: tomorrow's
    assert reminder.time_zone == "Europe/London"
    assert reminder.text == "Time for a glass of something together, before anything else."
    assert talk.state.household.alerts["ritual.wine"]["time"] == "18:30"


@pytest.mark.parametrize(
    ("ideas", "day", "time", "often", "said"),
    [
        (1, "friday", "07:00", None, "every Friday at 7 PM"),  # wine is an evening ritual
        (3, None, "07:00", None, "every day at 7 AM"),  # the kiss is a morning one
        (1, None, None, "MORNING", "every day at 7:30 AM"),
        (2, None, None, "WEEKLY", "every Saturday at 10:30 AM"),  # brunch keeps its day
        (1, "sunday", None, None, "every Sunday at 6:30 PM"),
    ],
)
def test_a_time_of_their_own(
    ideas: int, day: str | None, time: str | None, often: str | None, said: str
) -> None:
    talk = couple()
    talk.say(intents.RITUAL)
    for _ in range(ideas - 1):
        talk.say(intents.NEXT)
    slots: dict[str, Slot] = {}
    if day:
        slots["day"] = Slot(value=day)
    if time:
        slots["time"] = Slot(value=time)
    if often:
        slots["often"] = Slot(value=often.lower(), resolved_id=often)
    talk.say(intents.RITUAL_REMINDER, None, **slots)
    assert f"I'll remind you {said}." in talk.text
    (reminder,) = reminders(talk)
    weekly = said.split()[1] != "day"
    assert reminder.recurrence is not None
    assert reminder.recurrence.freq == ("WEEKLY" if weekly else "DAILY")


def test_the_check_in_ritual_sets_the_check_ins_own_weekly_reminder() -> None:
    talk = couple()
    talk.state.household.ritual_next = 4  # the scheduled check-in
    talk.say(intents.RITUAL)
    assert "a weekly check-in" in talk.text
    assert talk.text.endswith(
        "Shall I set a weekly reminder for your check-in, or would you like another idea?"
    )
    talk.say(intents.YES)
    (reminder,) = reminders(talk)
    assert reminder.purpose == "checkin" and "Sunday at 8 PM" in talk.text


def test_stopping_deletes_every_ritual_reminder_and_says_so_when_there_is_none() -> None:
    talk = couple()
    talk.say(intents.STOP_RITUAL_REMINDERS)
    assert talk.text.startswith("There's no ritual reminder set.")
    for ideas in (1, 2):
        talk.open()
        talk.say(intents.RITUAL)
        if ideas == 2:
            talk.say(intents.NEXT)
        talk.say(intents.YES)
        purpose = reminders(talk)[0].purpose
        talk.state.household.alerts[purpose]["id"] = f"amazon-{ideas}"  # as the host's EffectDone keeps it
    talk.open()
    talk.say(intents.STOP_RITUAL_REMINDERS)
    assert talk.text.startswith("Okay, I've stopped your ritual reminders.")
    assert talk.reply is not None
    cancelled = sorted(e.reminder_id for e in talk.reply.effects if isinstance(e, fx.CancelReminder))
    assert cancelled == ["amazon-1", "amazon-2"]
    assert not [p for p in talk.state.household.alerts if p.startswith("ritual.")]


def test_a_reminder_refused_for_permission_is_made_once_permission_is_granted() -> None:
    talk = couple()
    talk.say(intents.RITUAL)
    talk.say(intents.RITUAL_REMINDER, day="friday", time="19:00")
    outcome(talk, intents.EFFECT_FAILED, purpose="ritual.wine", reason="permission", scope=fx.REMINDERS_SCOPE)
    assert talk.reply is not None and not reminders(talk)
    outcome(talk, intents.PERMISSION_ANSWER, status="ACCEPTED", scope=fx.REMINDERS_SCOPE)
    (reminder,) = reminders(talk)
    assert reminder.purpose == "ritual.wine"
    assert reminder.recurrence == fx.Recurrence("WEEKLY", ("FR",)) and reminder.at.hour == 19


def test_no_to_what_fits_a_kind_is_not_goodbye() -> None:
    talk = couple()
    talk.say(intents.INTIMACY_KIND, kind="spiritual")
    talk.say(intents.NO)
    assert talk.reply is not None and not talk.reply.end_session
    declined = ("That's fine. What would you like to do?", "Okay. What would you like to do instead?")
    assert talk.text in declined
    talk.say(intents.INTIMACY_KIND, kind="physical")
    talk.say(intents.YES)
    assert talk.state.session.flow == "timed", "yes still starts what was offered"
