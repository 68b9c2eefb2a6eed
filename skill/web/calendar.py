"""A reminder as an iCalendar file (RFC 5545): the browser's stand-in for an Alexa reminder.

The page cannot speak at eight on Sunday when the tab is closed, so a weekly reminder is
offered as a calendar event to import: one VEVENT starting at the reminder's first time,
repeating by its RRULE, with a display alarm at the start. Times are wall-clock times in
the reminder's time zone (icalendar builds its `VTIMEZONE` from the zone's own rules, so
the event stays at eight across daylight-saving changes); without a zone they are floating
times, the calendar's own local time. Here are only the checks of what a request asks for.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Alarm, Calendar, Event, vRecur

from dialogue.effects import WEEKDAYS, Recurrence, ScheduleReminder

PRODUCT_ID = "-//Heart to Heart//Browser simulator//EN"
EVENT_MINUTES = 30
ZONE_YEARS = 10  # a weekly reminder's VTIMEZONE covers this many years from its first time
MAX_SUMMARY = 200
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_START = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?")  # ASCII digits only
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class CalendarError(ValueError):
    """A calendar request that does not describe a reminder; the reason is safe to return."""


@dataclass(frozen=True)
class CalendarEvent:
    """What the .ics describes: first start (naive, wall clock in `zone`), repetition, words."""

    start: datetime
    summary: str
    uid: str
    zone: str | None = None
    recurrence: Recurrence | None = None


def query_for(effect: ScheduleReminder, uid: str) -> dict[str, str]:
    """The query string of `GET /web/calendar.ics` that rebuilds this reminder."""
    query = {
        "start": effect.at.replace(second=0, microsecond=0).isoformat(),
        "summary": effect.text,
        "id": uid,
    }
    if effect.time_zone:
        query["tz"] = effect.time_zone
    if effect.recurrence is not None:
        query["freq"] = effect.recurrence.freq
        query["interval"] = str(effect.recurrence.interval)
        if effect.recurrence.days:
            query["days"] = ",".join(effect.recurrence.days)
    return query


def event_from_query(args: dict[str, str]) -> CalendarEvent:
    """Read and check the query parameters; CalendarError says what is wrong."""
    start_text = args.get("start", "")
    if not _START.fullmatch(start_text):
        raise CalendarError("start must be a local date and time like 2026-11-29T20:00")
    try:
        start = datetime.fromisoformat(start_text)
    except ValueError as error:
        raise CalendarError("start is not a real date and time") from error
    if not 2000 <= start.year <= 2100:  # a reminder for this century; time zone sums stay in range
        raise CalendarError("start must be a date between the years 2000 and 2100")
    summary = " ".join(args.get("summary", "").split())
    if not summary or len(summary) > MAX_SUMMARY or _CONTROL.search(summary):
        raise CalendarError(f"summary must be 1 to {MAX_SUMMARY} printable characters")
    uid = args.get("id", "")
    if not _ID.fullmatch(uid):
        raise CalendarError("id must be 1 to 64 letters, digits, '-' or '_'")
    zone = args.get("tz") or None
    if zone is not None:
        _zone(zone)
    recurrence = None
    if args.get("freq"):
        days = tuple(day for day in args.get("days", "").upper().split(",") if day)
        interval = args.get("interval", "1")
        if not re.fullmatch(r"[0-9]{1,2}", interval) or not 1 <= int(interval) <= 52:
            raise CalendarError("interval must be a whole number from 1 to 52")
        try:
            recurrence = Recurrence(args["freq"].upper(), days, int(interval))
        except ValueError as error:
            raise CalendarError(
                f"freq must be WEEKLY or DAILY and days among {','.join(WEEKDAYS)}"
            ) from error
    return CalendarEvent(start, summary, uid, zone, recurrence)


def ics(event: CalendarEvent, now: datetime | None = None) -> str:
    """The iCalendar text for one event (icalendar writes it: line folding, escaping, and the
    VTIMEZONE built from the zone's own rules)."""
    zone = _zone(event.zone) if event.zone else None
    start = event.start.replace(tzinfo=zone)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", event.summary)
    alarm.add("trigger", timedelta(0))
    entry = Event()
    entry.add("uid", f"{event.uid}@heart-to-heart")
    entry.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC))
    entry.add("dtstart", start)
    entry.add("dtend", start + timedelta(minutes=EVENT_MINUTES))
    if event.recurrence is not None:
        entry.add("rrule", _recur(event.recurrence))
    entry.add("summary", event.summary)
    entry.add_component(alarm)
    calendar = Calendar()
    for name, value in (
        ("prodid", PRODUCT_ID),
        ("version", "2.0"),
        ("calscale", "GREGORIAN"),
        ("method", "PUBLISH"),
    ):
        calendar.add(name, value)
    calendar.add_component(entry)
    if zone is not None:  # the zone's rules from the event on, for the years it may repeat
        calendar.add_missing_timezones(start.date() - timedelta(days=1), date(start.year + ZONE_YEARS, 1, 1))
    text: bytes = calendar.to_ical()
    return text.decode("utf-8")


def rrule(recurrence: Recurrence) -> str:
    """ "FREQ=WEEKLY;INTERVAL=1;BYDAY=SU"."""
    text: bytes = _recur(recurrence).to_ical()  # type: ignore[no-untyped-call]
    return text.decode("ascii")


def _recur(recurrence: Recurrence) -> vRecur:
    parts: dict[str, object] = {"freq": recurrence.freq, "interval": recurrence.interval}
    if recurrence.days:
        parts["byday"] = list(recurrence.days)
    return vRecur(parts)


def filename(event: CalendarEvent) -> str:
    """A download name that says what it is."""
    digest = hashlib.sha256(event.uid.encode()).hexdigest()[:8]
    return f"heart-to-heart-reminder-{digest}.ics"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise CalendarError("tz must be an IANA time zone such as Europe/Berlin") from error
