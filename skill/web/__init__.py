"""The browser adapter: a voice simulator page and its JSON turn endpoint, on the same dialogue.

| route                        | does                                                          |
|------------------------------|---------------------------------------------------------------|
| `GET /`, `GET /simulator`    | the page (skill/web/static: plain HTML, CSS and JavaScript)   |
| `POST /web/turn`             | one turn: JSON in (below), the reply as JSON out              |
| `POST /web/reset`            | ends the conversation; the next turn starts a new session     |
| `DELETE /web/household/<id>` | erases everything stored for that browser session            |
| `GET /web/calendar.ics?…`    | a reminder as an iCalendar file (weekly ones with an RRULE)   |

`POST /web/turn` takes `{"session_id": …}` plus one of `"launch": true`, `"utterance":
"a question about family"` or `"intent": "AskQuestionIntent", "slots": {"category":
"family"}`, and optionally `"elicit"` (echoed from the last reply) and `"time_zone"`
("Europe/Berlin"). The browser session is its own household: `HouseholdKey("web",
session_id)`, the same store, journal and encryption as Alexa's households. A session id
is 16 to 64 letters, digits, '-' or '_'. The answer:

    {"session_id", "new_session", "heard": {"intent", "slots"},
     "speech_ssml", "speech_text", "segments": [{"say"} | {"pause"} | {"sound"}],
     "reprompt_text", "card": {"title", "text"} | null, "end_session",
     "effects": [{"type": "timer" | "cancel_timer" | "reminder" | …, …}],
     "suggestions": [...], "elicit": {"intent", "slot"} | null}

A new session starts, as on Alexa, with a launch, on the household's first turn, or after
a reply that ended the session (read from the stored state, so any worker decides alike).
Malformed input is HTTP 400 with `{"error": reason}`; a fault inside a turn is a spoken
apology with HTTP 200. Nothing a user said is logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from dialogue import Event, State, intents
from dialogue.state import Session
from skill.conversation import Conversation
from skill.errors import BadRequest
from skill.storage import HouseholdKey, Store
from skill.web import calendar
from skill.web.effects import WebEffects
from skill.web.translate import LOCALE, parse_turn, reply_json, session_id_of, understand

log = logging.getLogger(__name__)
PLATFORM = "web"
blueprint = Blueprint("web", __name__, static_folder="static", static_url_path="/web/static")

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; media-src 'self' blob: data:; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def client_address(environ: Mapping[str, Any], trusted_proxies: frozenset[str]) -> str:
    """Who is asking: the peer's address, or, when the peer is a trusted reverse proxy, the
    address it says it received the request from (the last in X-Forwarded-For)."""
    peer = str(environ.get("REMOTE_ADDR") or "")
    forwarded = str(environ.get("HTTP_X_FORWARDED_FOR") or "")
    if peer in trusted_proxies and forwarded:
        return forwarded.split(",")[-1].strip()[:64] or peer
    return peer


def _hashed(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def household(session_id: str) -> HouseholdKey:
    """The browser session's household."""
    return HouseholdKey(PLATFORM, session_id)


class WebEndpoint:
    """The turn endpoint's work, built once per app."""

    def __init__(
        self,
        conversation: Conversation,
        store: Store,
        rate_limit: int = 0,
        trusted_proxies: frozenset[str] = frozenset(),
        pseudonym: Callable[[str], str] | None = None,
    ) -> None:
        self.conversation = conversation
        self.store = store
        self.rate_limit = rate_limit  # new households per client and minute; 0: no limit
        self.trusted_proxies = trusted_proxies
        self.pseudonym = pseudonym or _hashed

    def turn(self, body: Any) -> dict[str, Any]:
        """Check, understand and answer one turn, in one store transaction; BadRequest for a malformed one."""
        turn = parse_turn(body)
        key = household(turn.session_id)
        if self.rate_limit and self.store.load_state(key) is None:
            self._admit_new_household()
        host = WebEffects(turn.time_zone, self.conversation.clock, turn.locale)
        opened = [False]

        def heard_in(state: State) -> tuple[Event, str | None]:
            heard = understand(turn, state)
            opened[0] = heard.opens or session_is_closed(state)
            return replace(heard.event, new_session=opened[0]), heard.miss

        try:
            exchange = self.conversation.exchange(key, heard_in, host)
        except Exception as error:  # any fault: an apology the page can speak, never a 500
            log.error("web turn failed: %s", type(error).__name__, exc_info=error)
            return self._apology(turn.session_id)
        answer = reply_json(exchange.reply)
        session = exchange.state.session
        return {
            "session_id": turn.session_id,
            "new_session": opened[0],
            "heard": heard_json(exchange.event),
            **answer,
            "effects": host.done,
            "suggestions": suggestions_for("ended" if answer["end_session"] else _where(session)),
        }

    def _admit_new_household(self) -> None:
        """A new browser household: refused (429) past the limit for this client this minute."""
        client = self.pseudonym(client_address(request.environ, self.trusted_proxies))
        if not self.store.admit_new_household(client, self.rate_limit, self.conversation.clock()):
            raise BadRequest("too many new conversations from this address; try again in a minute", 429)

    def reset(self, body: Any) -> dict[str, Any]:
        """End the conversation, as when a speaker's session closes; the household's data stays."""
        session_id = session_id_of(body)
        key = household(session_id)
        if self.store.load_state(key) is not None:
            self.conversation.turn(key, Event(intents.SESSION_ENDED, locale=LOCALE))
        return {"session_id": session_id, "reset": True, "suggestions": suggestions_for("ended")}

    def erase(self, session_id: str) -> dict[str, Any]:
        """Delete everything stored for the browser session: state, check-ins, answers."""
        session_id = session_id_of({"session_id": session_id})
        deleted = self.store.delete_household(household(session_id))
        return {"session_id": session_id, "deleted": bool(deleted)}

    def _apology(self, session_id: str) -> dict[str, Any]:
        return {
            "session_id": session_id,
            "new_session": False,
            **reply_json(self.conversation.apology()),
            "effects": [],
            "suggestions": suggestions_for("home"),
            "fault": True,
        }


