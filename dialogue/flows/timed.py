"""Timed exercises from the seed articles: the 20-second hug, the bedtime cuddle, the tech-free evening.

The hug is timed in the reply itself: a count-in, a soft chime, a real quiet of at least
20 seconds (SSML breaks, 10 s each at most), a chime and a warm close. A longer hug fits
in one reply up to `MAX_SPOKEN_HUG`; beyond that an Alexa timer ends it. The bedtime
cuddle (10 minutes unless they say otherwise) and the tech-free evening ("for two hours",
"until ten pm", two hours unless they say) are device timers that announce their end
gently; an evening longer than the Timers API allows becomes a reminder at its end time.
What runs is kept in `household.alerts`, so "how long is left" and "end the tech-free
evening" work from any request on any worker. Times of day are read in the device's time
zone (the `time_zone` port); when it is unknown the skill asks for a length instead of
guessing a clock time. Permissions and faults are handled by `dialogue.flows.alerts`.

| step   | intent                                      | does                                     | next    |
|--------|---------------------------------------------|------------------------------------------|---------|
| any    | start a hug / a one minute hug              | count-in, quiet, close, offers another   | HUGGED  |
| HUGGED | yes / next / another hug                    | another hug                              | HUGGED  |
| any    | a hug longer than one reply holds           | starts a hug timer                       | end     |
| any    | bedtime cuddle [for fifteen minutes]        | starts the cuddle timer, good night      | end     |
| any    | start a tech-free evening [for … / until …] | explains, starts a timer (or reminder)   | end     |
| any    | … until ten, time zone unknown              | asks for a length instead                | EVENING |
| any    | how long is left (on the cuddle)            | the time left, from the stored end       | end     |
| any    | end the tech-free evening / the cuddle / it | cancels that timer or reminder           | EVENING |

```mermaid
stateDiagram-v2
    [*] --> HUGGED: start a hug
    HUGGED --> HUGGED: yes / next / another hug
    HUGGED --> [*]: no / stop
    [*] --> [*]: bedtime cuddle / tech-free evening (timer set) / how long is left
    [*] --> EVENING: end the tech-free evening
    EVENING --> questions: yes (a question to ease back in)
```
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta, tzinfo
from enum import Enum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dialogue import intents
from dialogue.effects import (
    MAX_TIMER,
    CancelReminder,
    CancelTimer,
    ScheduleReminder,
    StartTimer,
)
from dialogue.flows.alerts import OFFER_INSTEAD, remember_request
from dialogue.flows.questions import OFFER_QUESTION
from dialogue.model import Effect, Reply
from dialogue.rules import Flow, Go, Rule, Turn
from dialogue.speech import Pause, Speech, join, tidy, to_text

HUG, CUDDLE, EVENING = "hug", "cuddle", "evening"
OFFER_HUG = OFFER_INSTEAD
OFFER_EVENING = "evening"
RESUME_HUG, RESUME_CUDDLE, RESUME_EVENING = "hug_resume", "cuddle_resume", "evening_resume"

HUG_SECONDS = 20  # the seed article: at least twenty seconds without letting go
# Longest hug kept quiet inside one reply; Alexa's audio budget per response is 240 s, and a
# minute and a half keeps a wide margin. Longer hugs end with a timer.
MAX_SPOKEN_HUG = 90
CUDDLE_MINUTES = 10
MAX_CUDDLE_MINUTES = 120
EVENING_HOURS = 2

_ISO_DURATION = re.compile(
    # ASCII digits only ("PT²H" is no duration), the whole value ("PT2H\n" is none either)
    r"P(?:(?P<w>[0-9]+)W)?(?:(?P<d>[0-9]+)D)?(?:T(?:(?P<h>[0-9]+)H)?(?:(?P<m>[0-9]+)M)?(?:(?P<s>[0-9]+)S)?)?"
)
_CLOCK = re.compile(r"(?P<h>[01]?[0-9]|2[0-3]):(?P<m>[0-5][0-9])")


class TimedStep(Enum):
    """Where a timed exercise stands."""

    HUGGED = "hugged"  # a hug just ended; another is offered
    EVENING = "evening"  # talking about the tech-free evening


# --- the hug -------------------------------------------------------------------------------


def hug(turn: Turn) -> Go:
    """A hug of the asked length (twenty seconds unless they say), timed in the reply or by a timer."""
    seconds = max(HUG_SECONDS, slot_seconds(turn, "duration") or HUG_SECONDS)
    if seconds > MAX_SPOKEN_HUG:
        return start_alert(turn, HUG, RESUME_HUG, seconds=seconds)
    return _hug_now(turn, seconds)


def another_hug(turn: Turn) -> Go:
    """Another twenty-second hug."""
    return _hug_now(turn, HUG_SECONDS)


def resume_hug(turn: Turn) -> Go:
    """The long hug asked for before permission was granted."""
    return start_alert(turn, HUG, RESUME_HUG, seconds=pending_param(turn, "seconds", HUG_SECONDS))


def _hug_now(turn: Turn, seconds: int) -> Go:
    length = spoken_length(turn, seconds)
    quiet: Speech = (Pause(seconds * 1000),)
    held = tidy(turn.say("hug.count_in") + quiet + turn.say("hug.close", length=length))
    reply = Reply(join(held, turn.say("hug.offer")), reprompt=turn.say("reprompt.timed.hugged"))
    return Go(TimedStep.HUGGED, reply, offer=OFFER_HUG)


# --- the bedtime cuddle ----------------------------------------------------------------------


def cuddle(turn: Turn) -> Go:
    """A bedtime cuddle ended by a gentle timer: ten minutes unless they say."""
    seconds = slot_seconds(turn, "duration") or CUDDLE_MINUTES * 60
    minutes = min(MAX_CUDDLE_MINUTES, max(1, round(seconds / 60)))
    return start_alert(turn, CUDDLE, RESUME_CUDDLE, seconds=minutes * 60)


def resume_cuddle(turn: Turn) -> Go:
    """The cuddle asked for before permission was granted."""
    return start_alert(
        turn, CUDDLE, RESUME_CUDDLE, seconds=pending_param(turn, "seconds", CUDDLE_MINUTES * 60)
    )


# --- the tech-free evening -------------------------------------------------------------------


def start_evening(turn: Turn) -> Go:
    """Explain the idea in a line and start the evening: for a length, until a time, or two hours."""
    running = running_alert(turn, EVENING)
    if running is not None:
        left = spoken_length(turn, seconds_left(turn, running))
        return Go(TimedStep.EVENING, Reply(turn.say("evening.already", left=left), end_session=True))
    now = turn.ports.clock()
    until = clock_time(turn.event.slot("until").value)
    if until is not None:
        zone = device_zone(turn)
        if zone is None:
            reply = Reply(turn.say("evening.no_time_zone"), reprompt=turn.say("reprompt.timed.evening"))
            return Go(TimedStep.EVENING, reply, offer=OFFER_EVENING)
        ends_at = _next_evening_time(now, until, zone)
    else:
        seconds = slot_seconds(turn, "duration") or EVENING_HOURS * 3600
        ends_at = now + timedelta(seconds=seconds)
    return start_alert(turn, EVENING, RESUME_EVENING, explain=True, ends_at=ends_at.isoformat())


def resume_evening(turn: Turn) -> Go:
    """The evening asked for before permission was granted, ending when it was meant to."""
    pending = turn.household.pending or {}
    ends_at = str(pending.get("params", {}).get("ends_at", ""))
    return start_alert(turn, EVENING, RESUME_EVENING, ends_at=ends_at)


ANY_TIMER = "timed"  # "how long is left" naming nothing: whatever runs


def _asked_about(turn: Turn) -> tuple[str, ...]:
    """The timed exercises a request may mean: the one it names ("the cuddle"), else any, evening first."""
    named = (turn.event.slot("timed").resolved_id or "").lower()
    return (named,) if named in (CUDDLE, HUG) else (EVENING, CUDDLE, HUG, "listen")


def time_left(turn: Turn) -> Go:
    """How long is left of the tech-free evening (or of a cuddle), from the stored end time."""
    for purpose in _asked_about(turn):
        running = running_alert(turn, purpose)
        if running is not None:
            left = spoken_length(turn, seconds_left(turn, running))
            return Go(TimedStep.EVENING, Reply(turn.say(f"{purpose}.left", left=left), end_session=True))
    asked = _asked_about(turn)
    return _nothing_running(turn, asked[0] if len(asked) == 1 else ANY_TIMER)


def end_evening(turn: Turn) -> Go:
    """End the tech-free evening (or the cuddle named) early: cancel its timer, welcome them back."""
    wanted = _asked_about(turn)
    for purpose in wanted:
        running = running_alert(turn, purpose)
        if running is not None:
            turn.household.alerts.pop(purpose)
            speech = join(turn.say(f"{purpose}.ended"), turn.say("evening.after"))
            reprompt = turn.say("reprompt.timed.evening")
            reply = Reply(speech, reprompt=reprompt, effects=cancel_alert(running, purpose))
            return Go(TimedStep.EVENING, reply, offer=OFFER_QUESTION)
    return _nothing_running(turn, wanted[0] if len(wanted) == 1 else ANY_TIMER)


def _nothing_running(turn: Turn, purpose: str = EVENING) -> Go:
    """Nothing of that kind runs (nothing at all, when none was named); "yes" starts an evening."""
    speech = turn.say_first([f"{purpose}.none", "evening.none"])
    reply = Reply(speech, reprompt=turn.say("reprompt.timed.evening"))
    return Go(TimedStep.EVENING, reply, offer=OFFER_EVENING if purpose in (EVENING, ANY_TIMER) else None)


# --- starting a timer or reminder --------------------------------------------------------------


def start_alert(
    turn: Turn, purpose: str, resume: str, *, seconds: int = 0, ends_at: str = "", explain: bool = False
) -> Go:
    """Start what runs for `purpose`; the request is kept until the host says it worked."""
    now = turn.ports.clock()
    end = parse_instant(ends_at) if ends_at else now + timedelta(seconds=seconds)
    if end is None or end <= now + timedelta(seconds=30):
        turn.household.pending = None
        reply = Reply(turn.say("evening.passed"), reprompt=turn.say("reprompt.timed.evening"))
        return Go(TimedStep.EVENING, reply, offer=OFFER_EVENING)
    length = timedelta(seconds=round((end - now).total_seconds()))
    before = running_alert(turn, purpose)
    effects: tuple[Effect, ...] = cancel_alert(before, purpose) if before else ()
    label = to_text(turn.say(f"{purpose}.label"))
    announce = to_text(turn.say(f"{purpose}.announce"))
    zone = device_zone(turn) if length > MAX_TIMER else None
    start: StartTimer | ScheduleReminder
    if length <= MAX_TIMER:
        start, kind = StartTimer(length, label, announce, purpose), "timer"
    else:
        local = end.astimezone(zone or UTC).replace(tzinfo=None, microsecond=0)
        zone_name = getattr(zone, "key", None) or "UTC"
        start, kind = ScheduleReminder(local, announce, purpose, zone_name), "reminder"
    seconds = int(length.total_seconds())
    remember_request(turn, resume, purpose, start.scope, seconds=seconds, ends_at=end.isoformat())
    turn.household.alerts[purpose] = {"kind": kind, "id": "", "ends_at": end.isoformat(), "label": label}
    spoken = spoken_length(turn, int(length.total_seconds()))
    started = turn.say(f"{purpose}.started", length=spoken)
    speech = join(turn.say("evening.explain"), started) if explain else started
    return Go(TimedStep.EVENING, Reply(speech, end_session=True, effects=(*effects, start)))


def cancel_alert(running: dict[str, str], purpose: str) -> tuple[Effect, ...]:
    if running.get("kind") == "reminder":
        return (CancelReminder(running["id"], purpose),) if running.get("id") else ()
    # A timer whose id never came back (the worker stopped after the turn was stored) is
    # still found by its label among the skill's timers.
    return (CancelTimer(running.get("id", ""), purpose, running.get("label", "")),)


def running_alert(turn: Turn, purpose: str) -> dict[str, str] | None:
    """What runs for `purpose`, forgetting it once its end has passed."""
    running = turn.household.alerts.get(purpose)
    if running is None:
        return None
    end = parse_instant(running.get("ends_at", ""))
    if end is None or end <= turn.ports.clock():
        del turn.household.alerts[purpose]
        return None
    return running


def left_behind(turn: Turn, purpose: str, within: timedelta) -> dict[str, str] | None:
    """A turn's timer (the listening exercise's, a photo turn's) while it runs or for `within`
    after it rang: the exercise it belongs to is picked up where it was."""
    running = turn.household.alerts.get(purpose)
    end = parse_instant((running or {}).get("ends_at", ""))
    if running is None or end is None or end + within < turn.ports.clock():
        return None
    return running


def still_running(turn: Turn, purpose: str) -> bool:
    """Whether the timer kept for `purpose` has yet to ring."""
    end = parse_instant((turn.household.alerts.get(purpose) or {}).get("ends_at", ""))
    return end is not None and end > turn.ports.clock()


def alert_round(running: dict[str, str]) -> int:
    """Whose turn the timer was for, as the exercise wrote it in the timer's entry."""
    return int(running["round"]) if running.get("round", "").isdigit() else 0


