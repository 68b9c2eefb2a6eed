"""The terminal chat: typed words through POST /web/turn, the reply played as the browser plays it.

Time is faked (a clock that moves when the chat sleeps, timers the test fires), so a hug's
20 seconds are asserted, not waited. The command runs end to end through click's runner;
one test talks to a real `flask run` server over HTTP.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from flask import Flask

from skill import cli
from skill.cli import ChatClient, InProcess, Transport, base_url, local_locale, local_time_zone
from skill.storage import HouseholdKey
from tests.conftest import TEST_ANSWER_KEY, served_environment
from tests.skill.test_serving import ROOT, free_port

SESSION = "terminal-chat-session-0001"
ZONE = "Europe/Berlin"
COUNTDOWN = re.compile(r"… (\d+) s")


class FakeTime:
    """A clock that moves only when the chat sleeps; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


class FakeTimer:
    """A background timer the test fires by hand."""

    def __init__(self, seconds: float, ring: Callable[[], None]) -> None:
        self.seconds = seconds
        self.ring = ring
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def fire(self) -> None:
        """The timer's time is up (called even when cancelled, to prove nothing rings then)."""
        self.ring()


class FakeTimers:
    def __init__(self) -> None:
        self.started: list[FakeTimer] = []

    def start(self, seconds: float, ring: Callable[[], None]) -> FakeTimer:
        timer = FakeTimer(seconds, ring)
        self.started.append(timer)
        return timer


class Recording:
    """A transport that remembers every request the chat made."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.posted: list[tuple[str, dict[str, Any]]] = []
        self.fetched: list[str] = []

    def post_json(self, path: str, body: dict[str, Any]) -> cli.Answer:
        self.posted.append((path, body))
        return self.inner.post_json(path, body)

    def get(self, path: str) -> cli.Answer:
        self.fetched.append(path)
        return self.inner.get(path)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def timers() -> FakeTimers:
    return FakeTimers()


@pytest.fixture
def web_app(make_app: Any, sqlite_url: str) -> Flask:
    built: Flask = make_app({"DATABASE_URL": sqlite_url, "WEB_SIMULATOR": True})
    return built


@pytest.fixture
def printed() -> list[str]:
    return []


@pytest.fixture
def transport(web_app: Flask) -> Recording:
    return Recording(InProcess(web_app))


@pytest.fixture
def chat(
    transport: Recording,
    tmp_path: Path,
    printed: list[str],
    fake_time: FakeTime,
    timers: FakeTimers,
    amazon: responses.RequestsMock,
) -> Iterator[ChatClient]:
    client = ChatClient(
        transport,
        SESSION,
        time_zone=ZONE,
        ics_dir=tmp_path / "calendar",
        write=printed.append,
        sleep=fake_time.sleep,
        clock=fake_time.clock,
        start_timer=timers.start,
    )
    yield client
    assert len(amazon.calls) == 0, "the chat never calls Amazon's APIs"


def countdown(output: str) -> list[int]:
    return [int(seconds) for seconds in COUNTDOWN.findall(output)]


# --- the command, end to end -------------------------------------------------------------------


@pytest.fixture
def faked_command(monkeypatch: pytest.MonkeyPatch, fake_time: FakeTime, timers: FakeTimers) -> None:
    """The chat command's waits and timers, faked."""
    monkeypatch.setattr(cli, "sleep_for", fake_time.sleep)
    monkeypatch.setattr(cli, "now", fake_time.clock)
    monkeypatch.setattr(cli, "start_background_timer", timers.start)


