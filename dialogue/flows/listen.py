"""Listen to understand: one talks, the other only listens, says back what they heard; then swap.

From the second seed article: listen to understand, not to fix. One person talks about
something on their mind for a chosen time (two minutes unless they say), while the other
only listens. The skill keeps the quiet: inside the reply up to `MAX_SPOKEN_HUG` seconds
(a chime, real SSML pauses, a chime, like the hug), and beyond that with a timer that
announces the end; opening the skill again (or asking for the exercise again) then picks
up at the saying back. The listener says back what they heard, in a minute of quiet, and
the talker says whether it felt understood. Then they swap, and after both, it closes.
The household's names, when the check-in knows two, say who talks first; otherwise the
words are "whoever talks first". Nothing anyone says is heard or stored: the quiet is the
exercise. Which round it is (`session.turn`: 0, then 1) and the talking time
(`session.seconds`) live in the session; across a timer, in its entry in `household.alerts`.

| step     | intent                                  | does                                       | next     |
|----------|-----------------------------------------|--------------------------------------------|----------|
| any      | the listening exercise [for 3 minutes]  | explains, asks the first talker to say yes | READY    |
| READY    | yes / go ahead                          | chime, the talking time in quiet, chime    | SAY_BACK |
| READY    | yes, longer than a reply's quiet        | a timer for the talking time               | end      |
| any      | open the skill / the exercise, after it | picks up at saying back                    | SAY_BACK |
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
    [*] --> SAY_BACK: open the skill after the timer
    SAY_BACK --> FELT: yes (a minute of quiet)
    FELT --> READY: yes / no (swap)
    FELT --> home: yes / no (both have talked)
```
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum

from dialogue import intents
from dialogue.flows.home import HomeStep
from dialogue.flows.timed import (
    MAX_SPOKEN_HUG,
    cancel_alert,
    slot_seconds,
    spoken_length,
    start_alert,
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
    """Who talks and who listens this round: the check-in's two names in turn, else roles."""
    names = turn.household.names
    if len(names) >= 2:
        first, second = names[0], names[1]
        talker, listener = (first, second) if turn.session.turn % 2 == 0 else (second, first)
        return {"talker": talker, "listener": listener}
    key = "listen.roles.first" if turn.session.turn % 2 == 0 else "listen.roles.second"
    talker, listener = turn.content.lists[key]
    return {"talker": talker, "listener": listener}


def start(turn: Turn) -> Go:
    """Explain the exercise and wait for the first talker; with a timer left running, pick up."""
    if _left_behind(turn) is not None:
        return pick_up(turn)
    seconds = slot_seconds(turn, "duration") or TALK_SECONDS
    turn.session.turn = 0
    turn.household.alerts.pop(LISTEN, None)
    length = min(MAX_TALK_SECONDS, max(MIN_TALK_SECONDS, seconds))
    _remember_length(turn, length)
    people = _people(turn)
    key = "listen.intro" if len(turn.household.names) >= 2 else "listen.intro.roles"
    speech = turn.say(key, length=spoken_length(turn, length), **people)
    return Go(ListenStep.READY, Reply(speech, reprompt=turn.say("listen.reprompt.ready", **people)))


def talk(turn: Turn) -> Go:
    """The talker is ready: the quiet, in the reply or kept by a timer."""
    seconds = _length(turn)
    people = _people(turn)
    if seconds > MAX_SPOKEN_HUG:
        return _talk_with_timer(turn, seconds)
    quiet: Speech = (Pause(seconds * 1000),)
    held = tidy(turn.say("listen.go", **people) + quiet + turn.say("listen.time_up", **people))
    return Go(ListenStep.SAY_BACK, Reply(held, reprompt=turn.say("listen.reprompt.say_back", **people)))


