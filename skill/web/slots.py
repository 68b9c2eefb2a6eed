"""Built-in slot values as Alexa's NLU hands them over: words in, Amazon's formats out.

Alexa resolves `AMAZON.DURATION` to ISO 8601 ("two hours" -> "PT2H") and `AMAZON.TIME` to
a clock time ("eight" -> "08:00", "ten thirty pm" -> "22:30"); the dialogue reads only
those forms. Typed or spoken text in the browser arrives as words, so the web adapter
converts them here before the core sees them. Anything unreadable is passed on unchanged,
as Alexa passes on what it could not resolve, and the core then uses its defaults.
"""

from __future__ import annotations

import re

DURATION = "AMAZON.DURATION"
TIME = "AMAZON.TIME"

_UNITS = {
    "one": 1,
    "a": 1,
    "an": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_DURATION_UNITS = {
    "second": "S",
    "seconds": "S",
    "sec": "S",
    "secs": "S",
    "minute": "M",
    "minutes": "M",
    "min": "M",
    "mins": "M",
    "hour": "H",
    "hours": "H",
    "day": "D",
    "days": "D",
}
_ISO_DURATION = re.compile(r"^P(?=\d|T\d)(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def resolve(slot_type: str, heard: str) -> str:
    """The value Alexa would send for a built-in slot type; other types are returned as heard."""
    if slot_type == DURATION:
        return duration(heard) or heard
    if slot_type == TIME:
        return clock_time(heard) or heard
    return heard


def number(words: str) -> int | None:
    """ "twenty five", "25", "a" -> 25, 25, 1; None when the words are not a number."""
    tokens = words.replace("-", " ").split()
    if len(tokens) == 1 and tokens[0].isdigit():
        return int(tokens[0])
    total, seen = 0, False
    for token in tokens:
        if token in _TENS and total % 100 == 0:
            total += _TENS[token]
        elif token in _UNITS and total % 10 == 0 and (total == 0 or total >= 20):
            total += _UNITS[token]
        elif token == "and" and seen:
            continue
        else:
            return None
        seen = True
    return total if seen else None


def duration(heard: str) -> str | None:
    """ "two hours", "an hour and a half", "90 seconds" -> "PT2H", "PT1H30M", "PT90S"."""
    text = " ".join(heard.lower().replace(",", " ").split())
    if _ISO_DURATION.match(text.upper()):
        return text.upper()
    text = re.sub(r"\b(?:a )?half an? (hour|minute|day)\b", r"half \1", text)
    parts: dict[str, int] = {}
    last_unit: str | None = None
    for chunk in re.split(r"\band\b", text):
        words = chunk.split()
        if words in (["a", "half"], ["half"]) and last_unit is not None:
            _add_half(parts, last_unit)  # "an hour and a half"
            continue
        unit = _DURATION_UNITS.get(words[-1]) if words else None
        if unit is None:
            return None
        if words[:-1] == ["half"]:
            _add_half(parts, unit)
        else:
            count = number(" ".join(words[:-1]))
            if count is None:
                return None
            parts[unit] = parts.get(unit, 0) + count
        last_unit = unit
    if not parts or not any(parts.values()):
        return None
    date = f"{parts['D']}D" if parts.get("D") else ""
    time = "".join(f"{parts[u]}{u}" for u in ("H", "M", "S") if parts.get(u))
    return "P" + date + (f"T{time}" if time else "")


def _add_half(parts: dict[str, int], unit: str) -> None:
    smaller = {"D": ("H", 12), "H": ("M", 30), "M": ("S", 30)}.get(unit)
    if smaller is not None:
        parts[smaller[0]] = parts.get(smaller[0], 0) + smaller[1]


def clock_time(heard: str) -> str | None:
    """ "eight", "8 pm", "ten thirty", "half past nine", "noon" -> "08:00", "20:00", "10:30", …"""
    text = " ".join(heard.lower().replace(".", "").split())
    found = _CLOCK.match(text)
    if found:
        return f"{int(found[1]):02d}:{found[2]}"
    if text in ("noon", "midday"):
        return "12:00"
    if text == "midnight":
        return "00:00"
    suffix = None
    for marker, meaning in ((" pm", "pm"), (" am", "am"), (" in the evening", "pm"), (" at night", "pm")):
        if text.endswith(marker):
            text, suffix = text[: -len(marker)].strip(), meaning
    text = text.removesuffix(" o'clock").removesuffix(" oclock")
    hour, minute = _hour_and_minute(text)
    if hour is None or not 0 <= hour <= 23 or not 0 <= minute <= 59:
        return None
    if suffix == "pm" and hour < 12:
        hour += 12
    elif suffix == "am" and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


def _hour_and_minute(text: str) -> tuple[int | None, int]:
    if ":" in text:
        hours, _, minutes = text.partition(":")
        return (int(hours), int(minutes)) if hours.isdigit() and minutes.isdigit() else (None, 0)
    for lead, offset in (("half past ", 30), ("quarter past ", 15)):
        if text.startswith(lead):
            return number(text[len(lead) :]), offset
    if text.startswith("quarter to "):
        hour = number(text[len("quarter to ") :])
        return (None if hour is None else (hour - 1) % 24), 45
    whole = number(text)
    if whole is not None:
        return whole, 0
    words = text.split()
    for split in range(1, len(words)):
        hour = number(" ".join(words[:split]))
        minute = number(" ".join(w for w in words[split:] if w != "oh"))
        if hour is not None and minute is not None:
            return hour, minute
    return None, 0
