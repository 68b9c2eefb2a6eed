"""A reminder as an iCalendar file (RFC 5545): the browser's stand-in for an Alexa reminder.

The page cannot speak at eight on Sunday when the tab is closed, so a weekly reminder is
offered as a calendar event to import: one VEVENT starting at the reminder's first time,
repeating by its RRULE, with a display alarm at the start. Times are wall-clock times in
the reminder's time zone (a `VTIMEZONE` built from the zone's own rules for that year, so
the event stays at eight across daylight-saving changes); without a zone they are floating
times, the calendar's own local time.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dialogue.effects import WEEKDAYS, Recurrence, ScheduleReminder

PRODUCT_ID = "-//Heart to Heart//Browser simulator//EN"
EVENT_MINUTES = 30
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
    """The iCalendar text for one event, CRLF line endings and folded lines, as RFC 5545 asks."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODUCT_ID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    if event.zone:
        lines += _vtimezone(event.zone, event.start.year)
    lines += [
        "BEGIN:VEVENT",
        f"UID:{event.uid}@heart-to-heart",
        f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
        _dated("DTSTART", event.start, event.zone),
        _dated("DTEND", event.start + timedelta(minutes=EVENT_MINUTES), event.zone),
    ]
    if event.recurrence is not None:
        lines.append(f"RRULE:{rrule(event.recurrence)}")
    lines += [
        f"SUMMARY:{_text(event.summary)}",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{_text(event.summary)}",
        "TRIGGER:PT0M",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_fold(line) + "\r\n" for line in lines)


def rrule(recurrence: Recurrence) -> str:
    """ "FREQ=WEEKLY;INTERVAL=1;BYDAY=SU"."""
    parts = [f"FREQ={recurrence.freq}", f"INTERVAL={recurrence.interval}"]
    if recurrence.days:
        parts.append("BYDAY=" + ",".join(recurrence.days))
    return ";".join(parts)


def filename(event: CalendarEvent) -> str:
    """A download name that says what it is."""
    digest = hashlib.sha256(event.uid.encode()).hexdigest()[:8]
    return f"heart-to-heart-reminder-{digest}.ics"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise CalendarError("tz must be an IANA time zone such as Europe/Berlin") from error


def _dated(name: str, moment: datetime, zone: str | None) -> str:
    value = f"{moment:%Y%m%dT%H%M%S}"
    return f"{name};TZID={zone}:{value}" if zone else f"{name}:{value}"


def _text(value: str) -> str:
    """RFC 5545 TEXT: backslash, semicolon, comma and newlines escaped."""
    escaped = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return escaped.replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    pieces: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not pieces else 74):
            pieces.append(current.decode("utf-8"))
            current = b""
        current += encoded
    pieces.append(current.decode("utf-8"))
    return "\r\n ".join(pieces)


# --- VTIMEZONE from the zone's rules --------------------------------------------------------


def _vtimezone(name: str, year: int) -> list[str]:
    zone = _zone(name)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{name}"]
    changes = _transitions(zone, year)
    if not changes:
        moment = datetime(year, 1, 1, tzinfo=UTC).astimezone(zone)
        offset = moment.utcoffset() or timedelta()
        lines += _observance("STANDARD", datetime(1970, 1, 1), offset, offset, moment.tzname() or name)
    for at, before, after in changes:
        local = (at + before).replace(tzinfo=None)
        moment = at.astimezone(zone)
        kind = "DAYLIGHT" if moment.dst() else "STANDARD"
        lines += _observance(kind, local, before, after, moment.tzname() or name, yearly=True)
    return [*lines, "END:VTIMEZONE"]


def _observance(
    kind: str, onset: datetime, before: timedelta, after: timedelta, label: str, yearly: bool = False
) -> list[str]:
    lines = [
        f"BEGIN:{kind}",
        f"DTSTART:{onset:%Y%m%dT%H%M%S}",
        f"TZOFFSETFROM:{_offset(before)}",
        f"TZOFFSETTO:{_offset(after)}",
        f"TZNAME:{_text(label)}",
    ]
    if yearly:
        lines.append(f"RRULE:FREQ=YEARLY;BYMONTH={onset.month};BYDAY={_nth_weekday(onset)}")
    return [*lines, f"END:{kind}"]


def _transitions(zone: tzinfo, year: int) -> list[tuple[datetime, timedelta, timedelta]]:
    """Each UTC instant in `year` when the zone's offset changes, with the offsets around it."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    previous = moment.astimezone(zone).utcoffset()
    while moment < end:
        following = moment + timedelta(hours=1)
        offset = following.astimezone(zone).utcoffset()
        if offset != previous and previous is not None and offset is not None:
            low, high = moment, following  # the change lies in (low, high]: narrow it to the minute
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle <= low:
                    break
                if middle.astimezone(zone).utcoffset() == previous:
                    low = middle
                else:
                    high = middle
            found.append((high, previous, offset))
            previous = offset
        moment = following
    return found


def _nth_weekday(day: datetime) -> str:
    """ "-1SU" for the last Sunday of its month, "2SU" for the second, …"""
    code = WEEKDAYS[day.weekday()]
    if (day + timedelta(days=7)).month != day.month:
        return f"-1{code}"
    return f"{(day.day - 1) // 7 + 1}{code}"


def _offset(offset: timedelta) -> str:
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")
