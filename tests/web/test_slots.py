"""Typed words become the built-in slot values Alexa's NLU would send."""

from __future__ import annotations

import pytest

from skill.web.slots import DURATION, TIME, clock_time, duration, resolve


@pytest.mark.parametrize(
    ("words", "iso"),
    [
        ("two hours", "PT2H"),
        ("an hour and a half", "PT1H30M"),
        ("half an hour", "PT30M"),
        ("a minute", "PT1M"),
        ("forty five minutes", "PT45M"),
        ("90 seconds", "PT90S"),
        ("one hour and twenty minutes", "PT1H20M"),
        ("2 days", "P2D"),
        ("PT15M", "PT15M"),
        ("bananas", None),
        ("two", None),
    ],
)
def test_durations_in_words_become_iso_8601(words: str, iso: str | None) -> None:
    assert duration(words) == iso


@pytest.mark.parametrize(
    ("words", "clock"),
    [
        ("eight", "08:00"),
        ("8 pm", "20:00"),
        ("ten thirty pm", "22:30"),
        ("half past nine", "09:30"),
        ("quarter to eight", "07:45"),
        ("nine oh five", "09:05"),
        ("noon", "12:00"),
        ("22:00", "22:00"),
        ("twelve am", "00:00"),
        ("twenty five o'clock", None),
        ("soon", None),
    ],
)
def test_times_in_words_become_clock_times(words: str, clock: str | None) -> None:
    assert clock_time(words) == clock


def test_unreadable_values_pass_through_as_alexa_passes_them() -> None:
    assert resolve(DURATION, "a while") == "a while"
    assert resolve(TIME, "evening") == "evening"
    assert resolve("AMAZON.FirstName", "sam") == "sam"