def _talk_with_timer(turn: Turn, seconds: int) -> Go:
    outcome = start_alert(turn, LISTEN, RESUME_LISTEN, seconds=seconds)
    running = turn.household.alerts.get(LISTEN)
    if running is not None:  # the timer is asked for: remember the round across the session's end
        running["round"] = str(turn.session.turn)
        running["length"] = str(seconds)
    return outcome


def resume_timer(turn: Turn) -> Go:
    """Permission granted after asking: start the talking timer that was asked for."""
    params = (turn.household.pending or {}).get("params", {})
    seconds = params.get("seconds")
    return _talk_with_timer(turn, int(seconds) if isinstance(seconds, int | float) else TALK_SECONDS)


def pick_up(turn: Turn) -> Go:
    """Back after the talking timer (or before it rang): on to saying back."""
    running = turn.household.alerts.pop(LISTEN, None) or {}
    turn.session.turn = int(running.get("round", "0")) if running.get("round", "0").isdigit() else 0
    _remember_length(turn, int(running["length"]) if running.get("length", "").isdigit() else TALK_SECONDS)
    end = _instant(running.get("ends_at", ""))
    effects: tuple[Effect, ...] = ()
    if end is not None and end > turn.ports.clock():
        effects = cancel_alert(running, LISTEN)  # they finished early: the timer need not ring
    people = _people(turn)
    speech = turn.say("listen.welcome_back", **people)
    reply = Reply(speech, reprompt=turn.say("listen.reprompt.say_back", **people), effects=effects)
    return Go(ListenStep.SAY_BACK, reply)


def say_back(turn: Turn) -> Go:
    """The listener is ready: a minute of quiet to say back, then the question to the talker."""
    people = _people(turn)
    quiet: Speech = (Pause(SAY_BACK_SECONDS * 1000),)
    held = tidy(turn.say("listen.say_back", **people) + quiet + turn.say("listen.felt", **people))
    return Go(ListenStep.FELT, Reply(held, reprompt=turn.say("listen.reprompt.felt", **people)))


def felt(turn: Turn) -> Go:
    """Whether it felt understood: thanks either way, then the swap or the close."""
    people = _people(turn)
    key = {intents.YES: "listen.felt.yes", intents.NO: "listen.felt.no"}.get(
        turn.event.intent, "listen.felt.partly"
    )
    thanks = turn.say(key, **people)
    if turn.session.turn % 2 == 0:
        turn.session.turn = 1
        swapped = _people(turn)
        speech = join(thanks, turn.say("listen.swap", **swapped))
        return Go(ListenStep.READY, Reply(speech, reprompt=turn.say("listen.reprompt.ready", **swapped)))
    speech = join(thanks, turn.say("listen.close"))
    return Go(HomeStep.MENU, Reply(speech, reprompt=turn.say("reprompt.home")))


def not_yet(turn: Turn) -> Go:
    """A "no" while waiting for someone to be ready: no rush."""
    people = _people(turn)
    step = ListenStep(turn.session.step)
    key = "listen.reprompt.ready" if step is ListenStep.READY else "listen.reprompt.say_back"
    reply = Reply(join(turn.say("listen.no_rush"), turn.say(key, **people)), reprompt=turn.say(key, **people))
    return Go(step, reply)


def _left_behind(turn: Turn) -> dict[str, str] | None:
    """The talking timer's entry, while it runs or for a while after it rang."""
    running = turn.household.alerts.get(LISTEN)
    end = _instant((running or {}).get("ends_at", ""))
    if running is None or end is None or end + PICK_UP_WITHIN < turn.ports.clock():
        return None
    return running


def _timer_to_pick_up(turn: Turn) -> bool:
    return _left_behind(turn) is not None


def _remember_length(turn: Turn, seconds: int) -> None:
    turn.session.seconds = seconds


def _length(turn: Turn) -> int:
    return turn.session.seconds or TALK_SECONDS


def _instant(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


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
        Rule(intents.LAUNCH, pick_up, guard=_timer_to_pick_up),
    ),
    offers=((RESUME_LISTEN, resume_timer),),
)