def seconds_left(turn: Turn, running: dict[str, str]) -> int:
    """Whole seconds until what runs ends (0 once it has, or when its end is unreadable)."""
    end = parse_instant(running["ends_at"])
    return max(0, round((end - turn.ports.clock()).total_seconds())) if end else 0


# --- reading slots and speaking lengths --------------------------------------------------------


def slot_seconds(turn: Turn, slot: str) -> int | None:
    """An AMAZON.DURATION slot ("PT2H", "PT15M", "P1D") in seconds; None when absent or unreadable."""
    value = (turn.event.slot(slot).value or "").strip().upper()
    found = _ISO_DURATION.fullmatch(value)
    if not value or found is None:
        return None
    parts = {key: int(number or 0) for key, number in found.groupdict().items()}
    total = (((parts["w"] * 7 + parts["d"]) * 24 + parts["h"]) * 60 + parts["m"]) * 60 + parts["s"]
    return total or None


def clock_time(value: str | None) -> time | None:
    """An AMAZON.TIME value ("22:00"); the vague ones ("EV", "NI") are not a time."""
    found = _CLOCK.fullmatch((value or "").strip())
    return time(int(found["h"]), int(found["m"])) if found else None


def _next_evening_time(now: datetime, until: time, zone: tzinfo) -> datetime:
    """The next time the clock shows `until` in the device's zone, read as an evening's end.

    "Until ten" is 10 pm even when said in the morning, "until one" at night is 1 am: of the
    two readings of an hour from one to eleven, the first that falls in the evening or the
    night (5 pm to 4 am) wins, else the first to come.
    """
    local_now = now.astimezone(zone)
    candidates = [until]
    if 1 <= until.hour < 12:
        candidates.append(until.replace(hour=until.hour + 12))
    ends = []
    for candidate in candidates:
        end = datetime.combine(local_now.date(), candidate, tzinfo=zone)
        if end <= local_now:
            end += timedelta(days=1)
        ends.append(end)
    evening = [end for end in ends if end.hour >= 17 or end.hour <= 4]
    return min(evening or ends).astimezone(UTC)


