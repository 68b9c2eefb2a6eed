"""Understanding is measured on the corpus people wrote, never on the grammar's own sentences."""

from __future__ import annotations

from collections import Counter

from tests.nlu.report import MIN_ACCURACY, MIN_REJECTION, OFF_TOPIC, load, recogniser, report, run, summarise

FREE_TEXT_STEPS = ("checkin.answering", "checkin_names.ask_name")


def test_the_corpus_is_big_and_varied_enough_to_mean_something() -> None:
    lines = load()
    assert len(lines) >= 500
    menu = Counter(line.intent for line in lines if line.where == "home.menu" and line.intent != OFF_TOPIC)
    thin = sorted(
        intent for intent, count in menu.items() if count < 10 and intent != "AMAZON.NavigateHomeIntent"
    )
    assert thin == [], "menu intents with fewer than 10 lines"
    assert sum(line.intent == OFF_TOPIC for line in lines) >= 60
    assert sum(line.where in FREE_TEXT_STEPS for line in lines) >= 60
    assert {line.locale for line in lines} == {"en-US", "en-GB", "en-CA", "en-AU", "en-IN"}


def test_people_are_understood_as_they_speak() -> None:
    verdicts = run(recogniser())
    summary = summarise(verdicts)
    assert summary.accuracy >= MIN_ACCURACY, report(verdicts, misses_only=True)
    assert summary.rejection >= MIN_REJECTION, report(verdicts, misses_only=True)
