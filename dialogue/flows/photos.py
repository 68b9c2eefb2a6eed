"""Photo show-and-tell: each in turn shows a photo that means something and tells its story.

From the first seed article: go back through the photos on your phones, take turns to
show ones with special meaning (a cherished memory, an important person, a funny
moment), with the phones on do-not-disturb. The skill says so first, names who goes
first (the check-in's names, or "one of you"), and keeps a gentle time per turn ("about
five minutes each" unless they say) with a timer that rings when it's time to pass the
photos on. Opening the skill again (or "next person") passes the turn by name; after both,
it thanks them and offers another round. Nothing anyone shows or says is heard or kept.
Whose turn it is (`session.turn`) and the time per turn (`session.seconds`) live in the
session, and in the timer's entry in `household.alerts` across the session's end.

| step    | intent                                 | does                                          | next    |
|---------|----------------------------------------|-----------------------------------------------|---------|
| any     | photo show and tell [for 3 minutes]    | do-not-disturb first; who starts; ready?      | READY   |
| READY   | yes / go ahead                         | a timer for the turn; "go ahead, Sam"         | end     |
| READY   | no                                     | no rush; asks again                           | READY   |
| any     | open the skill, the timer running      | the time left; "next person" passes it on     | SHARING |
| SHARING | next person / I'm done                 | the timer stopped; the next person, ready?    | READY   |
| any     | open the skill after the timer rang    | the next person, ready?                       | READY   |
| any     | the same, both have had their turn     | thanks; another round?                        | home    |

```mermaid
stateDiagram-v2
    [*] --> READY: photo show and tell
    READY --> [*]: yes (a timer for the turn)
    [*] --> SHARING: open the skill, the timer running
    SHARING --> READY: next person (the other's turn)
    [*] --> READY: open the skill after the timer (the other's turn)
    [*] --> home: open the skill after the last turn (another round?)
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
from dialogue.speech import Speech, join

PHOTOS = "photos"  # the purpose of its timer in household.alerts
RESUME_PHOTOS = "photos_resume"
OFFER_AGAIN = "photos_again"
TURN_SECONDS = 300  # "a few minutes each"
MIN_TURN_SECONDS, MAX_TURN_SECONDS = 60, 20 * 60
PICK_UP_WITHIN = timedelta(hours=3)  # a timer that ended longer ago is an evening left behind


class PhotoStep(Enum):
    """Waiting for the next person to be ready, or someone is showing photos now."""

    READY = "ready"
    SHARING = "sharing"


def _people(turn: Turn) -> dict[str, str]:
    pair = in_turn(turn, turn.session.turn)
    return {"sharer": pair[0], "next": pair[1]} if pair else {}


def _say(turn: Turn, key: str, **values: str) -> Speech:
    return say_named(turn, key, _people(turn), **values)


def start(turn: Turn) -> Go:
    """Do-not-disturb first, who starts, and the time per turn; a timer left behind picks up."""
    if _left_behind(turn) is not None:
        return _still_sharing(turn) if _still_running(turn) else pick_up(turn)
    seconds = slot_seconds(turn, "duration") or TURN_SECONDS
    turn.session.turn = 0
    turn.session.seconds = min(MAX_TURN_SECONDS, max(MIN_TURN_SECONDS, seconds))
    speech = _say(turn, "photos.intro", length=spoken_length(turn, turn.session.seconds))
    return Go(PhotoStep.READY, Reply(speech, reprompt=_say(turn, "photos.reprompt.ready")))


def go(turn: Turn) -> Go:
    """Ready: a timer for this turn, and the session ends while they talk."""
    return _with_timer(turn, turn.session.seconds or TURN_SECONDS)


def _with_timer(turn: Turn, seconds: int) -> Go:
    outcome = start_alert(turn, PHOTOS, RESUME_PHOTOS, seconds=seconds)
    running = turn.household.alerts.get(PHOTOS)
    if running is None:  # waiting for permission, or the time had passed
        return outcome
    running["round"] = str(turn.session.turn)
    running["length"] = str(seconds)
    reply = replace(outcome.reply, speech=join(_say(turn, "photos.go"), outcome.reply.speech))
    return replace(outcome, reply=reply)


def resume_timer(turn: Turn) -> Go:
    """Permission granted after asking: the turn's timer that was asked for."""
    return _with_timer(turn, pending_param(turn, "seconds", TURN_SECONDS))


