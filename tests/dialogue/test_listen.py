"""Listen to understand, in the core: the quiet kept, the saying back, the swap, the timer."""

from __future__ import annotations

from datetime import timedelta

from dialogue import intents
from dialogue.effects import CancelTimer, StartTimer
from dialogue.model import Reply
from dialogue.speech import Pause, Sound
from tests.dialogue.conftest import Talk


def quiet_ms(reply: Reply) -> int:
    return sum(part.ms for part in reply.speech if isinstance(part, Pause))


def sounds(reply: Reply) -> int:
    return sum(1 for part in reply.speech if isinstance(part, Sound))


def couple() -> Talk:
    talk = Talk()
    talk.state.household.names = ["Priya", "Tom"]
    talk.open()
    return talk


def test_a_minute_each_both_ways_in_one_conversation_with_nothing_stored() -> None:
    talk = couple()
    talk.say(intents.LISTEN, duration="PT1M")
    assert "Priya talks" in talk.text and "Tom only listens" in talk.text and "60 seconds" in talk.text
    assert "Priya, say yes" in talk.reprompt
    talked = talk.say(intents.YES)
    assert quiet_ms(talked) >= 60_000 and sounds(talked) == 2, "a chime, a real minute of quiet, a chime"
    assert not talked.effects and not talked.end_session
    assert "Tom, say yes when you're ready to tell Priya what you heard" in talk.text
    said_back = talk.say(intents.YES)
    assert quiet_ms(said_back) >= 60_000
    assert talk.text.endswith("Priya, did that feel understood?")
    talk.say(intents.YES)
    assert "Now swap. Tom talks, and Priya listens." in talk.text
    talked = talk.say(intents.YES)
    assert quiet_ms(talked) >= 60_000, "the second talker gets the same time"
    assert "Priya, say yes when you're ready to tell Tom" in talk.text
    talk.say(intents.YES)
    assert "Tom, did that feel understood?" in talk.text
    talk.say(intents.NO)
    assert "what did I miss" in talk.text or "what part did I miss" in talk.text
    assert "That's both of you done" in talk.text
    assert talk.state.session.flow == "home"
    assert talk.journal.answers == {} and talk.journal.checkins == {}


def test_two_minutes_unless_they_say_is_kept_by_a_timer_and_picked_up_after_it() -> None:
    talk = couple()
    talk.say(intents.LISTEN)
    assert "2 minutes" in talk.text
    reply = talk.say(intents.YES)
    timers = [effect for effect in reply.effects if isinstance(effect, StartTimer)]
    assert [timer.duration for timer in timers] == [timedelta(minutes=2)] and reply.end_session
    assert "open Heart to Heart" in timers[0].announce
    # The timer rings; they open the skill again.
    talk.now += timedelta(minutes=2, seconds=5)
    talk.open()
    assert "Welcome back" in talk.text and "Tom, say yes" in talk.text
    assert talk.reply is not None and not talk.reply.effects, "the timer has rung: nothing to cancel"
    talk.say(intents.YES)
    assert "Priya, did that feel understood?" in talk.text
    talk.say(intents.YES)
    assert "Now swap. Tom talks" in talk.text
    second = talk.say(intents.YES)
    assert any(isinstance(effect, StartTimer) for effect in second.effects), "the same two minutes for Tom"


def test_opening_while_the_timer_runs_says_the_time_left_and_finishing_early_stops_it() -> None:
    talk = couple()
    talk.say(intents.LISTEN, duration="PT5M")
    started = talk.say(intents.YES)
    assert talk.text.startswith("Go ahead, Priya.") and started.end_session
    talk.now += timedelta(minutes=3)
    reply = talk.open()
    assert "Priya still has 2 minutes to talk" in talk.text and reply.end_session and not reply.effects
    talk.open()
    reply = talk.say(intents.LISTEN)  # "we've finished talking"
    assert any(isinstance(effect, CancelTimer) for effect in reply.effects)
    assert "Tom, say yes" in talk.text


def test_how_long_is_left_and_cancel_it_work_on_the_talking_timer() -> None:
    talk = couple()
    talk.say(intents.LISTEN)
    talk.say(intents.YES)
    talk.now += timedelta(seconds=50)
    talk.open()
    talk.say(intents.EVENING_TIME_LEFT)
    assert "1 minute of talking time left" in talk.text or "70 seconds of talking time left" in talk.text


def test_without_names_it_speaks_of_whoever_talks_first() -> None:
    talk = Talk()
    talk.open()
    talk.say(intents.LISTEN, duration="PT45S")
    assert "Decide who talks first" in talk.text
    talked = talk.say(intents.YES)
    assert quiet_ms(talked) >= 45_000
    assert "Now the listener: say yes" in talk.text and "whoever" not in talk.text


def test_no_means_no_rush_and_help_fits_the_step() -> None:
    talk = couple()
    talk.say(intents.LISTEN, duration="PT1M")
    talk.say(intents.NO)
    assert talk.text.startswith("No rush.") and talk.state.session.step == "ready"
    talk.say(intents.YES)
    talk.say(intents.YES)
    talk.say(intents.HELP)
    assert "yes if it felt like you were understood" in talk.text


def test_sort_of_is_an_answer_too() -> None:
    talk = couple()
    talk.say(intents.LISTEN, duration="PT30S")
    talk.say(intents.YES)
    talk.say(intents.YES)
    talk.say(intents.FALLBACK)  # "sort of", "partly"
    assert "Partly is honest" in talk.text and "Now swap" in talk.text


def test_every_line_that_names_people_has_a_wording_without_names() -> None:
    from dialogue.content import load_content

    content = load_content()
    named = [key for key, variants in content.phrases.items() if key.startswith("listen.")]
    for key in named:
        if any("{talker}" in variant or "{listener}" in variant for variant in content.phrases[key]):
            assert content.has(f"{key}.roles"), key


def test_without_names_the_whole_exercise_runs_both_ways_and_across_a_timer() -> None:
    talk = Talk()
    talk.open()
    talk.say(intents.LISTEN, duration="PT30S")
    for said in (intents.YES, intents.YES, intents.NO, intents.YES, intents.YES, intents.YES):
        talk.say(said)
        assert "{" not in talk.text and "whoever" not in talk.text
    assert "That's both of you done" in talk.text
    talk.open()
    talk.say(intents.LISTEN)
    talk.say(intents.YES)
    assert talk.text.startswith("Go ahead. I've set a timer")
    talk.open()
    assert "There's still 2 minutes of talking time" in talk.text
