"""Connection rituals: a small habit of closeness suggested by voice, with a reminder if they like.

From the second seed article: rituals are less about the action than about choosing time
for each other (a glass of wine after work, a weekend brunch date, a scheduled check-in, a
long slow kiss when leaving in the morning, a kitchen dance party while cooking), and a few
of our own. Each ritual is content data: its id in `rituals.ids`, how it is suggested
(`rituals.idea.<id>`), what its reminder says (`rituals.reminder.<id>`) and when it is
usually done (`rituals.when.<id>`: DAILY and a time, or WEEKLY, a day and a time). The
household hears them in turn across sessions (`household.ritual_next`).

A chosen ritual gets a reminder that repeats daily or weekly, through the shared reminder
and permission flow (dialogue.flows.alerts): at its usual time, or when they say ("every
Friday at seven", "every morning"). One reminder per ritual, kept under the purpose
`ritual.<id>`; "stop the ritual reminders" deletes them all. The scheduled check-in is the
check-in's own weekly reminder (dialogue.flows.checkin.reminder), so that one leads there.

| step      | intent                    | does                                    | next      |
|-----------|---------------------------|-----------------------------------------|-----------|
| any       | give us a ritual idea     | the next idea; a reminder?              | SUGGESTED |
| SUGGESTED | next / another            | the next idea                           | SUGGESTED |
| SUGGESTED | yes / remind us           | a reminder at its usual time; says when | end       |
| SUGGESTED | every Friday at seven     | a reminder then; says when              | end       |
| SUGGESTED | no                        | no reminder; back to the menu           | home      |
| SUGGESTED | say that again            | the same idea                           | SUGGESTED |
| SUGGESTED | missed words              | the question again                      | SUGGESTED |
| any       | stop the ritual reminders | deletes them / says there are none      | end, home |

```mermaid
stateDiagram-v2
    [*] --> SUGGESTED: give us a ritual idea
    SUGGESTED --> SUGGESTED: another / again
    SUGGESTED --> [*]: yes / remind us at … (reminder set)
    SUGGESTED --> home: no
    [*] --> [*]: stop the ritual reminders
```
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from enum import Enum

from dialogue import intents
from dialogue.effects import REMINDERS_SCOPE, WEEKDAYS, CancelReminder, Recurrence, ScheduleReminder
from dialogue.flows.alerts import remember_request
from dialogue.flows.checkin import reminder as checkin_reminder
from dialogue.flows.home import HomeStep
from dialogue.flows.timed import clock_time, device_zone
from dialogue.model import Reply
from dialogue.rules import Flow, Go, Rule, Turn
from dialogue.speech import Speech, join, to_text

OFFER_REMIND = "ritual_remind"  # a permission granted runs the reminder request again
PURPOSE = "ritual."  # + the ritual's id: where its reminder is kept in household.alerts
CHECKIN = "checkin"  # the ritual that is the check-in's own weekly reminder
# Times said as a part of the day (AMAZON.TIME's MO, AF, EV, NI), as a clock time.
PARTS_OF_DAY = {"MO": "07:30", "AF": "13:00", "EV": "18:30", "NI": "21:30"}


class RitualStep(Enum):
    """A ritual has been suggested: a reminder, another idea, or no."""

    SUGGESTED = "suggested"


def _ids(turn: Turn) -> tuple[str, ...]:
    return turn.content.lists["rituals.ids"]


def _usual(turn: Turn, ritual: str) -> tuple[str, str | None, str]:
    """(DAILY or WEEKLY, the day or None, "HH:MM") as the content has it."""
    when = turn.content.lists[f"rituals.when.{ritual}"]
    if when[0] == "DAILY":
        return "DAILY", None, when[1]
    return "WEEKLY", when[1], when[2]


def suggest(turn: Turn) -> Go:
    """The next idea, in turn across sessions."""
    ids = _ids(turn)
    ritual = ids[turn.household.ritual_next % len(ids)]
    turn.household.ritual_next = (turn.household.ritual_next + 1) % len(ids)
    turn.session.ritual = ritual
    return _offer(turn, turn.say("rituals.intro") if turn.step != RitualStep.SUGGESTED else ())


def _offer(turn: Turn, opening: Speech = ()) -> Go:
    ritual = str(turn.session.ritual)
    idea = turn.say(f"rituals.idea.{ritual}")
    ask = turn.say("rituals.ask.checkin" if ritual == CHECKIN else "rituals.ask")
    return Go(RitualStep.SUGGESTED, Reply(join(opening, idea, ask), reprompt=ask))


def again(turn: Turn) -> Go:
    """The same idea again."""
    return _offer(turn)


def missed(turn: Turn) -> Go:
    """Not understood: the question again."""
    return _offer(turn, turn.say("rituals.missed")) if turn.session.ritual else suggest(turn)


def decline(turn: Turn) -> Go:
    """No reminder: the menu."""
    turn.session.ritual = None
    return Go(HomeStep.MENU, Reply(turn.say("rituals.declined"), reprompt=turn.say("reprompt.home")))


def remind_usual(turn: Turn) -> Go:
    """ "Yes, remind us": at the ritual's usual time."""
    ritual = str(turn.session.ritual)
    if ritual == CHECKIN:  # the check-in's own weekly reminder, Sunday at 8 pm unless set
        turn.session.ritual = None
        return checkin_reminder.remind_as_offered(turn)
    freq, day, at = _usual(turn, ritual)
    return _schedule(turn, ritual, freq, day, at)


