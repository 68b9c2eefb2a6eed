"""The local assistants' adapter: Home Assistant's Assist (deploy/home_assistant) talks to this.

A household that runs its own voice assistant at home sends what was heard, as text, and
gets back what to say. It is the browser adapter's shape (skill.web): the same recogniser
and grammar, the same core, store, journal and encryption; only the household and the
speech differ.

| route                     | does                                                            |
|---------------------------|-----------------------------------------------------------------|
| `POST /assist/turn`       | one turn: JSON in (below), the reply as JSON out                |
| `GET /assist/household`   | 200 when the token is good (the integration's set-up checks it) |
| `DELETE /assist/household`| erases everything stored for the household, its token with it   |

Every request carries `Authorization: Bearer <token>`. A token is issued by
`flask --app skill assist-token` (skill.cli); the server keeps only its SHA-256 (the household's
`platform_user`, platform "assist"), so a token is the only way to a household and two
homes never share one. A missing, unknown or deleted token is HTTP 401. The routes exist
only when `ASSIST_API` is on.

`POST /assist/turn` takes `{"text": "a question about family"}` or `{"reminder":
"checkin"}` (the integration's weekly reminder came due: "ready for your check-in?"),
with `"new_conversation"` (true when the assistant's conversation has no earlier reply of
ours: a new session, its words understood at the menu), `"language"` ("en", "en-GB", …)
and `"time_zone"` (Home Assistant's). The answer is the web turn's reply fields plus:

    {"speech": words to say now, "later": [{"after_seconds", "say", "listen"}],
     "continue_conversation": bool, "effects": [...], "new_session": bool, "heard": {...}}

A local speaker's text-to-speech gets plain text, so pauses never reach it: a long pause
(a twenty-second hug) splits the reply. `speech` is what comes before it and each `later`
part is said that many seconds after the one before (by the integration, on the speaker
that heard the turn); the last listens for an answer when the reply does.
`continue_conversation` is true while the skill waits for an answer now. Where the couple
talk among themselves with the speaker still listening (after a question: "talk it over"),
words that are not for the skill get an empty `speech`, `continue_conversation` false and
`"overheard": true`, and change nothing. Effects are the
browser's (skill.web.effects): timers and reminders the integration keeps in Home
Assistant. Nothing a user said is logged.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, replace
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request

from dialogue import Event, Reply, State, intents, to_text
from dialogue.speech import Pause, Say, Speech
from dialogue.state import Session
from skill.conversation import Conversation
from skill.errors import BadRequest
from skill.nlu import FALLBACK
from skill.nlu.grammar import locales
from skill.storage import HouseholdKey, Store
from skill.web import heard_json, json_body, json_response, session_is_closed
from skill.web.effects import WebEffects
from skill.web.translate import (
    LOCALE,
    MAX_UTTERANCE,
    TurnRequest,
    checked_text,
    checked_time_zone,
    reply_json,
    understand,
)

log = logging.getLogger(__name__)
PLATFORM = "assist"
TOKEN_PREFIX = "h2h_"
LONG_PAUSE_MS = 3000  # a pause this long is kept by the integration, not dropped from the words
REMINDERS = ("checkin",)  # the reminders whose coming due opens a conversation here
# Where the couple talk among themselves while the speaker still listens (a question round,
# Remember when, going deeper, photos): words not for us there are their conversation,
# overheard, and get silence and a closed microphone, never "sorry, I missed that".
OVERHEARD_AT = frozenset({"questions.asked", "remember_when.sharing", "deeper.asking", "photos.sharing"})
blueprint = Blueprint("assist", __name__)


def new_token() -> str:
    """A fresh household token: 256 random bits, shown once, never stored."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def household_of(token: str) -> HouseholdKey:
    """The household a token opens: its SHA-256 is all the server keeps of it."""
    return HouseholdKey(PLATFORM, hashlib.sha256(token.encode("utf-8")).hexdigest())