def test_the_chat_command_plays_a_hug_through_the_web_turn_endpoint(
    web_app: Flask, faked_command: None, fake_time: FakeTime, amazon: responses.RequestsMock
) -> None:
    result = web_app.test_cli_runner().invoke(
        args=["chat", "--session", SESSION, "--time-zone", ZONE],
        input="open heart to heart\nstart a hug\nstop\n",
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert SESSION in out
    assert "Welcome to Heart to Heart" in out
    # The count-in, a chime, the quiet counted down on one line from 20 to 1, a chime, the close.
    hug = out[out.index("\a(chime)") :]
    quiet = hug.index("(20 s of quiet)")
    assert hug.index("… 20 s") < quiet < hug.index("\a(chime)", quiet) < hug.index("20 seconds", quiet)
    assert countdown(hug) == list(range(20, 0, -1))
    assert "\r" in hug, "the countdown updates one line"
    assert "(session ended)" in out
    assert 20 <= sum(fake_time.slept) < 25, "20 s of quiet and the short pauses between sentences"
    # It is the browser-style household, on the web platform, never an Alexa request.
    store = web_app.extensions["store"]
    assert store.load_state(HouseholdKey("web", SESSION)) is not None
    assert len(amazon.calls) == 0


def test_the_chat_command_starts_a_new_household_each_run_and_stops_its_timers_at_the_end(
    web_app: Flask, faked_command: None, timers: FakeTimers
) -> None:
    runner = web_app.test_cli_runner()
    first = runner.invoke(args=["chat"], input="start a tech free evening\n")
    second = runner.invoke(args=["chat"], input="open heart to heart\n")
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    ids = [re.search(r"household session (\S+)", run.output) for run in (first, second)]
    assert all(found is not None for found in ids)
    first_id, second_id = (found.group(1) for found in ids if found is not None)
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", first_id) and first_id != second_id
    # The evening's timer ran in the chat; it ends with it, and says so.
    assert "Tech-free evening timer: 2:00:00" in first.output
    assert "Tech-free evening timer stopped with the chat" in first.output
    assert [timer.cancelled for timer in timers.started] == [True]


@pytest.mark.parametrize("session", ["short", "has spaces in it, sixteen+", "x" * 65])
def test_the_chat_command_refuses_a_malformed_session_id(web_app: Flask, session: str) -> None:
    result = web_app.test_cli_runner().invoke(args=["chat", "--session", session], input="")
    assert result.exit_code == 2
    assert "--session" in result.output


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
        ("http://127.0.0.1:5000/", "http://127.0.0.1:5000"),
        ("http://127.0.0.1:5000/web/turn", "http://127.0.0.1:5000"),
        ("http://127.0.0.1:5000/web/turn/", "http://127.0.0.1:5000"),
        ("http://127.0.0.1:5000/alexa", "http://127.0.0.1:5000"),
        ("localhost:8000", "http://localhost:8000"),
        ("https://example.org/hearts/web/turn", "https://example.org/hearts"),
    ],
)
def test_the_url_is_a_base_url_or_its_web_turn(given: str, base: str) -> None:
    assert base_url(given) == base


def test_a_url_that_is_not_http_is_refused() -> None:
    with pytest.raises(ValueError):
        base_url("ftp://127.0.0.1/web/turn")


# --- what is sent ---------------------------------------------------------------------------


def test_each_turn_is_the_page_s_request_and_echoes_the_elicit(
    chat: ChatClient, transport: Recording
) -> None:
    chat.say("open heart to heart")
    asked = chat.say("start our check in")
    assert asked.reply["elicit"] is not None, "the check-in asks for a name"
    chat.say("sam")
    first, second, third = (body for _path, body in transport.posted)
    assert {path for path, _body in transport.posted} == {"/web/turn"}
    assert first == {
        "session_id": SESSION,
        "utterance": "open heart to heart",
        "elicit": None,
        "time_zone": ZONE,
    }
    assert second["elicit"] is None
    assert third == {
        "session_id": SESSION,
        "utterance": "sam",
        "elicit": asked.reply["elicit"],
        "time_zone": ZONE,
    }


def test_without_a_time_zone_none_is_sent(web_app: Flask, printed: list[str]) -> None:
    transport = Recording(InProcess(web_app))
    ChatClient(transport, SESSION, write=printed.append).say("open heart to heart")
    assert "time_zone" not in transport.posted[0][1]


def test_an_intent_can_be_sent_as_alexa_would_have_heard_it(chat: ChatClient, transport: Recording) -> None:
    turn = chat.send_intent("HugIntent", {"duration": "one minute"})
    assert transport.posted[0][1]["intent"] == "HugIntent"
    assert 60.0 in turn.quiet


# --- playing the reply ----------------------------------------------------------------------


def test_a_hug_is_twenty_seconds_of_quiet_between_chimes(
    chat: ChatClient, printed: list[str], fake_time: FakeTime
) -> None:
    chat.say("open heart to heart")
    printed.clear()
    fake_time.slept.clear()
    turn = chat.say("start a hug")
    out = "".join(printed)
    assert max(turn.quiet) == 20.0
    assert [seconds for seconds in turn.quiet if seconds >= 1] == [20.0], "one quiet, the rest short pauses"
    assert sum(fake_time.slept) == pytest.approx(sum(turn.quiet)), "every pause is really waited"
    assert countdown(out) == list(range(20, 0, -1))
    assert out.count("\a(chime)") == 2, "a chime to start and one to end"
    assert out.index("\a(chime)") < out.index("… 20 s") < out.rindex("\a(chime)")
    assert "20 seconds" in out[out.index("(20 s of quiet)") :] and not turn.ended


