"""Built-in slot values as Alexa's NLU hands them over: words in, Amazon's formats out.

Alexa resolves `AMAZON.DURATION` to ISO 8601 ("two hours" -> "PT2H"), `AMAZON.TIME` to a
clock time ("eight" -> "08:00", "ten thirty pm" -> "22:30") and `AMAZON.DayOfWeek` to the
day's name; the dialogue reads only those forms. Hosts without Alexa's NLU (the browser,
the terminal chat, a local assistant) hear words, so the recogniser converts them here
before the core sees them. Only ASCII digits count as digits ("²" is not a number).

    spoken_duration("an hour and a half")  -> "PT1H30M"
    spoken_time("half past nine")          -> "09:30"
    spoken_day("sunday nights")            -> "sunday"
"""

from __future__ import annotations

import re

DURATION = "AMAZON.DURATION"
TIME = "AMAZON.TIME"
DAY = "AMAZON.DayOfWeek"

_UNITS = {
    "zero": 0,
    "one": 1,
    "a": 1,
    "an": 1,
    "two": 2,
    "couple": 2,
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
    "s": "S",
    "minute": "M",
    "minutes": "M",
    "min": "M",
    "mins": "M",
    "m": "M",
    "hour": "H",
    "hours": "H",
    "hr": "H",
    "hrs": "H",
    "h": "H",
    "day": "D",
    "days": "D",
    "week": "W",
    "weeks": "W",
    "month": "MO",
    "months": "MO",
    "year": "Y",
    "years": "Y",
}
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DIGITS = re.compile(r"[0-9]+")
_ISO_DURATION = re.compile(
    r"P(?=[0-9]|T[0-9])([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+S)?)?"
)
_CLOCK = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
# "9pm", "10am", "30mins", "2hrs": a number glued to its unit
_GLUED = re.compile(r"([0-9]+(?::[0-9]+)?)(am|pm|a\.m\.|p\.m\.|[a-z]+)")


# every word a spoken duration, time or day can be made of
SPOKEN_WORDS = frozenset(
    [*_UNITS, *_TENS, *_DURATION_UNITS, *_DAYS, "half", "quarter", "past", "to", "and", "am", "pm", "noon"]
    + ["midday", "midnight", "o'clock", "oclock", "hundred", "of", "minutes", "hours", "seconds"]
)


def resolve(slot_type: str, heard: str) -> str | None:
    """The value Alexa would send for a built-in slot type, or None when the words are not one."""
    if slot_type == DURATION:
        return spoken_duration(heard)
    if slot_type == TIME:
        return spoken_time(heard)
    if slot_type == DAY:
        return spoken_day(heard)
    return heard


def _words(heard: str) -> list[str]:
    text = heard.lower().replace(",", " ").replace("-", " ")
    return [part for token in text.split() for part in _unglue(token)]


def _unglue(token: str) -> list[str]:
    found = _GLUED.fullmatch(token)
    return [found[1], found[2].replace(".", "")] if found else [token]


def number(words: str) -> int | None:
    """ "twenty five", "25", "a" -> 25, 25, 1; None when the words are not a number."""
    tokens = words.replace("-", " ").split()
    if len(tokens) == 1 and _DIGITS.fullmatch(tokens[0]):
        return int(tokens[0])
    if tokens[:1] == ["a"] and tokens[1:2] == ["couple"]:
        tokens = tokens[1:]
    if tokens[-1:] == ["of"]:
        tokens = tokens[:-1]  # "a couple of"
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