def issue_token(store: Store) -> str:
    """Create a household for a home's assistant and return its token (shown once)."""
    token = new_token()
    with store.turn(household_of(token)):
        pass  # the row exists from now on, with no state yet
    return token


@dataclass(frozen=True)
class AssistTurn:
    """One checked turn from a local assistant."""

    text: str | None
    reminder: str | None
    new_conversation: bool
    locale: str
    time_zone: str | None


def parse_turn(body: Any) -> AssistTurn:
    """Check a /assist/turn body; BadRequest says what is wrong with it."""
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    text, reminder = body.get("text"), body.get("reminder")
    if (text is None) == (reminder is None):
        raise BadRequest("give exactly one of: text (what was heard), reminder (checkin)")
    if text is not None:
        text = checked_text(text, "text", MAX_UTTERANCE)
        if not text.strip():
            raise BadRequest("text is empty")
    if reminder is not None and reminder not in REMINDERS:
        raise BadRequest(f"reminder must be one of: {', '.join(REMINDERS)}")
    new_conversation = body.get("new_conversation", True)
    if not isinstance(new_conversation, bool):
        raise BadRequest("new_conversation must be true or false")
    return AssistTurn(
        text=text,
        reminder=reminder,
        new_conversation=new_conversation,
        locale=locale_of(body.get("language")),
        time_zone=checked_time_zone(body.get("time_zone")),
    )


def locale_of(language: Any) -> str:
    """Home Assistant's language ("en", "en-GB", "en_AU") as one of the grammar's locales."""
    if language is None or language == "":
        return LOCALE
    if not isinstance(language, str) or len(language) > 16:
        raise BadRequest("language must be a language code such as en or en-GB")
    wanted = language.replace("_", "-").lower()
    for locale in sorted(locales()):
        if locale.lower() == wanted:
            return locale
    if wanted == "en" or wanted.startswith("en-"):
        return LOCALE
    raise BadRequest(f"language must be English (en, {', '.join(sorted(locales()))})")


def spoken_parts(speech: Speech) -> list[tuple[int, str]]:
    """The words in the order said, split where a long pause must be kept: (seconds of quiet
    before, words). Short pauses and sounds, which plain text cannot carry, are dropped."""
    parts: list[tuple[int, str]] = []
    quiet_ms, words = 0, list[Say]()
    for segment in speech:
        if isinstance(segment, Say):
            words.append(segment)
        elif isinstance(segment, Pause) and segment.ms >= LONG_PAUSE_MS:
            if words:
                parts.append((round(quiet_ms / 1000), to_text(tuple(words))))
                words, quiet_ms = [], 0
            quiet_ms += segment.ms
    if words:
        parts.append((round(quiet_ms / 1000), to_text(tuple(words))))
    return parts


def speaker_json(reply: Reply) -> dict[str, Any]:
    """What a local speaker says now and later, and whether it listens now."""
    answer = reply_json(reply)
    listens = not answer["end_session"]
    parts = spoken_parts(reply.speech)
    now = parts[0][1] if parts and parts[0][0] == 0 else ""
    rest = parts[1 if now else 0 :]
    later: list[dict[str, Any]] = [
        {"after_seconds": wait, "say": words, "listen": False} for wait, words in rest
    ]
    if later:
        later[-1]["listen"] = listens
    return {
        **answer,
        "speech": now,
        "later": later,
        "continue_conversation": listens and not later,
    }


class _Overheard(Exception):
    """The words were the couple talking to each other: nothing to answer, nothing to keep."""