def session_is_closed(state: State) -> bool:
    """Whether this turn opens a new session: the household's first, or the last reply ended it."""
    session = state.session
    # The core resets the session when a reply ends it; a reply that did not listen
    # (no reprompt) closes an Alexa session too.
    return session == Session() or (session.last_speech is not None and session.last_reprompt is None)


def heard_json(event: Event) -> dict[str, Any]:
    return {
        "intent": event.intent,
        "slots": {name: slot.resolved_id or slot.value for name, slot in event.slots.items()},
    }


@cache
def _suggestion_table() -> dict[str, list[str]]:
    data = json.loads(resources.files(__package__).joinpath("suggestions.json").read_text(encoding="utf-8"))
    table: dict[str, list[str]] = data[LOCALE]
    return table


def _where(session: Any) -> str:
    """Where the chips are for: "flow.step", or "offer" while the menu waits for a yes or no."""
    if session.flow == "home" and session.offer:
        return "offer"
    return f"{session.flow}.{session.step}"


def suggestions_for(where: str) -> list[str]:
    """What can be said now: the table's entry for "flow.step", else for the flow, else home."""
    table = _suggestion_table()
    flow = where.split(".")[0]
    return list(table.get(where) or table.get(flow) or table["home"])


@cache
def _page_html() -> str:
    return resources.files(__package__).joinpath("static/index.html").read_text(encoding="utf-8")


def _endpoint() -> WebEndpoint:
    endpoint: WebEndpoint = current_app.extensions["web"]
    return endpoint


def json_response(data: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json")


def _refuse(reason: str, status: int = 400) -> Response:
    log.info("web request refused: %s", reason)
    return json_response({"error": reason}, status)


def json_body() -> Any:
    if request.mimetype != "application/json":
        raise BadRequest("content type must be application/json")
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge as error:
        raise BadRequest("request body is too large", 413) from error
    except Exception as error:  # the server's own framing error (a bad chunk): the client's fault
        raise BadRequest("request body could not be read") from error
    if request.content_length is not None and len(raw) < request.content_length:
        raise BadRequest("request body is shorter than its Content-Length")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise BadRequest("request body is not valid JSON") from error


@blueprint.post("/web/turn")
def turn() -> Response:
    """One conversational turn from the page."""
    try:
        return json_response(_endpoint().turn(json_body()))
    except BadRequest as error:
        return _refuse(error.reason, error.status)


@blueprint.post("/web/reset")
def reset() -> Response:
    """Start a new session: the next turn is greeted as a new conversation."""
    try:
        return json_response(_endpoint().reset(json_body()))
    except BadRequest as error:
        return _refuse(error.reason, error.status)


@blueprint.delete("/web/household/<session_id>")
def erase(session_id: str) -> Response:
    """Erase the browser household's data, check-in answers included."""
    try:
        return json_response(_endpoint().erase(session_id))
    except BadRequest as error:
        return _refuse(error.reason, error.status)


@blueprint.get("/web/calendar.ics")
def calendar_file() -> Response:
    """A reminder as a calendar event to import, repeating weekly when it does."""
    try:
        event = calendar.event_from_query(request.args.to_dict())
    except calendar.CalendarError as error:
        return _refuse(str(error))
    response = Response(calendar.ics(event), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{calendar.filename(event)}"'
    return response


@blueprint.get("/")
@blueprint.get("/simulator")
def page() -> Response:
    """The simulator page."""
    response = Response(_page_html(), mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def init_app(app: Flask) -> None:
    """Register the simulator page and the web turn endpoint on the app's conversation."""
    store = app.extensions["store"]
    app.extensions["web"] = WebEndpoint(
        app.extensions["conversation"],
        store,
        rate_limit=int(app.config["WEB_RATE_LIMIT"]),
        trusted_proxies=frozenset(app.config["TRUSTED_PROXIES"]),
        pseudonym=store.cipher.pseudonym if store.cipher is not None else None,
    )
    app.register_blueprint(blueprint)
