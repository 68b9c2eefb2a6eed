"""Timed exercises in the pure core: the hug's real quiet, the cuddle, the tech-free evening, permissions."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from dialogue import Effect, Event, Reply, Slot, intents, respond, to_ssml
from dialogue import effects as fx
from dialogue.content import load_content
from dialogue.speech import MAX_BREAK_MS, Pause, Sound, silence_ms
from tests.dialogue.conftest import Talk

SOUNDS = load_content().sounds


def outcome(talk: Talk, intent: str, **data: str) -> Reply:
    """What the host sends back after carrying out an effect."""
    talk.state, talk.reply = respond(talk.state, Event(intent, data=data), talk.ports)
    talk.new_session = talk.reply.end_session
    return talk.reply


def later(talk: Talk, by: timedelta) -> None:
    start = talk.ports.clock()
    talk.ports.clock = lambda: start + by


def quiet_between_chimes(reply: Reply) -> int:
    """Milliseconds of silence between the start chime and the end chime."""
    speech = list(reply.speech)
    start = speech.index(Sound(SOUNDS["hug_start"]))
    end = speech.index(Sound(SOUNDS["hug_end"]))
    return sum(part.ms for part in speech[start:end] if isinstance(part, Pause))


def only(effects: tuple[Effect, ...], kind: type) -> Effect:
    found = [effect for effect in effects if isinstance(effect, kind)]
    assert len(found) == 1, effects
    return found[0]


# --- the hug ---------------------------------------------------------------------------------


def test_a_hug_is_twenty_real_seconds_of_quiet_between_two_chimes(talk: Talk) -> None:
    talk.open()
    reply = talk.say(intents.HUG)
    assert quiet_between_chimes(reply) >= 20_000
    assert silence_ms(reply.speech) >= 20_000
    ssml = to_ssml(reply.speech)
    assert ssml.count('<break time="10000ms"/>') == 2  # Alexa's longest break, twice
    assert all(int(ms) <= MAX_BREAK_MS for ms in re.findall(r'time="(\d+)ms"', ssml))
    assert SOUNDS["hug_start"] in ssml and SOUNDS["hug_end"] in ssml
    assert "20 seconds" in talk.text
    assert "another" in talk.text.lower() and reply.listens and reply.effects == ()


def test_yes_or_next_after_a_hug_is_another_hug(talk: Talk) -> None:
    talk.open()
    talk.say(intents.HUG)
    for intent in (intents.YES, intents.NEXT):
        reply = talk.say(intent)
        assert quiet_between_chimes(reply) >= 20_000


def test_a_one_minute_hug_is_a_minute_of_quiet_and_a_short_one_is_still_twenty_seconds(talk: Talk) -> None:
    talk.open()
    assert quiet_between_chimes(talk.say(intents.HUG, duration="PT1M")) == 60_000
    assert "60 seconds" in talk.text
    assert quiet_between_chimes(talk.say(intents.HUG, duration="PT5S")) == 20_000


def test_a_hug_longer_than_a_reply_can_hold_is_ended_by_a_timer(talk: Talk) -> None:
    talk.open()
    reply = talk.say(intents.HUG, duration="PT5M")
    timer = only(reply.effects, fx.StartTimer)
    assert isinstance(timer, fx.StartTimer)
    assert timer.duration == timedelta(minutes=5) and timer.purpose == "hug"
    assert timer.announce and "5 minutes" in talk.text and reply.end_session
    assert silence_ms(reply.speech) < 2_000


# --- the bedtime cuddle ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "minutes", "heard"),
    [(None, 10, "10 minutes"), ("PT15M", 15, "15 minutes"), ("PT1H", 60, "1 hour")],
)
def test_the_bedtime_cuddle_is_a_gentle_timer(talk: Talk, said: str | None, minutes: int, heard: str) -> None:
    reply = talk.say(intents.CUDDLE, **({"duration": said} if said else {}))
    timer = only(reply.effects, fx.StartTimer)
    assert isinstance(timer, fx.StartTimer)
    assert timer.duration == timedelta(minutes=minutes)
    assert timer.label == "Bedtime cuddle" and "sleep" in timer.announce.lower()
    assert heard in talk.text and reply.end_session


# --- the tech-free evening -------------------------------------------------------------------


def test_an_evening_for_two_hours_explains_itself_and_starts_an_announcing_timer(talk: Talk) -> None:
    now = talk.ports.clock()
    reply = talk.say(intents.START_EVENING, duration="PT2H")
    timer = only(reply.effects, fx.StartTimer)
    assert isinstance(timer, fx.StartTimer)
    assert timer.duration == timedelta(hours=2) and timer.purpose == "evening"
    assert "welcome back" in timer.announce.lower()
    assert "phones" in talk.text.lower() and "2 hours" in talk.text
    assert reply.end_session
    assert talk.state.household.alerts["evening"]["ends_at"] == (now + timedelta(hours=2)).isoformat()


def test_an_evening_without_a_length_lasts_two_hours(talk: Talk) -> None:
    timer = only(talk.say(intents.START_EVENING).effects, fx.StartTimer)
    assert isinstance(timer, fx.StartTimer) and timer.duration == timedelta(hours=2)


def test_until_ten_is_read_in_the_devices_time_zone_as_ten_at_night(talk: Talk) -> None:
    talk.ports.clock = lambda: datetime(2026, 11, 22, 19, 0, tzinfo=UTC)
    talk.ports.time_zone = lambda: "America/New_York"  # 19:00 UTC is 14:00 there
    timer = only(talk.say(intents.START_EVENING, until="10:00").effects, fx.StartTimer)
    assert isinstance(timer, fx.StartTimer)
    assert timer.duration == timedelta(hours=8)  # 14:00 -> 22:00 local
    talk.ports.time_zone = lambda: "Europe/Berlin"  # 20:00 there
    talk.state.household.alerts.clear()
    timer = only(talk.say(intents.START_EVENING, until="22:30").effects, fx.StartTimer)
    assert isinstance(timer, fx.StartTimer) and timer.duration == timedelta(hours=2, minutes=30)


def test_until_a_time_with_no_known_time_zone_asks_for_a_length_instead(talk: Talk) -> None:
    talk.open()
    reply = talk.say(intents.START_EVENING, until="22:00")
    assert reply.effects == () and reply.listens
    assert "how long" in talk.text.lower()
    reply = talk.say(intents.START_EVENING, duration="PT90M")
    timer = only(reply.effects, fx.StartTimer)
    assert isinstance(timer, fx.StartTimer) and timer.duration == timedelta(minutes=90)


def test_an_evening_beyond_the_timer_maximum_becomes_a_reminder_at_its_end(talk: Talk) -> None:
    talk.ports.clock = lambda: datetime(2026, 11, 22, 19, 0, tzinfo=UTC)
    talk.ports.time_zone = lambda: "Europe/Berlin"
    reply = talk.say(intents.START_EVENING, duration="P2D")
    reminder = only(reply.effects, fx.ScheduleReminder)
    assert isinstance(reminder, fx.ScheduleReminder)
    assert reminder.at == datetime(2026, 11, 24, 20, 0)  # local wall time, two days on
    assert reminder.time_zone == "Europe/Berlin" and reminder.recurrence is None
    assert (
        reminder.scope == fx.REMINDERS_SCOPE and talk.state.household.alerts["evening"]["kind"] == "reminder"
    )


def test_how_long_is_left_comes_from_the_stored_end_and_the_clock(talk: Talk) -> None:
    talk.say(intents.START_EVENING, duration="PT2H")
    outcome(talk, intents.EFFECT_DONE, purpose="evening", effect="StartTimer", id="timer-1")
    later(talk, timedelta(minutes=50))
    talk.end_session()
    reply = talk.say(intents.EVENING_TIME_LEFT)
    assert "1 hour and 10 minutes" in talk.text and reply.end_session
    later(talk, timedelta(hours=3))
    talk.say(intents.EVENING_TIME_LEFT)
    assert "no tech-free evening" in talk.text.lower()
    assert "evening" not in talk.state.household.alerts


def test_ending_the_evening_cancels_its_timer_and_welcomes_them_back(talk: Talk) -> None:
    talk.say(intents.START_EVENING, duration="PT2H")
    outcome(talk, intents.EFFECT_DONE, purpose="evening", effect="StartTimer", id="timer-1")
    talk.end_session()
    reply = talk.say(intents.END_EVENING)
    assert only(reply.effects, fx.CancelTimer) == fx.CancelTimer("timer-1", "evening", "Tech-free evening")
    assert "welcome back" in talk.text.lower() and reply.listens
    assert talk.state.household.alerts == {}
    talk.say(intents.YES)
    assert talk.state.session.flow == "questions"


def test_starting_an_evening_twice_says_it_is_already_on(talk: Talk) -> None:
    talk.say(intents.START_EVENING, duration="PT2H")
    talk.end_session()
    reply = talk.say(intents.START_EVENING, duration="PT1H")
    assert reply.effects == () and "already" in talk.text.lower() and "2 hours" in talk.text


def test_ending_when_nothing_runs_offers_to_start(talk: Talk) -> None:
    talk.open()
    reply = talk.say(intents.END_EVENING)
    assert reply.effects == () and reply.listens and "no tech-free evening" in talk.text.lower()


# --- outcomes: permission and faults ----------------------------------------------------------


def test_missing_permission_asks_by_voice_and_keeps_the_request(talk: Talk) -> None:
    talk.say(intents.START_EVENING, duration="PT2H")
    reply = outcome(
        talk,
        intents.EFFECT_FAILED,
        purpose="evening",
        effect="StartTimer",
        reason="permission",
        scope=fx.TIMERS_SCOPE,
    )
    ask = only(reply.effects, fx.AskPermission)
    assert ask == fx.AskPermission(fx.TIMERS_SCOPE, token="evening")
    assert "permission" in talk.text.lower() and reply.reprompt is None
    assert talk.state.household.pending is not None
    assert "evening" not in talk.state.household.alerts  # nothing runs yet

    later(talk, timedelta(seconds=40))
    reply = outcome(talk, intents.PERMISSION_ANSWER, status="ACCEPTED", scope=fx.TIMERS_SCOPE)
    timer = only(reply.effects, fx.StartTimer)
    assert isinstance(timer, fx.StartTimer)
    assert timer.duration == timedelta(hours=2) - timedelta(seconds=40)  # ends when first asked
    assert "start" in talk.text.lower() and "phones" not in talk.text.lower()  # no second explanation


@pytest.mark.parametrize("status", ["DENIED", "NOT_ANSWERED"])
def test_a_refused_permission_says_what_they_can_still_do_and_shows_the_card(talk: Talk, status: str) -> None:
    talk.say(intents.CUDDLE)
    outcome(talk, intents.EFFECT_FAILED, purpose="cuddle", reason="permission", scope=fx.TIMERS_SCOPE)
    reply = outcome(talk, intents.PERMISSION_ANSWER, status=status, scope=fx.TIMERS_SCOPE)
    assert only(reply.effects, fx.ConsentCard) == fx.ConsentCard(fx.TIMERS_SCOPE)
    assert "hug" in talk.text.lower() and reply.listens
    assert talk.state.household.pending is None
    assert quiet_between_chimes(talk.say(intents.YES)) >= 20_000  # the hug needs no permission


def test_permission_failing_again_after_asking_does_not_ask_twice(talk: Talk) -> None:
    talk.say(intents.START_EVENING)
    outcome(talk, intents.EFFECT_FAILED, purpose="evening", reason="permission", scope=fx.TIMERS_SCOPE)
    outcome(talk, intents.PERMISSION_ANSWER, status="ACCEPTED", scope=fx.TIMERS_SCOPE)
    reply = outcome(
        talk, intents.EFFECT_FAILED, purpose="evening", reason="permission", scope=fx.TIMERS_SCOPE
    )
    assert not any(isinstance(effect, fx.AskPermission) for effect in reply.effects)
    assert only(reply.effects, fx.ConsentCard)


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        ("throttled", "busy"),
        ("unavailable", "couldn't reach"),
        ("timeout", "too long"),
        ("offline", "offline"),
    ],
)
def test_each_fault_gets_an_honest_answer_and_nothing_is_left_running(
    talk: Talk, reason: str, words: str
) -> None:
    talk.say(intents.START_EVENING, duration="PT2H")
    reply = outcome(talk, intents.EFFECT_FAILED, purpose="evening", effect="StartTimer", reason=reason)
    assert words in talk.text.lower() and "hug" in talk.text.lower()
    assert reply.listens and reply.effects == ()
    assert talk.state.household.alerts == {} and talk.state.household.pending is None


def test_a_done_effect_is_silent_and_keeps_the_id(talk: Talk) -> None:
    talk.say(intents.CUDDLE)
    reply = outcome(talk, intents.EFFECT_DONE, purpose="cuddle", effect="StartTimer", id="t-9")
    assert reply.speech == ()
    assert talk.state.household.alerts["cuddle"]["id"] == "t-9"
    assert talk.state.household.pending is None


def test_a_weekly_reminder_effect_is_general_enough_for_the_check_in() -> None:
    weekly = fx.ScheduleReminder(
        at=datetime(2026, 11, 29, 20, 0),
        text="It's time for your weekly check-in.",
        purpose="checkin",
        time_zone="Europe/Berlin",
        recurrence=fx.Recurrence("WEEKLY", ("SU",)),
    )
    assert weekly.scope == fx.REMINDERS_SCOPE
    with pytest.raises(ValueError):
        fx.Recurrence("WEEKLY", ("SUNDAY",))


def test_ending_or_asking_about_the_cuddle_leaves_the_evening_running(talk: Talk) -> None:
    talk.say(intents.START_EVENING)
    talk.say(intents.CUDDLE)
    talk.say(intents.EVENING_TIME_LEFT, timed=Slot("cuddle", "cuddle"))
    assert "cuddle" in talk.text.lower()
    talk.say(intents.END_EVENING, timed=Slot("bedtime cuddle", "cuddle"))
    assert "cuddle" in talk.text.lower() and "evening" in talk.state.household.alerts
    assert "cuddle" not in talk.state.household.alerts
    talk.say(intents.END_EVENING, timed=Slot("cuddle", "cuddle"))
    assert "no bedtime cuddle" in talk.text.lower() and "evening" in talk.state.household.alerts
    talk.say(intents.END_EVENING)
    assert "evening" not in talk.state.household.alerts