class AssistEndpoint:
    """The local assistants' endpoint, built once per app."""

    def __init__(self, conversation: Conversation, store: Store) -> None:
        self.conversation = conversation
        self.store = store

    def household(self, authorization: str | None) -> HouseholdKey:
        """The household the bearer token opens; 401 for a missing or unknown token."""
        scheme, _, token = (authorization or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise BadRequest("an Authorization: Bearer <token> header is required", 401)
        key = household_of(token)
        if self.store.load_state(key) is None:
            raise BadRequest("that token opens no household here", 401)
        return key

    def turn(self, key: HouseholdKey, body: Any) -> dict[str, Any]:
        """Understand and answer one turn, in one store transaction."""
        turn = parse_turn(body)
        host = WebEffects(turn.time_zone, self.conversation.clock, turn.locale)
        opened = [False]

        def heard_in(state: State) -> tuple[Event, str | None]:
            opens = turn.new_conversation or session_is_closed(state)
            if turn.reminder is not None:
                opened[0] = True
                data = {"purpose": turn.reminder}
                return Event(intents.REMINDER_DUE, data=data, locale=turn.locale, new_session=True), None
            fresh = replace(state, session=Session()) if opens else state
            words = TurnRequest(session_id=PLATFORM, utterance=turn.text, locale=turn.locale)
            heard = understand(words, fresh)
            event, miss = heard.event, heard.miss
            opened[0] = opens or heard.opens
            if opens and event.intent == FALLBACK:  # "hi" to a speaker that only runs us: a greeting
                event, miss = Event(intents.LAUNCH, locale=turn.locale), None
            elif event.intent == FALLBACK and f"{state.session.flow}.{state.session.step}" in OVERHEARD_AT:
                raise _Overheard  # the turn's transaction rolls back: nothing changes
            return replace(event, new_session=opened[0]), miss

        try:
            exchange = self.conversation.exchange(key, heard_in, host)
        except _Overheard:
            return {
                "new_session": False,
                "heard": {"intent": FALLBACK, "slots": {}},
                **speaker_json(Reply(())),
                "end_session": False,
                "effects": [],
                "overheard": True,
            }
        except Exception as error:  # any fault: an apology the speaker can say, never a 500
            log.error("assist turn failed: %s", type(error).__name__, exc_info=error)
            return self._apology()
        return {
            "new_session": opened[0],
            "heard": heard_json(exchange.event),
            **speaker_json(exchange.reply),
            "effects": host.done,
        }

    def _apology(self) -> dict[str, Any]:
        return {
            "new_session": False,
            **speaker_json(self.conversation.apology()),
            "effects": [],
            "fault": True,
        }


def _endpoint() -> AssistEndpoint:
    endpoint: AssistEndpoint = current_app.extensions["assist"]
    return endpoint


def _refuse(error: BadRequest) -> Response:
    log.info("assist request refused: %s", error.reason)
    response = json_response({"error": error.reason}, error.status)
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="heart-to-heart"'
    return response


@blueprint.post("/assist/turn")
def turn() -> Response:
    """One turn from a local assistant."""
    try:
        endpoint = _endpoint()
        key = endpoint.household(request.headers.get("Authorization"))
        return json_response(endpoint.turn(key, json_body()))
    except BadRequest as error:
        return _refuse(error)


@blueprint.get("/assist/household")
def check() -> Response:
    """200 when the token opens a household: the integration's set-up asks before saving it."""
    try:
        _endpoint().household(request.headers.get("Authorization"))
    except BadRequest as error:
        return _refuse(error)
    return json_response({"household": "ok"})


@blueprint.delete("/assist/household")
def erase() -> Response:
    """Erase the household: state, check-ins, answers and, with its row, the token itself."""
    try:
        endpoint = _endpoint()
        key = endpoint.household(request.headers.get("Authorization"))
    except BadRequest as error:
        return _refuse(error)
    return json_response({"deleted": endpoint.store.delete_household(key)})


def init_app(app: Flask) -> None:
    """Serve the local assistants' endpoint on the app's conversation (ASSIST_API on)."""
    app.extensions["assist"] = AssistEndpoint(app.extensions["conversation"], app.extensions["store"])
    app.register_blueprint(blueprint)
