"""Alerts: what the dialogue says once the host has tried an effect (a timer, a reminder).

The host reports each effect's outcome as a pseudo-intent (see `dialogue.effects`). These
rules are generic: any flow that starts timers or reminders (the timed exercises, the
weekly check-in's reminder) gets the same behaviour by following two conventions: keep
what runs in `household.alerts[purpose]`, and call `remember_request` before emitting an
effect that may need permission, naming the offer that starts it again.

| event                             | does                                                | next   |
|-----------------------------------|-----------------------------------------------------|--------|
| effect done                       | keeps the timer or reminder id for a cancel; silent | stays  |
| effect done, cancelled meanwhile  | takes back what was made; silent                    | stays  |
| failed: permission, first time    | asks by voice (AskFor); the request waits           | ASKING |
| failed: permission, after asking  | says so, shows the consent card, offers a hug       | AFTER  |
| failed: throttled, unavailable, … | an honest apology for that fault, offers a hug      | AFTER  |
| permission answer: accepted       | runs the waiting request's offer again              | (its)  |
| permission answer: denied / none  | what they can still do, and the consent card        | AFTER  |

```mermaid
stateDiagram-v2
    [*] --> ASKING: effect failed (no permission)
    ASKING --> timed: permission accepted (request runs again)
    ASKING --> AFTER: permission denied / not answered
    [*] --> AFTER: effect failed (fault)
    AFTER --> timed: yes (a hug instead)
    AFTER --> [*]: no / stop
```
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from dialogue import effects, intents
from dialogue.model import Effect, Reply
from dialogue.rules import Flow, Go, Rule, Turn
from dialogue.speech import join

# The offer made after a failure: a hug needs no permission (dialogue.flows.timed registers it).
OFFER_INSTEAD = "hug"


class AlertStep(Enum):
    """Where the conversation stands after an effect's outcome."""

    ASKING = "asking"  # the platform is asking the user for a permission
    AFTER = "after"  # something could not be started; what they can do instead


def remember_request(turn: Turn, offer: str, purpose: str, scope: str, **params: Any) -> None:
    """Keep what the user asked for, so a permission granted later can start it again."""
    previous = turn.household.pending or {}
    asked = previous.get("purpose") == purpose and bool(previous.get("asked"))  # ask once per request
    turn.household.pending = {
        "offer": offer,
        "purpose": purpose,
        "scope": scope,
        "params": params,
        "asked": asked,
    }


def effect_done(turn: Turn) -> Go:
    """The host carried an effect out: keep its id with what is running; say nothing new.

    Effects are carried out after their turn is stored, so another turn may have cancelled
    what this one started while it was being made: then what was made is taken back.
    """
    data = turn.event.data
    purpose = str(data["purpose"])
    made = str(data.get("id") or "")
    alert = turn.household.alerts.get(purpose)
    if alert is not None and made and not alert.get("id"):
        alert["id"] = made
    _forget_request(turn, purpose)
    undo: tuple[Effect, ...] = ()
    if alert is None and made and data.get("effect") == "StartTimer":
        undo = (effects.CancelTimer(made, purpose),)
    elif alert is None and made and data.get("effect") == "ScheduleReminder":
        undo = (effects.CancelReminder(made, purpose),)
    return Go(turn.step, Reply((), effects=undo), offer=turn.session.offer)


def effect_failed(turn: Turn) -> Go:
    """An effect failed: ask for a missing permission once, otherwise say honestly what happened."""
    data = turn.event.data
    purpose = str(data["purpose"])
    reason = str(data.get("reason") or effects.UNAVAILABLE)
    turn.household.alerts.pop(purpose, None)
    pending = turn.household.pending
    waiting = pending is not None and pending.get("purpose") == purpose
    if reason == effects.PERMISSION and waiting and pending is not None and not pending.get("asked"):
        pending["asked"] = True
        scope = str(data.get("scope") or pending["scope"])
        pending["scope"] = scope
        speech = turn.say_first([f"permission.ask.{purpose}", "permission.ask"])
        reply = Reply(speech, effects=(effects.AskPermission(scope, token=purpose),))
        return Go(AlertStep.ASKING, reply)
    _forget_request(turn, purpose)
    if reason == effects.PERMISSION:
        scope = str(data.get("scope") or effects.TIMERS_SCOPE)
        return _without_permission(turn, scope)
    if reason not in effects.REASONS:
        reason = effects.UNAVAILABLE
    keys = [f"effect.failed.{reason}.{purpose}", f"effect.failed.{purpose}", f"effect.failed.{reason}"]
    failed = turn.say_first([*keys, "effect.failed"])
    if data.get("scope") == effects.REMINDERS_SCOPE:
        # a reminder, not a timer: no hug offered in its place
        reply = Reply(join(failed, turn.say("effect.instead.reminders")), reprompt=turn.say("reprompt.home"))
        return Go(AlertStep.AFTER, reply)
    speech = join(failed, turn.say("effect.instead"))
    reply = Reply(speech, reprompt=turn.say("reprompt.alerts"))
    return Go(AlertStep.AFTER, reply, offer=OFFER_INSTEAD)


def permission_answer(turn: Turn) -> Go:
    """The user answered the permission prompt: start what they asked for, or say what else they can do."""
    status = str(turn.event.data.get("status", "")).upper()
    pending = turn.household.pending
    if status == "ACCEPTED" and pending is not None and pending.get("offer") in turn.offers:
        return turn.offers[str(pending["offer"])](turn)
    turn.household.pending = None
    if status == "ACCEPTED":
        return Go(AlertStep.AFTER, Reply(turn.say("permission.granted"), reprompt=turn.say("reprompt")))
    scope = str(turn.event.data.get("scope") or (pending or {}).get("scope") or effects.TIMERS_SCOPE)
    return _without_permission(turn, scope)


def _without_permission(turn: Turn, scope: str) -> Go:
    """No permission: say so in the words of what was asked for (a timer or a reminder)."""
    card = (effects.ConsentCard(scope),)
    if scope == effects.REMINDERS_SCOPE:
        speech = join(turn.say("permission.denied.reminders"), turn.say("effect.instead.reminders"))
        return Go(AlertStep.AFTER, Reply(speech, reprompt=turn.say("reprompt.home"), effects=card))
    speech = join(turn.say("permission.denied"), turn.say("effect.instead"))
    reply = Reply(speech, reprompt=turn.say("reprompt.alerts"), effects=card)
    return Go(AlertStep.AFTER, reply, offer=OFFER_INSTEAD)


def _forget_request(turn: Turn, purpose: str) -> None:
    pending = turn.household.pending
    if pending is not None and pending.get("purpose") == purpose:
        turn.household.pending = None


def _names_a_purpose(turn: Turn) -> bool:
    return bool(turn.event.data.get("purpose"))


def _has_status(turn: Turn) -> bool:
    return bool(turn.event.data.get("status"))


FLOW = Flow(
    name="alerts",
    steps=AlertStep,
    entries=(
        Rule(intents.EFFECT_DONE, effect_done, guard=_names_a_purpose),
        Rule(intents.EFFECT_FAILED, effect_failed, guard=_names_a_purpose),
        Rule(intents.PERMISSION_ANSWER, permission_answer, guard=_has_status),
    ),
)
