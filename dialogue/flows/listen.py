"""Listen to understand: one talks, the other only listens, says back what they heard; then swap.

From the second seed article: listen to understand, not to fix. One person talks about
something on their mind for a chosen time (two minutes unless they say), while the other
only listens. The skill keeps the quiet: inside the reply up to `MAX_SPOKEN_HUG` seconds
(a chime, real SSML pauses, a chime, like the hug), and beyond that with a timer that
announces the end; opening the skill again (or asking for the exercise again) then picks
up at the saying back. The listener says back what they heard, in a minute of quiet, and
the talker says whether it felt understood. Then they swap, and after both, it closes.
The household's names, when the check-in knows two, say who talks first; otherwise each
line has a wording without names (its `.roles` phrase). Nothing anyone says is heard or
stored: the quiet is the exercise. Which round it is (`session.turn`: 0, then 1) and the
talking time (`session.seconds`) live in the session; across a timer, in its entry in
`household.alerts` ("how long is left" and "cancel it" work on it as on the other timers).

| step     | intent                                  | does                                       | next     |
|----------|-----------------------------------------|--------------------------------------------|----------|
| any      | the listening exercise [for 3 minutes]  | explains, asks the first talker to say yes | READY    |
| READY    | yes / go ahead                          | chime, the talking time in quiet, chime    | SAY_BACK |
| READY    | yes, longer than a reply's quiet        | a timer for the talking time               | end      |
| any      | open the skill, the timer running       | the time left; "we've finished talking"    | end      |
| any      | open the skill after the timer rang     | picks up at saying back                    | SAY_BACK |
| any      | we've finished talking (timer running)  | stops the timer, picks up at saying back   | SAY_BACK |
| READY    | no                                      | no rush; asks again                        | READY    |
| SAY_BACK | yes / go ahead                          | a minute of quiet, "did it feel heard?"    | FELT     |
| SAY_BACK | no                                      | no rush; asks again                        | SAY_BACK |
| FELT     | yes / no / sort of (first round)        | thanks, then they swap                     | READY    |
| FELT     | yes / no / sort of (second round)       | thanks them both, back to the menu         | home     |

```mermaid
stateDiagram-v2
    [*] --> READY: let's do the listening exercise
    READY --> SAY_BACK: yes (quiet in the reply)
    READY --> [*]: yes (a timer keeps the quiet)
    [*] --> SAY_BACK: open the skill after the timer / we've finished talking
    [*] --> [*]: open the skill while the timer runs (the time left)
    SAY_BACK --> FELT: yes (a minute of quiet)
    FELT --> READY: yes / no (swap)
    FELT --> home: yes / no (both have talked)
```
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from enum import Enum

from dialogue import intents
from dialogue.flows.home import HomeStep
from dialogue.flows.pairs import in_turn, say_named
from dialogue.flows.timed import (
    MAX_SPOKEN_HUG,
    alert_round,
    cancel_alert,
    left_behind,
    parse_instant,
    pending_param,
    seconds_left,
    slot_seconds,
    spoken_length,
    start_alert,
    still_running,
)
from dialogue.model import Effect, Reply
from dialogue.rules import Flow, Go, Rule, Turn
from dialogue.speech import Pause, Speech, join, tidy

LISTEN = "listen"  # the purpose of its timer in household.alerts
RESUME_LISTEN = "listen_resume"
TALK_SECONDS = 120  # "two minutes unless they say"
MIN_TALK_SECONDS, MAX_TALK_SECONDS = 30, 20 * 60
SAY_BACK_SECONDS = 60
PICK_UP_WITHIN = timedelta(hours=3)  # a timer that ended longer ago is an exercise left behind


class ListenStep(Enum):
    """Where the exercise stands: waiting for a talker, for the listener, for the answer."""

    READY = "ready"
    SAY_BACK = "say_back"
    FELT = "felt"


def _people(turn: Turn) -> dict[str, str]:
    """Who talks and who listens this round: the check-in's two names in turn, or nobody named."""
    pair = in_turn(turn, turn.session.turn)
    return {"talker": pair[0], "listener": pair[1]} if pair else {}


def _say(turn: Turn, key: str, **values: str) -> Speech:
    """The phrase with the two names, or its `.roles` wording when the names are not known."""
    return say_named(turn, key, _people(turn), **values)


def start(turn: Turn) -> Go:
    """Explain the exercise and wait for the first talker; with its timer left behind (or
    "we've finished talking" while it runs), pick up at saying back."""
    if _left_behind(turn) is not None:
        return pick_up(turn)
    seconds = slot_seconds(turn, "duration") or TALK_SECONDS
    turn.session.turn = 0
    turn.household.alerts.pop(LISTEN, None)
    length = min(MAX_TALK_SECONDS, max(MIN_TALK_SECONDS, seconds))
    _remember_length(turn, length)
    speech = _say(turn, "listen.intro", length=spoken_length(turn, length))
    return Go(ListenStep.READY, Reply(speech, reprompt=_say(turn, "listen.reprompt.ready")))


def talk(turn: Turn) -> Go:
    """The talker is ready: the quiet, in the reply or kept by a timer."""
    seconds = _length(turn)
    if seconds > MAX_SPOKEN_HUG:
        return _talk_with_timer(turn, seconds)
    quiet: Speech = (Pause(seconds * 1000),)
    held = tidy(_say(turn, "listen.go") + quiet + _say(turn, "listen.time_up"))
    return Go(ListenStep.SAY_BACK, Reply(held, reprompt=_say(turn, "listen.reprompt.say_back")))