def remind_when_said(turn: Turn) -> Go:
    """ "Remind us every Friday at seven" / "every morning" / "at six instead"."""
    ritual = str(turn.session.ritual)
    if ritual == CHECKIN:
        turn.session.ritual = None
        return checkin_reminder.schedule_reminder(turn)
    freq, day, at = _usual(turn, ritual)
    said_day = (turn.event.slot("day").resolved_id or turn.event.slot("day").value or "").strip().upper()[:2]
    often = (turn.event.slot("often").resolved_id or "").upper()
    if said_day in WEEKDAYS:
        freq, day = "WEEKLY", said_day
    elif often == "WEEKLY":
        freq, day = "WEEKLY", day or "SU"
    elif often:
        freq, day = "DAILY", None
        at = PARTS_OF_DAY.get(often[:2], at)
    said_time = turn.event.slot("time").value
    at = PARTS_OF_DAY.get((said_time or "").upper(), None) or _as_usual(clock_time(said_time), at)
    return _schedule(turn, ritual, freq, day, at)


def remind_as_offered(turn: Turn) -> Go:
    """A permission just granted: the reminder asked for before."""
    params = (turn.household.pending or {}).get("params", {})
    ritual = str(params.get("ritual") or "")
    if ritual not in _ids(turn):
        return Go(HomeStep.MENU, Reply(turn.say("menu"), reprompt=turn.say("reprompt.home")))
    day, freq, at = params.get("day"), str(params.get("freq")), str(params.get("time"))
    return _schedule(turn, ritual, freq, str(day) if day else None, at)


def _as_usual(said: time | None, usual: str) -> str:
    """A time said ("seven") read the way the ritual is usually done: in the evening if it is."""
    if said is None:
        return usual
    hour = said.hour
    if int(usual[:2]) >= 12 and 1 <= hour < 12:
        hour += 12
    return f"{hour:02d}:{said.minute:02d}"


def _schedule(turn: Turn, ritual: str, freq: str, day: str | None, at: str) -> Go:
    purpose = PURPOSE + ritual
    before = turn.household.alerts.get(purpose)
    cancel = (CancelReminder(before["id"], purpose),) if before and before.get("id") else ()
    zone = device_zone(turn)
    reminder = ScheduleReminder(
        at=_first(turn.ports.clock(), freq, day, at, zone),
        text=to_text(turn.say(f"rituals.reminder.{ritual}")),
        purpose=purpose,
        time_zone=getattr(zone, "key", None),
        recurrence=Recurrence(freq, (day,) if day else ()),
    )
    remember_request(turn, OFFER_REMIND, purpose, REMINDERS_SCOPE, ritual=ritual, freq=freq, day=day, time=at)
    turn.household.alerts[purpose] = {"kind": "reminder", "id": "", "day": day or "", "time": at}
    turn.session.ritual = None
    speech = turn.say("rituals.set", when=_spoken(turn, freq, day, at))
    return Go(HomeStep.MENU, Reply(speech, end_session=True, effects=(*cancel, reminder)))


def stop_reminders(turn: Turn) -> Go:
    """ "Stop the ritual reminders": every ritual's reminder deleted."""
    running = {p: a for p, a in turn.household.alerts.items() if p.startswith(PURPOSE)}
    if not running:
        return Go(HomeStep.MENU, Reply(turn.say("rituals.none_set"), reprompt=turn.say("reprompt.home")))
    for purpose in running:
        del turn.household.alerts[purpose]
    effects = tuple(CancelReminder(a["id"], p) for p, a in running.items() if a.get("id"))
    return Go(HomeStep.MENU, Reply(turn.say("rituals.stopped"), end_session=True, effects=effects))


def _first(now: datetime, freq: str, day: str | None, at: str, zone: object) -> datetime:
    """The first reminder, wall clock in the device's zone (naive): the next `day` (or day) at `at`."""
    local = now.astimezone(zone if zone is not None else UTC)  # type: ignore[arg-type]
    hour, minute = (int(part) for part in at.split(":"))
    ahead = (WEEKDAYS.index(day) - local.weekday()) % 7 if freq == "WEEKLY" and day else 0
    first = datetime.combine(local.date() + timedelta(days=ahead), time(hour, minute))
    if first <= local.replace(tzinfo=None):
        first += timedelta(days=7 if freq == "WEEKLY" and day else 1)
    return first


def _spoken(turn: Turn, freq: str, day: str | None, at: str) -> str:
    """ "every day at 6 pm", "every Friday at 6:30 pm"."""
    hour, minute = (int(part) for part in at.split(":"))
    suffix = turn.content.lists["clock.suffix"][0 if hour < 12 else 1]
    clock = f"{hour % 12 or 12}" + (f":{minute:02d}" if minute else "") + f" {suffix}"
    if freq == "WEEKLY" and day:
        weekday = turn.content.lists["checkin.weekdays"][WEEKDAYS.index(day)]
        return to_text(turn.say("rituals.when.weekly", day=weekday, time=clock))
    return to_text(turn.say("rituals.when.daily", time=clock))


SUGGESTED = (RitualStep.SUGGESTED,)
FLOW = Flow(
    name="rituals",
    steps=RitualStep,
    rules=(
        Rule(intents.NEXT, suggest, SUGGESTED),
        Rule(intents.RITUAL, suggest, SUGGESTED),
        Rule(intents.YES, remind_usual, SUGGESTED),
        Rule(intents.RITUAL_REMINDER, remind_when_said, SUGGESTED),
        Rule(intents.SCHEDULE_CHECKIN, remind_when_said, SUGGESTED),
        Rule(intents.NO, decline, SUGGESTED),
        Rule(intents.CANCEL, decline, SUGGESTED),
        Rule(intents.REPEAT, again, SUGGESTED),
        Rule(intents.FALLBACK, missed, SUGGESTED),
    ),
    entries=(
        Rule(intents.RITUAL, suggest),
        Rule(intents.STOP_RITUAL_REMINDERS, stop_reminders),
    ),
    offers=((OFFER_REMIND, remind_as_offered),),
)