def device_zone(turn: Turn) -> ZoneInfo | None:
    name = turn.ports.time_zone()
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse_instant(text: str) -> datetime | None:
    """An ISO 8601 instant as stored in household.alerts (UTC when it names no zone), or None."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def pending_param(turn: Turn, name: str, default: int) -> int:
    """A number kept with the request that waits for permission, else `default`."""
    pending = turn.household.pending or {}
    value = pending.get("params", {}).get(name)
    return int(value) if isinstance(value, int | float) else default


def spoken_length(turn: Turn, seconds: int) -> str:
    """ "2 hours and 10 minutes", "20 seconds": whole minutes above a minute and a half."""
    if seconds < 90:
        return _unit(turn, "second", seconds)
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    parts = [_unit(turn, "hour", hours)] if hours else []
    if minutes:
        parts.append(_unit(turn, "minute", minutes))
    return to_text(turn.say("length.and", first=parts[0], second=parts[1])) if len(parts) == 2 else parts[0]


def _unit(turn: Turn, unit: str, count: int) -> str:
    key = f"length.{unit}" if count == 1 else f"length.{unit}s"
    return to_text(turn.say(key, n=str(count)))


FLOW = Flow(
    name="timed",
    steps=TimedStep,
    rules=(Rule(intents.NEXT, another_hug, (TimedStep.HUGGED,)),),
    entries=(
        Rule(intents.HUG, hug),
        Rule(intents.CUDDLE, cuddle),
        Rule(intents.START_EVENING, start_evening),
        Rule(intents.EVENING_TIME_LEFT, time_left),
        Rule(intents.END_EVENING, end_evening),
    ),
    offers=(
        (OFFER_HUG, another_hug),
        (OFFER_EVENING, start_evening),
        (RESUME_HUG, resume_hug),
        (RESUME_CUDDLE, resume_cuddle),
        (RESUME_EVENING, resume_evening),
    ),
)
