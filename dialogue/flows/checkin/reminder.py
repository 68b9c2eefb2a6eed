"""The weekly reminder to check in: set, moved and stopped by voice, in reminder words.

The reminder is one Alexa reminder (or the host's own) that repeats weekly, by default the
seed article's "every Sunday night at 8 pm". A reminder needs the household's permission:
the alerts flow asks for it, and a permission granted runs the offer here again.

| step  | intent                                | does                                       | next      |
|-------|---------------------------------------|--------------------------------------------|-----------|
| any   | remind us every Sunday at eight       | sets it (moves one already set), says when | end       |
| any   | stop the check-in reminders           | deletes it / says there is none            | end, home |
| offer | yes (to "shall I remind you weekly?") | sets it for the day and time offered       | end       |
| any   | (a local assistant's reminder is due) | asks "ready for your check-in?"; yes starts | home      |
| any   | no (to "ready for your check-in?")    | "another time", and how to start it then   | end       |

```mermaid
stateDiagram-v2
    [*] --> [*]: remind us weekly / yes to the offer / stop the reminders
    [*] --> home: the reminder is due (a local assistant) / ready for your check-in?
    home --> [*]: no (not now)
```
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from enum import Enum

from dialogue import intents
from dialogue.effects import REMINDERS_SCOPE, WEEKDAYS, CancelReminder, Recurrence, ScheduleReminder
from dialogue.flows.alerts import remember_request
from dialogue.flows.home import HomeStep
from dialogue.flows.timed import clock_time, device_zone
from dialogue.model import Reply
from dialogue.rules import Flow, Go, Rule, Turn
from dialogue.speech import Speech, to_text

REMINDER = "checkin"  # the purpose under which the weekly reminder is kept in household.alerts
OFFER_REMIND = "checkin_remind"
OFFER_START = "checkin_start"  # "ready for your check-in?": a yes starts it (dialogue.flows.checkin.names)
DEFAULT_DAY, DEFAULT_TIME = "SU", "20:00"  # the seed article's "every Sunday night at 8 pm"


class ReminderStep(Enum):
    """Setting the reminder takes one turn: the flow has no step of its own."""


def offer_reminder(turn: Turn) -> tuple[Speech, Speech]:
    """What the close of a check-in offers ("shall I remind you every Sunday at 8 pm?") and its reprompt."""
    when = _spoken_schedule(turn, DEFAULT_DAY, DEFAULT_TIME)
    return turn.say("checkin.reminder.offer", when=when), turn.say(
        "checkin.reminder.offer_reprompt", when=when
    )


def schedule_reminder(turn: Turn) -> Go:
    """ "Remind us every Sunday at eight" / "change our check-in to Saturday"."""
    current = turn.household.alerts.get(REMINDER, {})
    day = _weekday(turn.event.slot("day").value) or current.get("day") or DEFAULT_DAY
    at = _check_in_time(turn.event.slot("time").value) or current.get("time") or DEFAULT_TIME
    return _schedule(turn, day, at)


def remind_as_offered(turn: Turn) -> Go:
    """A "yes" to the reminder offer, or a permission just granted: schedule what was asked."""
    params = (turn.household.pending or {}).get("params", {}) if turn.household.pending else {}
    current = turn.household.alerts.get(REMINDER, {})
    day = str(params.get("day") or current.get("day") or DEFAULT_DAY)
    at = str(params.get("time") or current.get("time") or DEFAULT_TIME)
    return _schedule(turn, day, at)


def _schedule(turn: Turn, day: str, at: str) -> Go:
    before = turn.household.alerts.get(REMINDER)
    cancel = (CancelReminder(before["id"], REMINDER),) if before and before.get("id") else ()
    zone = device_zone(turn)
    reminder = ScheduleReminder(
        at=_next_occurrence(turn.ports.clock(), day, at, zone),
        text=to_text(turn.say("checkin.reminder.text")),
        purpose=REMINDER,
        time_zone=getattr(zone, "key", None),
        recurrence=Recurrence("WEEKLY", (day,)),
    )
    remember_request(turn, OFFER_REMIND, REMINDER, REMINDERS_SCOPE, day=day, time=at)
    turn.household.alerts[REMINDER] = {"kind": "reminder", "id": "", "day": day, "time": at}
    speech = turn.say("checkin.reminder.set", when=_spoken_schedule(turn, day, at))
    return Go(HomeStep.MENU, Reply(speech, end_session=True, effects=(*cancel, reminder)))


def stop_reminders(turn: Turn) -> Go:
    """ "Stop the reminders": delete the weekly reminder."""
    running = turn.household.alerts.pop(REMINDER, None)
    if running is None:
        return Go(HomeStep.MENU, Reply(turn.say("checkin.reminder.none"), reprompt=turn.say("reprompt.home")))
    effects = (CancelReminder(running["id"], REMINDER),) if running.get("id") else ()
    return Go(HomeStep.MENU, Reply(turn.say("checkin.reminder.stopped"), end_session=True, effects=effects))


def _weekday(value: str | None) -> str | None:
    code = (value or "").strip().upper()[:2]
    return code if code in WEEKDAYS else None


def _check_in_time(value: str | None) -> str | None:
    """An AMAZON.TIME for a check-in: "eight" (08:00) is read as 8 pm, and said back aloud."""
    parsed = clock_time(value)
    if parsed is None:
        return None
    hour = parsed.hour + 12 if 1 <= parsed.hour <= 9 else parsed.hour
    return f"{hour:02d}:{parsed.minute:02d}"


def _next_occurrence(now: datetime, day: str, at: str, zone: object) -> datetime:
    """The first reminder: the next `day` at `at`, wall clock in the device's zone (naive)."""
    local = now.astimezone(zone if zone is not None else UTC)  # type: ignore[arg-type]
    hour, minute = (int(part) for part in at.split(":"))
    days_ahead = (WEEKDAYS.index(day) - local.weekday()) % 7
    first = datetime.combine(local.date() + timedelta(days=days_ahead), time(hour, minute))
    if first <= local.replace(tzinfo=None):
        first += timedelta(days=7)
    return first