def spoken_duration(heard: str) -> str | None:
    """ "two hours", "an hour and a half", "90 seconds" -> "PT2H", "PT1H30M", "PT90S"."""
    if _ISO_DURATION.fullmatch(heard.strip().upper()):
        return heard.strip().upper()
    text = " ".join(_words(heard))
    text = re.sub(r"\b(?:a |one )?half (?:an? )?(hour|minute|day)\b", r"half \1", text)
    text = re.sub(r"\b(?:a )?quarter (?:of )?an? hour\b", "15 minutes", text)
    text = re.sub(r"\b(?:a )?fortnight\b", "2 weeks", text)
    text = re.sub(r"\b(\w+) and a half (hours?|minutes?|days?)\b", r"\1 \2 and a half", text)
    parts: dict[str, int] = {}
    last_unit: str | None = None
    for chunk in re.split(r"\band\b", text):
        words = [
            word for word in chunk.split() if word not in ("about", "around", "roughly", "like", "another")
        ]
        if words in (["a", "half"], ["half"]) and last_unit is not None:
            _add_half(parts, last_unit)  # "an hour and a half"
            continue
        unit = _DURATION_UNITS.get(words[-1]) if words else None
        if unit is None:
            return None
        if words[:-1] == ["half"]:
            _add_half(parts, unit)
        else:
            count = number(" ".join(words[:-1])) if words[:-1] else 1
            if count is None:
                return None
            parts[unit] = parts.get(unit, 0) + count
        last_unit = unit
    if not parts or not any(parts.values()):
        return None
    date = "".join(f"{parts[u]}{u[0]}" for u in ("Y", "MO", "W", "D") if parts.get(u))
    time = "".join(f"{parts[u]}{u}" for u in ("H", "M", "S") if parts.get(u))
    return "P" + date + (f"T{time}" if time else "")


def _add_half(parts: dict[str, int], unit: str) -> None:
    smaller = {"D": ("H", 12), "H": ("M", 30), "M": ("S", 30)}.get(unit)
    if smaller is not None:
        parts[smaller[0]] = parts.get(smaller[0], 0) + smaller[1]


def spoken_time(heard: str) -> str | None:
    """ "eight", "8 pm", "ten thirty", "half past nine", "noon" -> "08:00", "20:00", "10:30", …"""
    text = " ".join(_words(re.sub(r"(?<=[0-9])\.(?=[0-9])", ":", heard).replace(".", "")))
    found = _CLOCK.fullmatch(text)
    if found:
        return f"{int(found[1]):02d}:{found[2]}"
    text = text.removeprefix("about ").removeprefix("around ")
    if text in ("noon", "midday", "twelve noon"):
        return "12:00"
    if text == "midnight":
        return "00:00"
    suffix = None
    for marker, meaning in (
        (" pm", "pm"),
        (" am", "am"),
        (" in the evening", "pm"),
        (" in the morning", "am"),
        (" at night", "pm"),
        (" tonight", "pm"),
        (" this evening", "pm"),
        (" in the afternoon", "pm"),
    ):
        if text.endswith(marker):
            text, suffix = text[: -len(marker)].strip(), meaning
    text = text.removesuffix(" o'clock").removesuffix(" oclock").removesuffix(" o clock")
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
        if _DIGITS.fullmatch(hours) and _DIGITS.fullmatch(minutes) and len(minutes) == 2:
            return int(hours), int(minutes)
        return None, 0
    for lead, offset in (("half past ", 30), ("quarter past ", 15), ("a quarter past ", 15), ("half ", 30)):
        if text.startswith(lead):
            return number(text[len(lead) :]), offset  # "half nine" is half past nine
    for lead in ("quarter to ", "a quarter to "):
        if text.startswith(lead):
            hour = number(text[len(lead) :])
            return (None if hour is None else (hour - 1) % 24), 45
    whole = number(text)
    if whole is not None:
        return whole, 0
    words = text.split()
    for split in range(1, len(words)):
        hour = number(" ".join(words[:split]))
        minute = number(" ".join(w for w in words[split:] if w not in ("oh", "o")))
        if hour is not None and minute is not None:
            return hour, minute
    return None, 0


def spoken_day(heard: str) -> str | None:
    """ "sunday", "Sundays", "sunday night" -> "sunday"; None when no day is named."""
    words = _words(heard)
    if not words:
        return None
    day = words[0].removesuffix("s")
    return (
        day
        if day in _DAYS and all(w in ("night", "nights", "evening", "evenings") for w in words[1:])
        else None
    )