def test_a_one_minute_hug_is_sixty_seconds_of_quiet(
    chat: ChatClient, printed: list[str], fake_time: FakeTime
) -> None:
    turn = chat.say("a one minute hug")
    assert turn.reply["heard"]["intent"] == "HugIntent"
    assert [seconds for seconds in turn.quiet if seconds >= 1] == [60.0]
    assert sum(fake_time.slept) == pytest.approx(sum(turn.quiet))
    out = "".join(printed)
    assert countdown(out) == list(range(60, 0, -1))
    assert "(60 s of quiet)" in out


def test_pauses_in_a_row_are_one_quiet_counted_down_once(
    chat: ChatClient, printed: list[str], fake_time: FakeTime
) -> None:
    # As SSML writes a long quiet: breaks of ten seconds at most, one after another.
    quiet = chat.play(
        [{"say": "Starting now."}, *[{"pause": 10_000}] * 6, {"sound": "chime"}, {"say": "Done."}]
    )
    assert quiet == [60.0]
    assert sum(fake_time.slept) == pytest.approx(60.0)
    assert countdown("".join(printed))[0] == 60


def test_a_short_pause_is_waited_without_a_countdown(
    chat: ChatClient, printed: list[str], fake_time: FakeTime
) -> None:
    assert chat.play([{"say": "One."}, {"pause": 400}, {"say": "Two."}]) == [0.4]
    assert fake_time.slept == [0.4]
    assert "".join(printed) == "alexa> One. Two.\n"


# --- effects, carried out locally ---------------------------------------------------------------


def test_a_bedtime_cuddle_rings_with_its_announcement_when_its_timer_ends(
    chat: ChatClient, printed: list[str], timers: FakeTimers
) -> None:
    turn = chat.say("start a bedtime cuddle")
    (effect,) = turn.reply["effects"]
    (timer,) = timers.started
    assert timer.seconds == 600 and effect["type"] == "timer"
    assert "Bedtime cuddle timer: 10:00" in "".join(printed)
    assert "\a" not in "".join(printed), "nothing rings before the end"
    # The skill, not the chat, answers how long is left: from its stored end time.
    assert "10 minutes left" in chat.say("how long is left").speech
    printed.clear()
    timer.fire()
    rung = "".join(printed)
    assert "Bedtime cuddle is over" in rung
    assert f"\a(chime) {effect['announce']}" in rung
    assert chat.timers == {}


def test_cancel_it_stops_the_cuddle_timer_so_it_never_rings(
    chat: ChatClient, printed: list[str], timers: FakeTimers
) -> None:
    chat.say("start a bedtime cuddle")
    turn = chat.say("cancel it")
    assert [effect["type"] for effect in turn.reply["effects"]] == ["cancel_timer"]
    (timer,) = timers.started
    assert timer.cancelled and chat.timers == {}
    assert "(Bedtime cuddle timer stopped)" in "".join(printed)
    printed.clear()
    timer.fire()  # even a timer thread already past its wait stays silent
    assert printed == []


def test_ending_the_tech_free_evening_cancels_its_timer(
    chat: ChatClient, printed: list[str], timers: FakeTimers
) -> None:
    started = chat.say("start a tech free evening")
    assert started.reply["effects"][0]["duration_seconds"] == 2 * 3600
    ended = chat.say("end the tech free evening")
    assert "welcome back" in ended.speech.lower()
    (timer,) = timers.started
    assert timer.cancelled and chat.timers == {}
    printed.clear()
    timer.fire()
    assert printed == []


def test_a_new_timer_for_the_same_purpose_replaces_the_old_one(chat: ChatClient, timers: FakeTimers) -> None:
    chat.say("start a bedtime cuddle")
    chat.say("start a bedtime cuddle")
    first, second = timers.started
    assert first.cancelled and not second.cancelled
    assert len(chat.timers) == 1


