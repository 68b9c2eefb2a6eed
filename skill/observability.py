"""Structured request logs: one JSON line per request, with a request id and the latency.

Each line is the message of a record on the ``skill.requests`` logger (INFO), for example::

    {"event":"request","request_id":"3f2a…","method":"POST","path":"/alexa","status":200,
     "ms":2.41,"alexa_type":"IntentRequest","intent":"AnswerIntent"}

- ``request_id``: the caller's ``X-Request-Id`` when it is sane (1-128 characters of
  letters, digits and ``._:-``), else a fresh one; it is echoed in the response's
  ``X-Request-Id`` header so a proxy's, gunicorn's and our lines can be joined.
- ``ms``: time from the start of Flask's request handling to the response, in ms.
- For ``POST /alexa`` only: the request type and the intent name, each logged only when it
  has the shape of one (client input until verified). Never a body, a slot value, a name
  or an answer; the query string is not logged either.

deploy/gunicorn.conf.py sends this logger to stderr with the message alone, so each
request is exactly one JSON line there.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from typing import Any

from flask import Flask, Response, g, request

log = logging.getLogger("skill.requests")

REQUEST_ID_HEADER = "X-Request-Id"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_REQUEST_TYPE = re.compile(r"[A-Za-z]{1,32}(?:\.[A-Za-z]{1,32}){0,3}")
_INTENT_NAME = re.compile(r"[A-Za-z0-9_]{1,64}(?:\.[A-Za-z0-9_]{1,64})?")
_MAX_PATH = 200
_ALEXA_PATH = "/alexa"
# The Alexa endpoint leaves the envelope it parsed here (`g`), so the log line does not
# parse the body a second time.
ENVELOPE = "alexa_envelope"


def request_id_from(header: str | None) -> str:
    """The caller's request id when it is safe to log and echo, else a new random one."""
    if header is not None and _SANE_REQUEST_ID.fullmatch(header):
        return header
    return os.urandom(16).hex()  # 32 hex digits, like a uuid4's, without building a UUID


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
        fields["intent"] = name
    return fields


def _start() -> None:
    g.request_started = time.perf_counter()
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))


def _finish(response: Response) -> Response:
    started: float | None = g.get("request_started")
    request_id: str = g.get("request_id") or request_id_from(None)
    response.headers[REQUEST_ID_HEADER] = request_id
    if not log.isEnabledFor(logging.INFO):
        return response
    line: dict[str, Any] = {
        "event": "request",
        "request_id": request_id,
        "method": request.method,
        "path": request.path[:_MAX_PATH],
        "status": response.status_code,
        "ms": round((time.perf_counter() - started) * 1000, 2) if started is not None else None,
    }
    if response.status_code == 200 and request.path == _ALEXA_PATH and request.method == "POST":
        # Only answered requests: the endpoint has parsed the body (left in `g`), which passed
        # every check; a refused request is logged by the endpoint with its reason.
        line.update(_alexa_fields(g.get(ENVELOPE)))
    # The record is made here rather than by log.info, which would first walk the stack to
    # find the caller's file and line: a line that names no source spares that walk.
    message = json.dumps(line, separators=(",", ":"))
    log.handle(log.makeRecord(log.name, logging.INFO, "", 0, message, (), None))
    return response


def init_app(app: Flask) -> None:
    """Give every request an id and log one JSON line when its response is ready."""
    app.before_request(_start)
    app.after_request(_finish)
