"""Typed words become the built-in slot values Alexa's NLU would send."""

from __future__ import annotations

import pytest

from skill.nlu.values import DAY, DURATION, TIME, resolve, spoken_day, spoken_duration, spoken_time


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
    assert spoken_duration(words) == iso


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
    assert spoken_time(words) == clock


@pytest.mark.parametrize(
    ("words", "iso"),
    [
        ("thirty seconds", "PT30S"),
        ("a minute and a half", "PT1M30S"),
        ("one and a half hours", "PT1H30M"),
        ("half an hour", "PT30M"),
        ("a quarter of an hour", "PT15M"),
        ("an hour", "PT1H"),
        ("hour", "PT1H"),
        ("2hrs", "PT2H"),
        ("30 mins", "PT30M"),
        ("a couple of hours", "PT2H"),
        ("forty-five minutes", "PT45M"),
        ("about twenty minutes", "PT20M"),
        ("² hours", None),
        ("PT²H", None),
        ("a while", None),
    ],
)
def test_more_ways_of_saying_a_duration(words: str, iso: str | None) -> None:
    assert spoken_duration(words) == iso


@pytest.mark.parametrize(
    ("words", "clock"),
    [
        ("nine", "09:00"),
        ("9:30 pm", "21:30"),
        ("9.30pm", "21:30"),
        ("9pm", "21:00"),
        ("half past ten", "10:30"),
        ("half nine", "09:30"),
        ("a quarter past eight", "08:15"),
        ("ten o'clock", "10:00"),
        ("eight in the evening", "20:00"),
        ("eleven tonight", "23:00"),
        ("midnight", "00:00"),
        ("8:²", None),
        ("²:30", None),
        ("9:3", None),
        ("later", None),
    ],
)
def test_more_ways_of_saying_a_time(words: str, clock: str | None) -> None:
    assert spoken_time(words) == clock


@pytest.mark.parametrize(
    ("words", "day"),
    [
        ("sunday", "sunday"),
        ("Sundays", "sunday"),
        ("friday night", "friday"),
        ("wednesday evenings", "wednesday"),
        ("someday", None),
        ("the weekend", None),
    ],
)
def test_days_of_the_week(words: str, day: str | None) -> None:
    assert spoken_day(words) == day


def test_values_that_do_not_read_as_their_kind_are_refused() -> None:
    assert resolve(DURATION, "a while") is None
    assert resolve(TIME, "evening") is None
    assert resolve(DAY, "tomorrow") is None
    assert resolve("AMAZON.FirstName", "sam") == "sam"
