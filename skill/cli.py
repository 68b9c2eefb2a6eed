"""Operator commands: `flask --app skill chat` talks to the skill from a terminal.

The chat is one more browser-style household on the simulator's JSON turn endpoint
(`POST /web/turn`, documented in skill.web): it sends what you type with the body the page
sends, `{"session_id", "utterance", "elicit", "time_zone"}`, and plays the reply as the
page does (skill/web/static/simulator.js): the words are printed, pauses are really kept
(a hug's quiet is counted down on one line) and sounds ring the terminal bell. The
reply's effects (skill.web.effects) are carried out here, as the page carries them out:

| effect            | the chat                                                                |
|-------------------|-------------------------------------------------------------------------|
| `timer`           | runs in the background; at its end rings the bell and prints `announce` |
| `cancel_timer`    | stops that timer, so it never rings                                     |
| `reminder`        | saves the page's .ics (`GET` of its `calendar_url`) and prints the path |
| `cancel_reminder` | says the reminder is off (a calendar entry is the household's own)      |

"How long is left" and "cancel it" are answered by the skill from its stored state; the
chat only keeps the local clock. In process by default, on a fresh app over the current
app's database with the simulator on; `--url` talks to a running server over HTTP. Nothing
here calls Amazon.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from dialogue.speech import Say, to_text
from skill.storage import HouseholdKey

TURN_PATH = "/web/turn"
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
COUNTDOWN_FROM_MS = 20_000  # quiet this long is a hug's: counted down, as the page does
BELL = "\a"
CHIME = "(chime)"
YOU = "you> "
SKILL = "alexa> "
MORE = " " * len(SKILL)  # where the rest of a reply goes after a countdown
_SAFE_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.ics$")
_FILENAME = re.compile(r'filename="?([^";]+)"?')


def speech_text(ssml: str) -> str:
    """What Alexa would say, without the SSML tags."""
    return to_text((Say(html.unescape(re.sub(r"<[^>]+>", " ", ssml))),))


# --- talking to the skill: in process or over HTTP ---------------------------------------------


class ChatError(Exception):
    """The skill could not be reached; the message is for the person at the terminal."""


@dataclass(frozen=True)
class Answer:
    """One HTTP answer, whichever way it came."""

    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        """The body as a JSON object ({} when it is not one)."""
        try:
            data = json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return {}
        return data if isinstance(data, dict) else {}


class Transport(Protocol):
    """How the chat reaches the web endpoints."""

    def post_json(self, path: str, body: dict[str, Any]) -> Answer:
        """POST a JSON body to `path` (e.g. /web/turn)."""

    def get(self, path: str) -> Answer:
        """GET `path`, a path with its query string (e.g. a reminder's calendar_url)."""


class InProcess:
    """The app's test client: no server, no network."""

    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()

    def post_json(self, path: str, body: dict[str, Any]) -> Answer:
        result = self.client.post(path, json=body)
        return Answer(result.status_code, result.get_data(), dict(result.headers))

    def get(self, path: str) -> Answer:
        result = self.client.get(path)
        return Answer(result.status_code, result.get_data(), dict(result.headers))


def base_url(url: str) -> str:
    """The server's base URL from what was given: http://host:port, …/web/turn or (as before) …/alexa."""
    given = url.strip()
    if "://" not in given:
        given = f"http://{given}"
    parts = urlsplit(given)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {url!r}")
    path = parts.path.rstrip("/")
    for tail in (TURN_PATH, "/alexa"):
        if path.endswith(tail):
            path = path[: -len(tail)]
            break
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class OverHttp:
    """A running server's endpoints, over HTTP (`flask run`, gunicorn, a container)."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.base = base_url(url)
        self.timeout = timeout

    def post_json(self, path: str, body: dict[str, Any]) -> Answer:
        return self._call("POST", path, body)

    def get(self, path: str) -> Answer:
        return self._call("GET", path, None)

    def _call(self, method: str, path: str, body: dict[str, Any] | None) -> Answer:
        import requests  # only the chat over HTTP needs it

        try:
            result = requests.request(method, self.base + path, json=body, timeout=self.timeout)
        except requests.RequestException as error:
            raise ChatError(f"could not reach {self.base}: {type(error).__name__}") from error
        return Answer(result.status_code, result.content, dict(result.headers))


# --- the local clock: waits and background timers ---------------------------------------------


class TimerHandle(Protocol):
    """A started background timer."""

    def cancel(self) -> None:
        """Stop it; its function is not called."""


StartTimer = Callable[[float, Callable[[], None]], TimerHandle]


def sleep_for(seconds: float) -> None:
    """Wait for real (the chat command's default; tests pass their own)."""
    time.sleep(seconds)


def now() -> float:
    """A monotonic clock in seconds (the chat command's default)."""
    return time.monotonic()


def start_background_timer(seconds: float, ring: Callable[[], None]) -> TimerHandle:
    """Call `ring` after `seconds` on a daemon thread (it never keeps the chat from exiting)."""
    timer = threading.Timer(seconds, ring)
    timer.daemon = True
    timer.start()
    return timer


@dataclass
class LocalTimer:
    """A timer effect running in the terminal."""

    id: str
    purpose: str
    label: str
    announce: str
    ends_at: float
    handle: TimerHandle


def local_time_zone(environ: Mapping[str, str] | None = None, etc: Path = Path("/etc")) -> str | None:
    """This computer's IANA time zone when it is cheap to tell: TZ, /etc/localtime's link, /etc/timezone."""
    env = os.environ if environ is None else environ
    candidates = [env.get("TZ", "").lstrip(":")]
    try:
        candidates.append(os.path.realpath(etc / "localtime"))
    except OSError:
        pass
    try:
        candidates.append((etc / "timezone").read_text(encoding="utf-8").strip())
    except (OSError, UnicodeDecodeError):
        pass
    for candidate in candidates:
        name = candidate.rsplit("zoneinfo/", 1)[-1]
        name = re.sub(r"^(?:posix|right)/", "", name)
        if valid_time_zone(name):
            return name
    return None


def valid_time_zone(name: str) -> bool:
    """Whether `name` is an IANA zone the endpoint accepts ("Europe/Berlin")."""
    if not name or len(name) > 64 or name.startswith("/"):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def new_session_id() -> str:
    """A fresh browser-style session id: 32 url-safe characters."""
    return secrets.token_urlsafe(24)


# --- the chat -----------------------------------------------------------------------------------


@dataclass
class Turn:
    """One exchange as the terminal played it."""

    reply: dict[str, Any]
    speech: str = ""
    ended: bool = False
    quiet: list[float] = field(default_factory=list)  # seconds kept silent, adjacent pauses joined
    files: list[Path] = field(default_factory=list)  # calendar files saved
    error: str | None = None


class ChatClient:
    """One household talking to /web/turn, with the page's part played in the terminal.

    `write` prints (no newline added), `sleep` and `clock` keep pauses, `start_timer`
    runs a timer in the background: tests pass their own so nothing really waits.
    """

    def __init__(
        self,
        transport: Transport,
        session_id: str | None = None,
        *,
        time_zone: str | None = None,
        locale: str | None = None,
        ics_dir: Path | None = None,
        write: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = sleep_for,
        clock: Callable[[], float] = now,
        start_timer: StartTimer = start_background_timer,
    ) -> None:
        self.transport = transport
        self.session_id = session_id or new_session_id()
        if not SESSION_ID.fullmatch(self.session_id):
            raise ValueError("a session id is 16 to 64 letters, digits, '-' or '_'")
        self.time_zone = time_zone
        self.locale = locale
        self.ics_dir = Path(".") if ics_dir is None else ics_dir
        self._write = write or (lambda text: click.echo(text, nl=False))
        self.sleep = sleep
        self.clock = clock
        self.start_timer = start_timer
        self.elicit: dict[str, str] | None = None
        self.timers: dict[str, LocalTimer] = {}
        self.reminders: dict[str, Path] = {}
        self._lock = threading.RLock()
        self._prompt: str | None = None

    # sending

    def say(self, text: str) -> Turn:
        """Send what was typed, as the page sends it, and play the reply."""
        return self._turn({"utterance": text})

    def send_intent(self, intent: str, slots: Mapping[str, str] | None = None) -> Turn:
        """Send an intent with slots, as Alexa's NLU would have heard it, and play the reply."""
        return self._turn({"intent": intent, "slots": dict(slots or {})})

    def _turn(self, what: dict[str, Any]) -> Turn:
        body: dict[str, Any] = {"session_id": self.session_id, **what, "elicit": self.elicit}
        if self.time_zone:
            body["time_zone"] = self.time_zone
        if self.locale:
            body["locale"] = self.locale
        try:
            answer = self.transport.post_json(TURN_PATH, body)
        except ChatError as error:
            return self._failed(str(error))
        reply = answer.json()
        if answer.status != 200 or "segments" not in reply:
            return self._failed(f"HTTP {answer.status}: {reply.get('error') or 'not a turn reply'}")
        self.elicit = reply.get("elicit") or None
        turn = Turn(reply, speech=str(reply.get("speech_text", "")), ended=bool(reply.get("end_session")))
        # Effects start when the reply arrives (a timer counts from now), their notes follow the words.
        notes = self._carry_out(reply.get("effects") or [], turn)
        turn.quiet = self.play(reply.get("segments") or [])
        for note in notes:
            self.write(f"{MORE}{note}\n")
        if turn.ended:
            self.write(f"{MORE}(session ended)\n")
        return turn

    def _failed(self, reason: str) -> Turn:
        self.write(f"[{reason}]\n")
        return Turn({}, error=reason)

    # playing a reply: words, real pauses, chimes

    def play(self, segments: list[dict[str, Any]]) -> list[float]:
        """Print the words, keep the pauses (adjacent ones as one quiet), ring the sounds."""
        quiet: list[float] = []
        pending_ms = 0
        self.write(SKILL)
        gap = ""
        try:
            for segment in segments:
                if "pause" in segment:
                    pending_ms += max(0, int(segment["pause"]))
                    continue
                if pending_ms:
                    quiet.append(pending_ms / 1000)
                    if self._keep_quiet(pending_ms):
                        gap = ""
                    pending_ms = 0
                if "say" in segment:
                    self.write(f"{gap}{segment['say']}")
                elif "sound" in segment:
                    self.write(f"{gap}{BELL}{CHIME}")
                gap = " "
            if pending_ms:
                quiet.append(pending_ms / 1000)
                self._keep_quiet(pending_ms)
        except KeyboardInterrupt:  # Ctrl-C during a reply stops it, as the page's next turn does
            self.write(" (stopped)")
        self.write("\n")
        return quiet

    def _keep_quiet(self, ms: int) -> bool:
        """Wait `ms`; a long quiet is counted down on its own line. True when a new line was started."""
        seconds = ms / 1000
        if ms < COUNTDOWN_FROM_MS:
            self.sleep(seconds)
            return False
        self.write("\n")
        ends = self.clock() + seconds
        while (left := ends - self.clock()) > 0:
            self.write(f"\r{MORE}… {math.ceil(left)} s ")
            # To the next whole second, so the count moves on as the clock does.
            self.sleep(left - (math.ceil(left) - 1))
        self.write(f"\r{MORE}({_seconds(seconds)} of quiet)\n{MORE}")
        return True

    # effects, as the page carries them out

    def _carry_out(self, effects: list[dict[str, Any]], turn: Turn) -> list[str]:
        notes: list[str] = []
        for effect in effects:
            kind = effect.get("type")
            if kind == "timer":
                notes.append(self._start(effect))
            elif kind == "cancel_timer":
                notes += self._stop(str(effect.get("id", "")))
            elif kind == "reminder":
                note, path = self._save_calendar(effect)
                notes.append(note)
                if path is not None:
                    turn.files.append(path)
            elif kind == "cancel_reminder":
                saved = self.reminders.pop(str(effect.get("id", "")), None)
                where = f" (delete {saved} from your calendar if you added it)" if saved else ""
                notes.append(f"(the reminder is off{where})")
        return notes

    def _start(self, effect: dict[str, Any]) -> str:
        timer_id = str(effect["id"])
        purpose = str(effect.get("purpose", ""))
        seconds = float(effect.get("duration_seconds", 0))
        with self._lock:
            for running in [t for t in self.timers.values() if t.purpose == purpose]:
                self._stop(running.id)  # one timer per purpose, as on the page
            handle = self.start_timer(seconds, lambda: self._ring(timer_id))
            label = str(effect.get("label") or "Timer")
            self.timers[timer_id] = LocalTimer(
                timer_id, purpose, label, str(effect.get("announce", "")), self.clock() + seconds, handle
            )
        return f"({label} timer: {_clock(seconds)}, running here; it rings when it ends)"

    def _stop(self, timer_id: str) -> list[str]:
        with self._lock:
            timer = self.timers.pop(timer_id, None)
        if timer is None:
            return []
        timer.handle.cancel()
        return [f"({timer.label} timer stopped)"]

    def _ring(self, timer_id: str) -> None:
        """A timer ended: the bell and its announcement (never for a timer cancelled meanwhile)."""
        with self._lock:
            timer = self.timers.pop(timer_id, None)
            if timer is None:
                return
            self.write(f"\n{timer.label} is over.\n{SKILL}{BELL}{CHIME} {timer.announce}\n")
            if self._prompt is not None:
                self.write(self._prompt)

    def _save_calendar(self, effect: dict[str, Any]) -> tuple[str, Path | None]:
        """Fetch the reminder's .ics as the page's download link does, and save it."""
        url = str(effect.get("calendar_url", ""))
        if not url.startswith("/"):
            return "(a reminder came without its calendar file)", None
        try:
            answer = self.transport.get(url)
        except ChatError as error:
            return f"(could not fetch the reminder's calendar file: {error})", None
        if answer.status != 200:
            return f"(could not fetch the reminder's calendar file: HTTP {answer.status})", None
        path = (self.ics_dir / _filename(answer.headers, str(effect.get("id", "reminder")))).absolute()
        try:
            self.ics_dir.mkdir(parents=True, exist_ok=True)
            path.write_bytes(answer.body)
        except OSError as error:
            return f"(could not save the reminder's calendar file: {error.strerror})", None
        self.reminders[str(effect.get("id", ""))] = path
        return f"(reminder saved as a calendar file: {path}; import it into your calendar)", path

    # the terminal

    def write(self, text: str) -> None:
        """Print, one writer at a time (a timer may ring while a reply is playing)."""
        with self._lock:
            self._write(text)

    @contextmanager
    def waiting_for(self, prompt: str) -> Iterator[None]:
        """While the person types: a timer's announcement shows the prompt again after it."""
        with self._lock:
            self._prompt = prompt
        try:
            yield
        finally:
            with self._lock:
                self._prompt = None

    def close(self) -> None:
        """Stop the timers still running: they end with the chat."""
        with self._lock:
            running = list(self.timers.values())
            self.timers.clear()
        for timer in running:
            timer.handle.cancel()
            left = max(0.0, timer.ends_at - self.clock())
            self.write(f"({timer.label} timer stopped with the chat, {_clock(left)} before it would ring)\n")


def _filename(headers: Mapping[str, str], effect_id: str) -> str:
    disposition = next((v for k, v in headers.items() if k.lower() == "content-disposition"), "")
    found = _FILENAME.search(disposition)
    name = os.path.basename(found.group(1)) if found else ""
    if _SAFE_FILE.fullmatch(name):
        return name
    return f"heart-to-heart-{re.sub(r'[^A-Za-z0-9_-]', '', effect_id)[:64] or 'reminder'}.ics"


def _seconds(seconds: float) -> str:
    return f"{seconds:g} s"


def _clock(seconds: float) -> str:
    """1:59:59, 10:00, 0:20."""
    whole = max(0, math.ceil(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


# --- the command --------------------------------------------------------------------------------


def _check_session(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str:
    if value is None:
        return new_session_id()
    if not SESSION_ID.fullmatch(value):
        raise click.BadParameter("16 to 64 letters, digits, '-' or '_'")
    return value


def _check_time_zone(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return local_time_zone()
    if value == "":
        return None
    if not valid_time_zone(value):
        raise click.BadParameter("an IANA time zone name such as Europe/Berlin")
    return value


def local_locale(environ: Mapping[str, str] | None = None) -> str:
    """The terminal's English locale when the skill speaks it (LC_ALL, LC_MESSAGES, LANG:
    "en_GB.UTF-8" is en-GB), else en-US: it chooses the words and the helplines' country."""
    from skill.nlu.grammar import locales

    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = (env.get(name) or "").split(".")[0].replace("_", "-")
        if value:
            return value if value in locales() else "en-US"
    return "en-US"


def _check_locale(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str:
    from skill.nlu.grammar import locales

    if value is None:
        return local_locale()
    if value not in locales():
        raise click.BadParameter(f"one of {', '.join(sorted(locales()))}")
    return value


def _check_url(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return base_url(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error


@click.command("chat")
@click.option(
    "--url",
    default=None,
    callback=_check_url,
    help="A running server (http://127.0.0.1:5000, or its …/web/turn): talk to it over HTTP. "
    "Default: in process.",
)
@click.option(
    "--session",
    "session_id",
    default=None,
    callback=_check_session,
    help="The household's session id (16-64 letters, digits, '-', '_'); default: a new random one.",
)
@click.option(
    "--time-zone",
    default=None,
    callback=_check_time_zone,
    help="IANA time zone sent with each turn; default: this computer's, when it can be told.",
)
@click.option(
    "--locale",
    default=None,
    callback=_check_locale,
    help="en-US, en-GB, en-CA, en-AU or en-IN: the words heard and the helplines given; "
    "default: this terminal's (LANG), else en-US.",
)
@click.option(
    "--ics-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where reminders are saved as .ics calendar files.",
)
@with_appcontext
def chat_command(url: str | None, session_id: str, time_zone: str | None, locale: str, ics_dir: Path) -> None:
    """Talk to Heart to Heart in the terminal, as the browser simulator does (POST /web/turn)."""
    from skill import create_app

    local: Flask | None = None
    transport: Transport
    if url is None:
        config: dict[str, Any] = {"DATABASE_URL": current_app.config["DATABASE_URL"], "WEB_SIMULATOR": True}
        for name in ("ANSWER_KEYS", "RNG_SEED"):  # the same keys, so stored answers read back
            if current_app.config.get(name) is not None:
                config[name] = current_app.config[name]
        local = create_app(config)
        transport = InProcess(local)
    else:
        transport = OverHttp(url)
    client = ChatClient(
        transport,
        session_id,
        time_zone=time_zone,
        locale=locale,
        ics_dir=ics_dir,
        sleep=sleep_for,
        clock=now,
        start_timer=start_background_timer,
    )
    try:
        _chat_loop(client, url)
    finally:
        client.close()
        if local is not None:
            local.extensions["store"].dispose()


def _chat_loop(client: ChatClient, url: str | None) -> None:
    where = f"{url}{TURN_PATH}" if url else "in process"
    click.echo(f"Talking to Heart to Heart ({where}) as household session {client.session_id}")
    zone = client.time_zone or "not sent"
    click.echo(f"(--session {client.session_id} comes back to it; time zone: {zone}; {client.locale})")
    click.echo("Type what you would say to Alexa ('open heart to heart' to start, Ctrl-D to quit).")
    while True:
        try:
            with client.waiting_for(YOU):
                text = input(YOU)
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        if text.strip():
            client.say(text.strip())


@click.command("export-household")
@click.option("--platform", default="alexa", show_default=True, help="alexa, web or assist.")
@click.option("--user", required=True, help="The platform's user id (Alexa: amzn1.ask.account.…).")
@with_appcontext
def export_command(platform: str, user: str) -> None:
    """Print everything stored for one household as JSON, check-in answers decrypted."""
    store = current_app.extensions["store"]
    data = store.export(HouseholdKey(platform, user))
    if data is None:
        raise click.ClickException("no such household")
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@click.command("assist-token")
@with_appcontext
def assist_token_command() -> None:
    """Create a household for a home's own voice assistant (Home Assistant); print its token once."""
    from skill.assist import issue_token  # the adapter itself is loaded only when ASSIST_API is on

    click.echo(issue_token(current_app.extensions["store"]))
    click.echo(
        "Enter this token, with this server's address, when you add Heart to Heart in Home "
        "Assistant. Only its hash is kept here, so it cannot be shown again.",
        err=True,
    )


@click.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Bring the database schema to the newest revision (a no-op when it is current).

    deploy/gunicorn.conf.py runs this once, in a child process, before any worker starts.
    """
    from skill.storage import migrate

    try:
        migrate(current_app.extensions["store"])
    except Exception as error:  # the database is down or refuses us: say so, without the URL
        raise click.ClickException(f"database migration failed: {type(error).__name__}") from error
    click.echo("database schema is current")


def init_app(app: Flask) -> None:
    """Register the operator commands."""
    app.cli.add_command(chat_command)
    app.cli.add_command(export_command)
    app.cli.add_command(assist_token_command)
    app.cli.add_command(migrate_command)
