"""Structured request logs: one JSON line per request, with a request id and the latency.

Each line is the message of a record on the ``skill.requests`` logger (INFO), for example::

    {"event":"request","request_id":"3f2a…","method":"POST","path":"/alexa","status":200,
     "ms":2.41,"alexa_type":"IntentRequest","intent":"AnswerIntent"}

- ``request_id``: the caller's ``X-Request-Id`` when it is sane (1-128 characters of
  letters, digits and ``._:-``), else a fresh one; it is echoed in the response's
  ``X-Request-Id`` header so a proxy's, gunicorn's and our lines can be joined.
- ``ms``: time from the request reaching the app to its response being ready, in ms.
- For ``POST /alexa`` only: the request type and the intent name, each logged only when it
  has the shape of one (client input until verified). Never a body, a slot value, a name
  or an answer; the query string is not logged either. `SafetyIntent` (danger words) and
  `HelplineIntent` are logged as `AMAZON.FallbackIntent`, so no line shows that someone
  spoke of danger or asked for a helpline.

It is WSGI middleware around Flask's own `wsgi_app` (Flask's documented way to wrap an
app) rather than before/after-request hooks: the same line for a fraction of the calls.

deploy/gunicorn.conf.py sends this logger to stderr with the message alone, so each
request is exactly one JSON line there.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from dialogue import intents
from skill.conversation import process_random

log = logging.getLogger("skill.requests")

REQUEST_ID_HEADER = "X-Request-Id"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_REQUEST_TYPE = re.compile(r"[A-Za-z]{1,32}(?:\.[A-Za-z]{1,32}){0,3}")
_INTENT_NAME = re.compile(r"[A-Za-z0-9_]{1,64}(?:\.[A-Za-z0-9_]{1,64})?")
_MAX_PATH = 200
# Intents no log line may name (dialogue.safety): logged as the fallback they could have been.
_UNLOGGED = frozenset({intents.SAFETY, intents.HELPLINE})
_ALEXA_PATH = "/alexa"
# The Alexa endpoint leaves the envelope it parsed in the WSGI environ under this key, so
# the log line does not parse the body a second time.
ENVELOPE = "heart_to_heart.alexa_envelope"

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def request_id_from(header: str | None) -> str:
    """The caller's request id when it is safe to log and echo, else a new random one."""
    if header is not None and _SANE_REQUEST_ID.fullmatch(header):
        return header
    # 32 hex digits, like a uuid4's; an id only has to be unique, not secret.
    return f"{process_random().getrandbits(128):032x}"


def _alexa_fields(envelope: Any) -> dict[str, str]:
    """The request type and intent name of an Alexa envelope, when they look like ones."""
    inner = envelope.get("request") if isinstance(envelope, dict) else None
    if not isinstance(inner, dict):
        return {}
    fields: dict[str, str] = {}
    kind = inner.get("type")
    if isinstance(kind, str) and _REQUEST_TYPE.fullmatch(kind):
        fields["alexa_type"] = kind
    intent = inner.get("intent")
    name = intent.get("name") if isinstance(intent, dict) else None
    if isinstance(name, str) and _INTENT_NAME.fullmatch(name):
        # Nothing may show that someone spoke of danger: that intent is logged as the
        # fallback it could have been (dialogue.safety).
        fields["intent"] = intents.FALLBACK if name in _UNLOGGED else name
    return fields


_HOUSEHOLD_PATH = "/web/household/"


def _path(environ: dict[str, Any]) -> str:
    """The request path as Flask reads it (WSGI carries it as latin-1 text of the raw bytes).

    Not werkzeug's get_path_info: its strict latin-1 encode would raise, here in the log
    line, for a server that put other characters in PATH_INFO.
    """
    raw: str = environ.get("PATH_INFO") or "/"
    return raw.encode("latin-1", "replace").decode("utf-8", "replace")


def _redacted(path: str) -> str:
    """The path as logged: a web session id (a browser household's only credential) never is."""
    if path.startswith(_HOUSEHOLD_PATH):
        return _HOUSEHOLD_PATH + "<session id>"
    return path


def _log_line(environ: dict[str, Any], status: str, started: float, request_id: str) -> None:
    code = int(status[:3])
    path = _redacted(_path(environ))
    method = environ.get("REQUEST_METHOD", "")
    line: dict[str, Any] = {
        "event": "request",
        "request_id": request_id,
        "method": method,
        "path": path[:_MAX_PATH],
        "status": code,
        "ms": round((time.perf_counter() - started) * 1000, 2),
    }
    if code == 200 and path == _ALEXA_PATH and method == "POST":
        # Only answered requests: the endpoint has parsed the body (left in the environ),
        # which passed every check; a refused request is logged by the endpoint with its reason.
        line.update(_alexa_fields(environ.get(ENVELOPE)))
    # The record is made here rather than by log.info, which would first walk the stack to
    # find the caller's file and line: a line that names no source spares that walk.
    message = json.dumps(line, separators=(",", ":"))
    log.handle(log.makeRecord(log.name, logging.INFO, "", 0, message, (), None))


class RequestLog:
    """Gives every request an id (echoed in ``X-Request-Id``) and logs one line when its response starts."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID"))

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers.append((REQUEST_ID_HEADER, request_id))
            if log.isEnabledFor(logging.INFO):
                _log_line(environ, status, started, request_id)
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


def init_app(app: Flask) -> None:
    """Give every request an id and log one JSON line when its response is ready."""
    app.wsgi_app = RequestLog(app.wsgi_app)  # type: ignore[method-assign]