def test_a_weekly_reminder_is_saved_as_the_page_s_ics_file(
    chat: ChatClient, printed: list[str], transport: Recording, tmp_path: Path
) -> None:
    turn = chat.say("remind us every sunday at eight")
    (effect,) = turn.reply["effects"]
    assert effect["type"] == "reminder"
    assert transport.fetched == [effect["calendar_url"]], "the same URL the page's download link has"
    (saved,) = turn.files
    assert saved.parent == tmp_path / "calendar" and saved.suffix == ".ics"
    text = saved.read_text()
    assert "RRULE:FREQ=WEEKLY" in text and "BYDAY=SU" in text
    assert f"DTSTART;TZID={ZONE}:" in text
    assert str(saved) in "".join(printed)
    off = chat.say("stop reminding us")
    assert [effect["type"] for effect in off.reply["effects"]] == ["cancel_reminder"]
    assert "the reminder is off" in "".join(printed)


# --- the local time zone ---------------------------------------------------------------------


def test_the_time_zone_comes_from_tz_or_etc_localtime(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    assert local_time_zone({"TZ": "America/New_York"}, etc) == "America/New_York"
    assert local_time_zone({"TZ": ":Asia/Tokyo"}, etc) == "Asia/Tokyo"
    assert local_time_zone({}, etc) is None
    (etc / "localtime").symlink_to("/usr/share/zoneinfo/Europe/Berlin")
    assert local_time_zone({"TZ": "Not/AZone"}, etc) == "Europe/Berlin"
    (etc / "localtime").unlink()
    (etc / "timezone").write_text("Australia/Sydney\n")
    assert local_time_zone({}, etc) == "Australia/Sydney"


# --- over HTTP, against a running server -----------------------------------------------------


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """`flask --app skill run` on a free port, its own SQLite file, the simulator on."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **served_environment(),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'server.sqlite3'}",
        "ANSWER_KEYS": TEST_ANSWER_KEY,
        "WEB_SIMULATOR": "true",
        "ALEXA_VERIFY_SIGNATURES": "false",
        "PYTHONPATH": str(ROOT),
    }
    log_path = tmp_path / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "skill",
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, log_path.read_text(errors="replace")
                assert time.monotonic() < deadline, log_path.read_text(errors="replace")
                try:
                    if requests.get(f"{url}/readyz", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_the_chat_talks_to_a_running_server_over_http(
    server: str, web_app: Flask, make_app: Any, tmp_path: Path
) -> None:
    result = web_app.test_cli_runner().invoke(
        args=[
            "chat",
            "--url",
            f"{server}/web/turn",
            "--session",
            SESSION,
            "--ics-dir",
            str(tmp_path / "ics"),
        ],
        input="open heart to heart\nremind us every sunday at eight\n",
    )
    assert result.exit_code == 0, result.output
    assert f"{server}/web/turn" in result.output
    assert "Welcome to Heart to Heart" in result.output
    (saved,) = (tmp_path / "ics").glob("*.ics")
    assert "RRULE:FREQ=WEEKLY" in saved.read_text() and str(saved) in result.output
    # The household lives in the server's database, not in the app the command ran in.
    on_server = make_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'server.sqlite3'}", "AUTO_MIGRATE": False})
    assert on_server.extensions["store"].load_state(HouseholdKey("web", SESSION)) is not None
    assert web_app.extensions["store"].load_state(HouseholdKey("web", SESSION)) is None


def test_a_server_that_is_not_there_is_said_so(web_app: Flask) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = web_app.test_cli_runner().invoke(args=["chat", "--url", url], input="open heart to heart\n")
    assert result.exit_code == 0, result.output
    assert f"[could not reach {url}: ConnectionError]" in result.output


def test_the_chat_speaks_for_the_terminals_country_so_the_helplines_are_its_own(
    web_app: Flask, faked_command: None
) -> None:
    assert local_locale({"LANG": "en_GB.UTF-8"}) == "en-GB"
    assert local_locale({"LC_ALL": "en_IN", "LANG": "en_GB.UTF-8"}) == "en-IN"
    assert local_locale({"LANG": "fr_FR.UTF-8"}) == local_locale({}) == "en-US"
    runner = web_app.test_cli_runner()
    result = runner.invoke(
        args=["chat", "--locale", "en-GB"], input="open heart to heart\nI'm scared of him\n"
    )
    assert result.exit_code == 0, result.output
    assert "call 9 9 9" in result.output and "0 8 0 8, 2 0 0 0, 2 4 7" in result.output
    refused = runner.invoke(args=["chat", "--locale", "fr-FR"], input="")
    assert refused.exit_code != 0 and "en-GB" in refused.output
