"""Effects in the browser: the page runs timers and offers reminders; the server only records them.

`WebEffects` is the `EffectHost` a web turn gets (see skill.conversation). A browser has
no Timers or Reminders API that could fail, so every effect counts as done at once: the
host answers each with `@EffectDone` and an id of its own, exactly as the Alexa host
reports Amazon's ids, and the dialogue's generic rules (dialogue.flows.alerts) keep that id
with what is running, so "how long is left" and "end the tech-free evening" work as on a
speaker. Each effect is also described as JSON for the page, which does the visible part:

| effect           | JSON `type`        | what the page does                                       |
|------------------|--------------------|----------------------------------------------------------|
| StartTimer       | `timer`            | shows the time left, chimes and speaks `announce` at 0   |
| CancelTimer      | `cancel_timer`     | removes the timer with that `id`                         |
| ScheduleReminder | `reminder`         | offers `calendar_url`, an .ics (weekly: with an RRULE)   |
| CancelReminder   | `cancel_reminder`  | says the reminder is off (the calendar entry is theirs)  |
| AskPermission    | `ask_permission`   | never sent here: nothing needs permission in a browser   |
| ConsentCard      | `consent_card`     | likewise                                                 |
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from dialogue import Effect, Event, intents
from dialogue import effects as fx
from skill.web import calendar

CALENDAR_PATH = "/web/calendar.ics"


class WebEffects:
    """Records one web turn's effects as done, and describes them for the page."""

    def __init__(self, time_zone: str | None, clock: Callable[[], datetime], locale: str = "en-US") -> None:
        self._time_zone = time_zone
        self.clock = clock
        self.locale = locale
        self.done: list[dict[str, Any]] = []

    def time_zone(self) -> str | None:
        """The browser's IANA time zone, as the page reported it (None when it did not)."""
        return self._time_zone

    def carry_out(self, effect: Effect) -> Event | None:
        """Describe the effect for the page and report it done, with a fresh id for what starts."""
        starts = isinstance(effect, fx.StartTimer | fx.ScheduleReminder)
        effect_id = f"web-{uuid.uuid4().hex[:20]}" if starts else _existing_id(effect)
        self.done.append(describe(effect, effect_id, self.clock()))
        purpose = getattr(effect, "purpose", None)
        if purpose is None:  # AskPermission, ConsentCard: nothing to report back
            return None
        data = {"purpose": str(purpose), "effect": type(effect).__name__, "id": effect_id if starts else ""}
        return Event(intents.EFFECT_DONE, data=data, locale=self.locale)


def describe(effect: Effect, effect_id: str, now: datetime) -> dict[str, Any]:
    """A JSON description of one effect for the page (see the module docstring)."""
    if isinstance(effect, fx.StartTimer):
        seconds = round(effect.duration.total_seconds())
        return {
            "type": "timer",
            "id": effect_id,
            "purpose": effect.purpose,
            "label": effect.label,
            "announce": effect.announce,
            "duration_seconds": seconds,
            "ends_at": (now + effect.duration).isoformat(),
        }
    if isinstance(effect, fx.ScheduleReminder):
        recurrence = effect.recurrence
        query = calendar.query_for(effect, effect_id)
        return {
            "type": "reminder",
            "id": effect_id,
            "purpose": effect.purpose,
            "text": effect.text,
            "at": effect.at.isoformat(),
            "time_zone": effect.time_zone,
            "recurrence": None
            if recurrence is None
            else {"freq": recurrence.freq, "days": list(recurrence.days), "interval": recurrence.interval},
            "rrule": calendar.rrule(recurrence) if recurrence is not None else None,
            "calendar_url": f"{CALENDAR_PATH}?{urlencode(query)}",
        }
    if isinstance(effect, fx.CancelTimer):
        return {"type": "cancel_timer", "id": effect.timer_id, "purpose": effect.purpose}
    if isinstance(effect, fx.CancelReminder):
        return {"type": "cancel_reminder", "id": effect.reminder_id, "purpose": effect.purpose}
    if isinstance(effect, fx.AskPermission):
        return {"type": "ask_permission", "scope": effect.scope}
    if isinstance(effect, fx.ConsentCard):
        return {"type": "consent_card", "scope": effect.scope}
    return {"type": _snake(type(effect).__name__)}


def _existing_id(effect: Effect) -> str:
    return str(getattr(effect, "timer_id", None) or getattr(effect, "reminder_id", None) or "")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