def _talk_with_timer(turn: Turn, seconds: int) -> Go:
    outcome = start_alert(turn, LISTEN, RESUME_LISTEN, seconds=seconds)
    running = turn.household.alerts.get(LISTEN)
    if running is None:  # the time had passed, or the request waits for permission
        return outcome
    running["round"] = str(turn.session.turn)  # remembered across the session's end
    running["length"] = str(seconds)
    reply = replace(outcome.reply, speech=join(_say(turn, "listen.go_timer"), outcome.reply.speech))
    return replace(outcome, reply=reply)


def resume_timer(turn: Turn) -> Go:
    """Permission granted after asking: start the talking timer that was asked for."""
    return _talk_with_timer(turn, pending_param(turn, "seconds", TALK_SECONDS))


def still_talking(turn: Turn) -> Go:
    """Opened again while the talking timer runs: how long is left, and how to move on early."""
    running = turn.household.alerts.get(LISTEN) or {}
    turn.session.turn = alert_round(running)
    left = seconds_left(turn, running) if running.get("ends_at") else 0
    speech = _say(turn, "listen.still_talking", left=spoken_length(turn, left))
    return Go(HomeStep.MENU, Reply(speech, end_session=True))


def pick_up(turn: Turn) -> Go:
    """Back after the talking timer ("we've finished talking" before it rang): on to saying back."""
    running = turn.household.alerts.pop(LISTEN, None) or {}
    turn.session.turn = alert_round(running)
    _remember_length(turn, int(running["length"]) if running.get("length", "").isdigit() else TALK_SECONDS)
    end = parse_instant(running.get("ends_at", ""))
    effects: tuple[Effect, ...] = ()
    if end is not None and end > turn.ports.clock():
        effects = cancel_alert(running, LISTEN)  # they finished early: the timer need not ring
    reply = Reply(
        _say(turn, "listen.welcome_back"), reprompt=_say(turn, "listen.reprompt.say_back"), effects=effects
    )
    return Go(ListenStep.SAY_BACK, reply)


def say_back(turn: Turn) -> Go:
    """The listener is ready: a minute of quiet to say back, then the question to the talker."""
    quiet: Speech = (Pause(SAY_BACK_SECONDS * 1000),)
    held = tidy(_say(turn, "listen.say_back") + quiet + _say(turn, "listen.felt"))
    return Go(ListenStep.FELT, Reply(held, reprompt=_say(turn, "listen.reprompt.felt")))


def felt(turn: Turn) -> Go:
    """Whether it felt understood: thanks either way, then the swap or the close."""
    answers = {intents.YES: "listen.felt.yes", intents.NO: "listen.felt.no"}
    thanks = _say(turn, answers.get(turn.event.intent, "listen.felt.partly"))
    if turn.session.turn % 2 == 0:
        turn.session.turn = 1
        speech = join(thanks, _say(turn, "listen.swap"))
        return Go(ListenStep.READY, Reply(speech, reprompt=_say(turn, "listen.reprompt.ready")))
    speech = join(thanks, turn.say("listen.close"))
    return Go(HomeStep.MENU, Reply(speech, reprompt=turn.say("reprompt.home")))


def not_yet(turn: Turn) -> Go:
    """A "no" while waiting for someone to be ready: no rush."""
    step = ListenStep(turn.session.step)
    key = "listen.reprompt.ready" if step is ListenStep.READY else "listen.reprompt.say_back"
    reply = Reply(join(turn.say("listen.no_rush"), _say(turn, key)), reprompt=_say(turn, key))
    return Go(step, reply)


def _left_behind(turn: Turn) -> dict[str, str] | None:
    return left_behind(turn, LISTEN, PICK_UP_WITHIN)


def _timer_to_pick_up(turn: Turn) -> bool:
    return _left_behind(turn) is not None and not _still_running(turn)


def _still_running(turn: Turn) -> bool:
    return still_running(turn, LISTEN)


def _remember_length(turn: Turn, seconds: int) -> None:
    turn.session.seconds = seconds


def _length(turn: Turn) -> int:
    return turn.session.seconds or TALK_SECONDS


READY, SAY_BACK, FELT = (ListenStep.READY,), (ListenStep.SAY_BACK,), (ListenStep.FELT,)
FLOW = Flow(
    name="listen",
    steps=ListenStep,
    rules=(
        Rule(intents.YES, talk, READY),
        Rule(intents.NEXT, talk, READY),
        Rule(intents.NO, not_yet, READY),
        Rule(intents.YES, say_back, SAY_BACK),
        Rule(intents.NEXT, say_back, SAY_BACK),
        Rule(intents.NO, not_yet, SAY_BACK),
        Rule(intents.YES, felt, FELT),
        Rule(intents.NO, felt, FELT),
        Rule(intents.FALLBACK, felt, FELT),  # "sort of", "partly": an answer too
    ),
    entries=(
        Rule(intents.LISTEN, start),
        Rule(intents.LAUNCH, still_talking, guard=_still_running),
        Rule(intents.LAUNCH, pick_up, guard=_timer_to_pick_up),
    ),
    offers=((RESUME_LISTEN, resume_timer),),
)