def not_yet(turn: Turn) -> Go:
    """A "no" while waiting: no rush."""
    reprompt = _say(turn, "photos.reprompt.ready")
    return Go(PhotoStep.READY, Reply(join(turn.say("photos.no_rush"), reprompt), reprompt=reprompt))


def _still_sharing(turn: Turn) -> Go:
    """Opened while a turn's timer runs: the time left, and "next person" passes it on."""
    running = turn.household.alerts.get(PHOTOS) or {}
    turn.session.turn = alert_round(running)
    left = seconds_left(turn, running) if running.get("ends_at") else 0
    speech = _say(turn, "photos.still_sharing", left=spoken_length(turn, left))
    return Go(PhotoStep.SHARING, Reply(speech, reprompt=turn.say("photos.reprompt.sharing")))


def pick_up(turn: Turn) -> Go:
    """A turn is over (the timer rang, or "next person"): the other's turn, or the close."""
    running = turn.household.alerts.pop(PHOTOS, None) or {}
    done = alert_round(running)
    if running.get("length", "").isdigit():
        turn.session.seconds = int(running["length"])
    end = parse_instant(running.get("ends_at", ""))
    effects: tuple[Effect, ...] = ()
    if end is not None and end > turn.ports.clock():
        effects = cancel_alert(running, PHOTOS)  # passed on early: the timer need not ring
    rang = turn.say("photos.time_up") if not effects else ()  # passed on early: no "that's time"
    if done % 2 == 0:
        turn.session.turn = done + 1
        speech = join(rang, _say(turn, "photos.next_turn"))
        return Go(
            PhotoStep.READY, Reply(speech, reprompt=_say(turn, "photos.reprompt.ready"), effects=effects)
        )
    speech = join(rang, turn.say("photos.close"))
    reply = Reply(speech, reprompt=turn.say("photos.reprompt.again"), effects=effects)
    return Go(HomeStep.MENU, reply, offer=OFFER_AGAIN)


def again(turn: Turn) -> Go:
    """Yes, another round: the same order, straight to the first person's readiness."""
    turn.session.turn = 0
    seconds = turn.session.seconds or TURN_SECONDS
    speech = _say(turn, "photos.again", length=spoken_length(turn, seconds))
    return Go(PhotoStep.READY, Reply(speech, reprompt=_say(turn, "photos.reprompt.ready")))


def _left_behind(turn: Turn) -> dict[str, str] | None:
    return left_behind(turn, PHOTOS, PICK_UP_WITHIN)


def _timer_to_pick_up(turn: Turn) -> bool:
    return _left_behind(turn) is not None and not _still_running(turn)


def _still_running(turn: Turn) -> bool:
    return still_running(turn, PHOTOS)


READY, SHARING = (PhotoStep.READY,), (PhotoStep.SHARING,)
FLOW = Flow(
    name="photos",
    steps=PhotoStep,
    rules=(
        Rule(intents.YES, go, READY),
        Rule(intents.NEXT, go, READY),
        Rule(intents.NO, not_yet, READY),
        Rule(intents.NEXT, pick_up, SHARING),
        Rule(intents.NEXT_PERSON, pick_up, SHARING),
    ),
    entries=(
        Rule(intents.PHOTOS, start),
        Rule(intents.LAUNCH, _still_sharing, guard=_still_running),
        Rule(intents.LAUNCH, pick_up, guard=_timer_to_pick_up),
    ),
    offers=((RESUME_PHOTOS, resume_timer), (OFFER_AGAIN, again)),
)
