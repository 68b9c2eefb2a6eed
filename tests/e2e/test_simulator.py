"""The simulator page in real headless Chromium against a real server and a real SQLite file.

What a person sees: replies in the conversation, the card, the suggestion chips, the hug's
countdown, a timer's time left (and its end), the check-in played back, the .ics file.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.web.test_turn import parse_ics

ANSWER = "the long walk we took on sunday"


def say(page: Any, words: str) -> Any:
    """Type words and press Enter; returns the new reply bubble."""
    replies = page.locator(".bubble.skill:not(.reprompt)")
    before = replies.count()
    page.fill("#say", words)
    page.press("#say", "Enter")
    expect(replies).to_have_count(before + 1)
    return replies.nth(before)


def test_a_question_round_with_its_card_and_a_suggestion_chip(page: Any) -> None:
    reply = say(page, "a question about family")
    expect(reply).to_contain_text("family")
    card = reply.locator(".card")
    expect(card).to_be_visible()
    first_question = card.locator("p").inner_text()
    assert first_question.endswith("?") and first_question in reply.locator(".words").inner_text()
    expect(page.locator(".bubble.you").last).to_contain_text("heard as AskQuestionIntent")
    chip = page.get_by_role("button", name="another one", exact=True)
    expect(chip).to_be_visible()
    chip.click()
    second = page.locator(".bubble.skill .card").nth(1)
    expect(second).to_be_visible()
    assert second.locator("p").inner_text() != first_question
    expect(page.locator("#log")).to_have_attribute("aria-live", "polite")


def test_pauses_are_kept_for_real_even_with_speaking_off(page: Any) -> None:
    with page.expect_response(re.compile(r"/web/turn$")) as answered:
        page.fill("#say", "a question about our relationship")
        page.press("#say", "Enter")
    reply = answered.value.json()
    started = time.monotonic()
    pauses = sum(int(part.get("pause", 0)) for part in reply["segments"])
    assert 1000 <= pauses < 20_000, "a question's short pauses"
    expect(page.locator("body")).to_have_attribute("data-playing", "false", timeout=pauses + 5000)
    waited = (time.monotonic() - started) * 1000
    assert waited >= pauses * 0.8, f"played in {waited:.0f} ms, but the pauses add up to {pauses} ms"


def test_speaking_finishes_even_when_the_browser_never_says_it_is_done(
    browser: Any, live_server: str
) -> None:
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        # A speechSynthesis that swallows every utterance: no onend, no onerror, ever.
        page.add_init_script("window.speechSynthesis.speak = function () {};")
        page.goto(f"{live_server}/")  # speaking on
        expect(page.locator("#speak-replies")).to_be_checked()
        say(page, "stop")
        expect(page.locator("body")).to_have_attribute("data-playing", "true")
        expect(page.locator("body")).to_have_attribute("data-playing", "false", timeout=30_000)
    finally:
        context.close()


def test_a_hug_counts_its_quiet_down_on_screen(page: Any) -> None:
    say(page, "start a hug")
    countdown = page.locator("#countdown")
    expect(countdown).to_be_visible(timeout=5000)
    expect(countdown).to_have_attribute("role", "timer")
    expect(page.locator("#countdown-label")).to_have_text("Quiet time")  # the listening exercise's too
    seconds = page.locator("#countdown-seconds")
    first = int(seconds.inner_text())
    assert 15 <= first <= 20
    expect(seconds).not_to_have_text(str(first), timeout=3000)
    assert int(seconds.inner_text()) < first
    expect(page.locator("body")).to_have_attribute("data-chimes", "1")  # the chime before the quiet
    page.get_by_role("button", name="New session").click()  # stopping mid-hug stops the count
    expect(countdown).to_be_hidden()


def test_a_tech_free_evening_shows_its_time_left_until_cancelled(page: Any) -> None:
    say(page, "start a tech free evening for two hours")
    timer = page.locator("#timers li")
    expect(timer).to_have_count(1)
    expect(timer).to_contain_text("Tech-free evening")
    expect(timer).to_contain_text(re.compile(r"1:59:[0-5]\d left|2:00:00 left"))
    expect(page.locator("#no-timers")).to_be_hidden()
    reply = say(page, "end the tech free evening")
    expect(reply).to_contain_text("over")
    expect(timer).to_have_count(0)
    expect(page.locator("#no-timers")).to_be_visible()


def test_a_timer_that_runs_out_chimes_and_says_so(browser: Any, live_server: str) -> None:
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.clock.install()
        page.goto(f"{live_server}/?mute=1")
        expect(page.locator("#chips button").first).to_be_visible()
        say(page, "start a tech free evening for an hour")
        expect(page.locator("#timers li")).to_contain_text("59:")
        chimes = int(page.locator("body").get_attribute("data-chimes") or 0)
        page.clock.fast_forward("01:00:05")
        announcement = page.locator(".bubble.announcement")
        expect(announcement).to_contain_text("Welcome back")
        expect(page.locator("#timers li")).to_have_count(0)
        assert int(page.locator("body").get_attribute("data-chimes") or 0) > chimes
    finally:
        context.close()


def test_a_check_in_answered_in_the_page_is_played_back(page: Any) -> None:
    say(page, "start our check in")
    expect(say(page, "my name is Sam")).to_contain_text("Sam")
    say(page, "yes")
    first = say(page, "just me")
    expect(first).to_contain_text("Sam")
    saved = say(page, ANSWER)  # a bare answer: it fills the elicited slot, as on Alexa
    expect(saved).to_contain_text(re.compile("Saved|kept"))
    expect(page.locator(".bubble.you").last).to_contain_text("heard as AnswerIntent")
    expect(say(page, "pause")).to_contain_text("saved")
    expect(say(page, "what did we say last week")).to_contain_text("Is that okay")
    played = say(page, "yes")
    expect(played.locator(".words")).to_contain_text(ANSWER)
    expect(played.locator(".card")).to_contain_text(ANSWER)


def test_a_weekly_reminder_downloads_as_an_ics(page: Any, tmp_path: Path) -> None:
    say(page, "remind us every sunday at eight")
    link = page.get_by_role("link", name=re.compile("Add to your calendar"))
    expect(link).to_be_visible()
    expect(page.locator("#reminders")).to_contain_text("Every Sunday")
    with page.expect_download() as downloading:
        link.click()
    download = downloading.value
    assert download.suggested_filename.endswith(".ics")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    ics = parse_ics(saved.read_bytes().decode("utf-8"))
    assert ics["BEGIN"][0] == "VCALENDAR" and "VEVENT" in ics["BEGIN"]
    assert ics["RRULE"][-1] == "FREQ=WEEKLY;INTERVAL=1;BYDAY=SU"
    [start] = ics["DTSTART;TZID=Europe/Berlin"]
    assert start.endswith("T200000")


def test_keyboard_only_use_and_a_phone_sized_screen(page: Any) -> None:
    page.locator("#say").focus()
    page.keyboard.type("what categories are there")
    page.keyboard.press("Enter")
    expect(page.locator(".bubble.skill").last).to_contain_text("family")
    chip = page.get_by_role("button", name="family", exact=True)
    chip.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".bubble.skill .card").last).to_be_visible()
    page.locator("#say").focus()
    page.keyboard.press("Tab")  # to the Send button, by keyboard: its focus ring must show
    focused = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.textContent.trim(), s.outlineStyle, s.outlineWidth]; })()"
    )
    assert focused == ["Send", "solid", "3px"]
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], "no sideways scrolling on a phone"
    expect(page.get_by_label("What you would say")).to_be_visible()
    expect(page.get_by_role("button", name="Speak")).to_be_visible()  # this Chromium has recognition


def test_the_microphone_button_is_hidden_without_speech_recognition(browser: Any, live_server: str) -> None:
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.add_init_script("delete window.webkitSpeechRecognition; delete window.SpeechRecognition;")
        page.goto(f"{live_server}/?mute=1")
        expect(page.locator("#chips button").first).to_be_visible()
        expect(page.locator("#mic")).to_be_hidden()
        expect(page.get_by_role("button", name="Send")).to_be_visible()
    finally:
        context.close()
