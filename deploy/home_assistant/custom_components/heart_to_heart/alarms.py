"""What Heart to Heart keeps time for on a home's own speakers: timers, reminders, later words.

The server decides; Home Assistant keeps the time, because only it can speak on a satellite
unasked. Each effect in a turn's answer (the browser's shapes, see the server's
skill/web/effects.py) is applied here:

| effect            | kept here                                                          |
|-------------------|--------------------------------------------------------------------|
| `timer`           | at its end, `assist_satellite.announce` of its words on the        |
|                   | satellite that heard it start (a cuddle, a tech-free evening)      |
| `cancel_timer`    | that timer forgotten                                               |
| `reminder`        | at each time, on that satellite: the weekly check-in asks the      |
|                   | server and starts a conversation ("ready for your check-in?"),     |
|                   | `assist_satellite.start_conversation`; any other reminder is       |
|                   | announced                                                          |
| `cancel_reminder` | that reminder forgotten                                            |

Timers and reminders are saved in Home Assistant's storage and scheduled again when it
starts, so a restart loses none (a timer that ended while it was down is still announced
if it is less than a quarter of an hour late). A reply's `later` words (the close of a
twenty-second hug) are said that many seconds after the words before them; they are not
saved: a hug does not outlive a restart.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_call_later, async_track_point_in_utc_time
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .client import HeartToHeartClient, ServerError
from .const import DOMAIN, LATE_ANNOUNCE_SECONDS

_LOGGER = logging.getLogger(__name__)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WORDS_PER_SECOND = 2.5  # how fast a speaker says the words before a quiet begins
CHECKIN = "checkin"


def alarms_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, dict[str, Any]]]:
    """Where one household's timers and reminders are kept in Home Assistant."""
    return Store(hass, 1, f"{DOMAIN}.{entry_id}.alarms")


def next_time(reminder: dict[str, Any], after: datetime) -> datetime | None:
    """When a reminder next comes due after `after` (UTC); None when a one-off has passed."""
    zone = dt_util.get_time_zone(reminder.get("time_zone") or "UTC") or UTC
    first = datetime.fromisoformat(reminder["at"]).replace(tzinfo=zone)
    recurrence = reminder.get("recurrence")
    if not recurrence:
        return first.astimezone(UTC) if first > after else None
    days = recurrence.get("days") or [WEEKDAYS[first.weekday()]]
    start: date = max(first.date(), after.astimezone(zone).date())
    for offset in range(8):
        day = start + timedelta(days=offset)
        at = datetime.combine(day, time(first.hour, first.minute), zone)
        weekly_match = recurrence.get("freq") == "DAILY" or WEEKDAYS[day.weekday()] in days
        if weekly_match and at > after and at >= first:
            return at.astimezone(UTC)
    return None