def _spoken_schedule(turn: Turn, day: str, at: str) -> str:
    hour, minute = (int(part) for part in at.split(":"))
    suffix = turn.content.lists["clock.suffix"][0 if hour < 12 else 1]
    spoken = f"{hour % 12 or 12}" + (f":{minute:02d}" if minute else "") + f" {suffix}"
    weekday = turn.content.lists["checkin.weekdays"][WEEKDAYS.index(day)]
    return to_text(turn.say("checkin.reminder.when", day=weekday, time=spoken))


def reminder_due(turn: Turn) -> Go:
    """A host that keeps the reminder itself (a local assistant) says it is due: "ready for
    your check-in?", and a yes starts it (or carries on a paused one)."""
    question = turn.say("checkin.reminder.due")
    reply = Reply(question, reprompt=turn.say("checkin.reminder.due_reprompt"))
    return Go(HomeStep.MENU, reply, offer=OFFER_START)


def not_now(turn: Turn) -> Go:
    """ "No" to "ready for your check-in?": another time, and how to start it then."""
    return Go(HomeStep.MENU, Reply(turn.say("checkin.reminder.not_now"), end_session=True))


def _checkin_is_due(turn: Turn) -> bool:
    return turn.event.data.get("purpose") == REMINDER


def _ready_was_asked(turn: Turn) -> bool:
    return turn.session.offer == OFFER_START


FLOW = Flow(
    name="checkin_reminder",
    steps=ReminderStep,
    entries=(
        Rule(intents.SCHEDULE_CHECKIN, schedule_reminder),
        Rule(intents.STOP_CHECKIN_REMINDERS, stop_reminders),
        Rule(intents.REMINDER_DUE, reminder_due, guard=_checkin_is_due),
        Rule(intents.NO, not_now, guard=_ready_was_asked),
    ),
    offers=((OFFER_REMIND, remind_as_offered),),
)
