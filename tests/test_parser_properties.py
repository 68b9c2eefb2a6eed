"""Every parser of what a stranger or a speaker sends holds its contract for any input.

Hypothesis feeds each one arbitrary text (Unicode digits, surrogates, control characters,
very long words) and the shapes it is meant to read. A parser either gives a value in its
one format or says it is none (None, or its own refusal); it never raises anything else,
and what it gives is always ASCII digits in the platform's format.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogue import Event, Ports, Slot, intents, respond
from dialogue.flows.timed import clock_time
from dialogue.state import State
from skill.errors import BadRequest
from skill.nlu.values import spoken_day, spoken_duration, spoken_time
from skill.web.calendar import CalendarError, event_from_query, ics
from skill.web.translate import parse_turn
from tests.dialogue.conftest import MemoryJournal

ISO_DURATION = re.compile(
    r"P(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+W)?(?:[0-9]+D)?(?:T(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+S)?)?"
)
CLOCK = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")
DAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

# What arrives: anything, and text made of the pieces these parsers look for.
PIECES = [
    "two",
    "half",
    "an",
    "hour",
    "hours",
    "minutes",
    "90",
    "²",
    "٣",
    "past",
    "pm",
    "am",
    ":",
    ".",
    "-",
    "a",
    "fortnight",
    "quarter",
    "ten",
    "thirty",
    "sunday",
    "nights",
    "PT",
    "H",
    "\ud800",
    "\x00",
    "noon",
    "12",
]
any_text = st.one_of(st.text(max_size=60), st.lists(st.sampled_from(PIECES), max_size=8).map(" ".join))
PROFILE = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROFILE
@given(any_text)
def test_a_spoken_duration_is_iso_8601_in_ascii_digits_or_none(heard: str) -> None:
    value = spoken_duration(heard)
    assert value is None or (ISO_DURATION.fullmatch(value) and value.isascii() and value != "P")


@PROFILE
@given(any_text)
def test_a_spoken_time_is_a_clock_time_or_none(heard: str) -> None:
    value = spoken_time(heard)
    assert value is None or (CLOCK.fullmatch(value) and clock_time(value) is not None)
    # what the core reads from a TIME slot: a time of day in ASCII digits, or nothing
    assert clock_time(heard) is None or re.fullmatch(r"[0-9]{1,2}:[0-9]{2}", heard.strip())


@PROFILE
@given(any_text)
def test_a_spoken_day_is_a_day_name_or_none(heard: str) -> None:
    assert spoken_day(heard) in DAYS | {None}


@pytest.mark.parametrize(
    ("heard", "value"),
    [("two hours", "PT2H"), ("an hour and a half", "PT1H30M"), ("90 seconds", "PT90S"), ("² hours", None)],
)
def test_durations_read_as_alexa_sends_them(heard: str, value: str | None) -> None:
    assert spoken_duration(heard) == value


SLOT_INTENTS = {
    intents.CUDDLE: "duration",
    intents.START_EVENING: "duration",
    intents.HUG: "duration",
    intents.KEEP_CHECKINS: "duration",
    intents.SCHEDULE_CHECKIN: "time",
}


@PROFILE
@given(st.sampled_from(sorted(SLOT_INTENTS)), any_text, st.sampled_from(["until", "day", "time", "duration"]))
def test_any_slot_value_gets_a_spoken_reply_never_a_fault(intent: str, value: str, other: str) -> None:
    """Slot values as a platform may send them (Alexa's own formats, or anything at all)."""
    slots = {SLOT_INTENTS[intent]: Slot(value), other: Slot(value)}
    ports = Ports(clock=lambda: datetime(2026, 12, 2, 20, 0, tzinfo=UTC), journal=MemoryJournal())
    ports.time_zone = lambda: "Europe/Berlin"
    _state, reply = respond(State(), Event(intent, slots, new_session=True), ports)
    assert reply.speech


query_values = st.one_of(
    any_text,
    st.from_regex(r"20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]", fullmatch=True),
    st.sampled_from(["WEEKLY", "DAILY", "SU,MO", "1", "52", "53", "Europe/Berlin", "UTC", "Asia/Kolkata"]),
)


@PROFILE
@given(
    st.dictionaries(
        st.sampled_from(["start", "summary", "id", "tz", "freq", "interval", "days"]), query_values
    )
)
def test_calendar_parameters_give_a_calendar_file_or_a_reason(query: dict[str, str]) -> None:
    try:
        event = event_from_query(query)
    except CalendarError as error:
        assert str(error)
        return
    text = ics(event)
    assert text.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=8,
)
turn_keys = ["session_id", "utterance", "intent", "slots", "launch", "locale", "time_zone", "elicit"]


@PROFILE
@given(st.dictionaries(st.sampled_from(turn_keys), json_values) | json_values)
def test_a_web_turn_body_is_read_or_refused_with_a_reason(body: Any) -> None:
    try:
        parse_turn(body)
    except BadRequest as error:
        assert error.status == 400 and error.reason