class Alarms:
    """One household's timers and reminders, kept in Home Assistant."""

    def __init__(self, hass: HomeAssistant, entry_id: str, client: HeartToHeartClient) -> None:
        self.hass = hass
        self.client = client
        self._store = alarms_store(hass, entry_id)
        self._kept: dict[str, dict[str, Any]] = {"timers": {}, "reminders": {}}
        self._scheduled: dict[str, CALLBACK_TYPE] = {}
        self._later: list[CALLBACK_TYPE] = []

    async def async_load(self) -> None:
        """Schedule again what was kept before Home Assistant stopped."""
        self._kept = await self._store.async_load() or {"timers": {}, "reminders": {}}
        now = dt_util.utcnow()
        for timer_id, timer in list(self._kept["timers"].items()):
            ends = datetime.fromisoformat(timer["at"])
            if ends > now:
                self._schedule_timer(timer_id)
            elif (now - ends).total_seconds() <= LATE_ANNOUNCE_SECONDS:
                self.hass.async_create_task(self._ring(timer_id))
            else:
                del self._kept["timers"][timer_id]
        for reminder_id in list(self._kept["reminders"]):
            self._schedule_reminder(reminder_id)
        await self._save()

    @callback
    def async_unload(self) -> None:
        """Stop every scheduled call (what is kept stays kept)."""
        for cancel in [*self._scheduled.values(), *self._later]:
            cancel()
        self._scheduled.clear()
        self._later.clear()

    async def async_apply(self, effects: list[dict[str, Any]], satellite: str | None) -> None:
        """Keep the timers and reminders a turn started or stopped."""
        now = dt_util.utcnow()
        for effect in effects:
            kind, effect_id = effect.get("type"), str(effect.get("id") or "")
            if kind == "timer" and satellite is None:
                _LOGGER.warning("A timer was started where no satellite heard it; it will end silently")
            elif kind == "timer":
                ends = now + timedelta(seconds=int(effect["duration_seconds"]))
                self._forget(effect_id)
                self._kept["timers"][effect_id] = {
                    "at": ends.isoformat(),
                    "say": effect["announce"],
                    "satellite": satellite,
                }
                self._schedule_timer(effect_id)
            elif kind == "reminder":
                self._forget(effect_id)
                self._kept["reminders"][effect_id] = {
                    "at": effect["at"],
                    "time_zone": effect.get("time_zone") or self.hass.config.time_zone,
                    "recurrence": effect.get("recurrence"),
                    "purpose": effect.get("purpose"),
                    "say": effect.get("text") or "",
                    "satellite": satellite,
                }
                self._schedule_reminder(effect_id)
            elif kind in ("cancel_timer", "cancel_reminder"):
                self._forget(effect_id)
        await self._save()

    @callback
    def say_later(self, parts: list[dict[str, Any]], satellite: str, said_now: str) -> None:
        """Say each part its seconds after the words before it; the last may listen for an answer."""
        delay = len(said_now.split()) / WORDS_PER_SECOND
        for part in parts:
            delay += float(part["after_seconds"])
            job = HassJob(self._speak_job(part, satellite), cancel_on_shutdown=True)
            self._later.append(async_call_later(self.hass, delay, job))
            delay += len(str(part["say"]).split()) / WORDS_PER_SECOND

    def _speak_job(self, part: dict[str, Any], satellite: str) -> Any:
        async def speak(_now: datetime) -> None:
            action = "start_conversation" if part.get("listen") else "announce"
            await self._speak(satellite, action, str(part["say"]))

        return speak

    def _forget(self, effect_id: str) -> None:
        cancel = self._scheduled.pop(effect_id, None)
        if cancel is not None:
            cancel()
        self._kept["timers"].pop(effect_id, None)
        self._kept["reminders"].pop(effect_id, None)

    def _schedule_timer(self, timer_id: str) -> None:
        ends = datetime.fromisoformat(self._kept["timers"][timer_id]["at"])

        async def ring(_now: datetime) -> None:
            await self._ring(timer_id)

        self._scheduled[timer_id] = async_track_point_in_utc_time(self.hass, ring, ends)

    async def _ring(self, timer_id: str) -> None:
        self._scheduled.pop(timer_id, None)
        timer = self._kept["timers"].pop(timer_id, None)
        await self._save()
        if timer is not None:
            await self._speak(timer["satellite"], "announce", timer["say"])

    def _schedule_reminder(self, reminder_id: str, after: datetime | None = None) -> None:
        reminder = self._kept["reminders"][reminder_id]
        now = dt_util.utcnow()
        due = next_time(reminder, max(now, after) if after is not None else now)
        if due is None:
            del self._kept["reminders"][reminder_id]
            return

        async def remind(_now: datetime) -> None:
            await self._remind(reminder_id, due)

        self._scheduled[reminder_id] = async_track_point_in_utc_time(self.hass, remind, due)

    async def _remind(self, reminder_id: str, due: datetime) -> None:
        self._scheduled.pop(reminder_id, None)
        reminder = self._kept["reminders"].get(reminder_id)
        if reminder is None:
            return
        if reminder.get("recurrence"):
            self._schedule_reminder(reminder_id, after=due)  # next week's, never this one again
        else:
            del self._kept["reminders"][reminder_id]
        await self._save()
        satellite = reminder.get("satellite")
        if satellite is None:
            _LOGGER.warning("A reminder came due with no satellite to say it on")
            return
        if reminder.get("purpose") != CHECKIN:
            await self._speak(satellite, "announce", reminder["say"])
            return
        try:  # the server asks "ready for your check-in?" and waits for the yes
            answer = await self.client.turn(
                {
                    "reminder": CHECKIN,
                    "new_conversation": True,
                    "language": self.hass.config.language,
                    "time_zone": self.hass.config.time_zone,
                }
            )
        except ServerError as error:
            _LOGGER.error("The check-in reminder could not reach Heart to Heart: %s", error)
            await self._speak(satellite, "announce", "It's time for your weekly check-in.")
            return
        await self._speak(satellite, "start_conversation", str(answer.get("speech") or ""))

    async def _speak(self, satellite: str, action: str, words: str) -> None:
        field = "start_message" if action == "start_conversation" else "message"
        try:
            await self.hass.services.async_call(
                "assist_satellite",
                action,
                {"entity_id": satellite, field: words, "preannounce": True},
                blocking=True,
            )
        except HomeAssistantError as error:
            _LOGGER.error("%s on %s failed: %s", action, satellite, error)

    async def _save(self) -> None:
        await self._store.async_save(self._kept)
