"""The Alexa adapter: `POST /alexa`, from raw bytes to an Alexa response.

Order of checks, each failure an HTTP 400 with a short JSON reason (413 for a body over
the size limit): content type, JSON (nested at most `MAX_JSON_DEPTH` deep), request
signature (when verification is on), application id, envelope shape (envelope.schema.json,
compiled once with fastjsonschema; it also refuses slot values that could not be read back
in SSML). Then `AlexaEndpoint.answer`, which the Lambda entry calls too, reads the checked
envelope straight into an `Event` and writes the `Reply` as the response dict (the web
adapter's shape: dict in, dict out); ask-sdk-core is only the client for Amazon's APIs.

| request                          | answer                                                  |
|----------------------------------|---------------------------------------------------------|
| LaunchRequest                    | the dialogue's launch                                   |
| IntentRequest                    | the intent, with its slots, through the rule tables     |
| SessionEndedRequest              | recorded; nothing said                                  |
| Connections.Response to AskFor   | the user's answer to a permission prompt                |
| AlexaSkillEvent.SkillDisabled    | everything stored for the household is deleted          |
| System.ExceptionEncountered      | logged; nothing said                                    |
| any other type                   | an empty response                                       |
| a fault inside a turn            | a spoken apology                                        |

Every refusal is logged as one line: the reason and, when it has the shape of one, the
request type; never the body or anything a user said.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from dialogue import intents
from dialogue.schemas import Schema
from skill.alexa.services import AlexaEffects, TimeoutApiClient
from skill.alexa.translate import event_from, household_of, permission_event, response_from
from skill.alexa.verification import AlexaRequestVerifier, VerificationError, check_application_id
from skill.conversation import Conversation
from skill.errors import BadRequest
from skill.observability import ENVELOPE

log = logging.getLogger(__name__)
blueprint = Blueprint("alexa", __name__)

# Alexa's envelopes nest about ten deep; far deeper is an attack on the parsers (and the
# JSON decoder's recursion).
MAX_JSON_DEPTH = 64
TOO_DEEP = "request body is nested too deeply"
# The envelope schema's pattern for request types: safe to log.
_REQUEST_TYPE = re.compile(r"[A-Za-z]+(?:\.[A-Za-z]+)*")
# Parts of a JSON path that may appear in a refusal reason (keys come from the client).
_SAFE_PATH_PART = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_TURNS = {"LaunchRequest": intents.LAUNCH, "SessionEndedRequest": intents.SESSION_ENDED}


class AlexaEndpoint:
    """Everything `POST /alexa` needs, built once per app."""

    def __init__(self, app: Flask, verifier: AlexaRequestVerifier | None, skill_ids: frozenset[str]) -> None:
        self.conversation: Conversation = app.extensions["conversation"]
        self.api_client = TimeoutApiClient()
        self.verifier = verifier
        self.skill_ids = skill_ids
        schema = json.loads(resources.files(__package__).joinpath("envelope.schema.json").read_text())
        self.shape = Schema(schema)  # compiled once (dialogue.schemas)
        self.max_body: int = app.config["MAX_CONTENT_LENGTH"]

    def handle(self) -> Response:
        """Check and answer one Alexa request sent over HTTP."""
        envelope: dict[str, Any] | None = None
        try:
            raw, envelope = self._read()
            request.environ[ENVELOPE] = envelope  # for the request log line: parsed once
            if self.verifier is not None:
                self.verifier.verify(request.headers, raw, envelope)
            check_application_id(envelope, self.skill_ids)
            self._check_shape(envelope)
        except VerificationError as error:
            return _refuse(BadRequest(error.reason), envelope)
        except BadRequest as error:
            return _refuse(error, envelope)
        return Response(json.dumps(self.answer(envelope), separators=(",", ":")), mimetype="application/json")

    def answer(self, envelope: dict[str, Any]) -> dict[str, Any]:
        """The response to a checked envelope (Flask's route and the Lambda entry both call this)."""
        kind = str(envelope["request"]["type"])
        try:
            if kind == "IntentRequest":
                event = event_from(envelope, str(envelope["request"]["intent"]["name"]))
            elif kind in _TURNS:
                event = event_from(envelope, _TURNS[kind])
            elif kind == "Connections.Response" and envelope["request"].get("name") == "AskFor":
                event = permission_event(envelope, intents.PERMISSION_ANSWER)
            elif kind == "AlexaSkillEvent.SkillDisabled":
                deleted = self.conversation.store.delete_household(household_of(envelope))
                log.info("skill disabled: household data %s", "deleted" if deleted else "was already absent")
                return _empty()
            elif kind == "System.ExceptionEncountered":
                log.warning("Alexa reported an error in a response of ours")
                return _empty()
            else:
                log.info("alexa request type not handled: %s", kind)
                return _empty()
            reply = self.conversation.turn(
                household_of(envelope), event, AlexaEffects(envelope, self.api_client)
            )
            return response_from(envelope, reply)
        except Exception as error:  # any fault inside a turn: an apology out loud, never a 500
            log.error("turn failed: %s", type(error).__name__, exc_info=error)
            return response_from(envelope, self.conversation.apology())

    def _read(self) -> tuple[bytes, dict[str, Any]]:
        """The raw body (what Amazon signed) and its JSON (UTF-8, as JSON must be)."""
        environ = request.environ
        # Alexa's exact header skips werkzeug's parse; anything else is parsed and compared.
        if environ.get("CONTENT_TYPE") != "application/json" and request.mimetype != "application/json":
            raise BadRequest("content type must be application/json")
        raw = self._body(environ)
        try:
            text = raw.decode("utf-8")
            envelope = json.loads(text)
        except (ValueError, UnicodeDecodeError) as error:
            raise BadRequest("request body is not valid JSON") from error
        except RecursionError as error:
            raise BadRequest(TOO_DEEP) from error
        if not isinstance(envelope, dict):
            raise BadRequest("request body is not an Alexa request envelope")
        # Fewer brackets than the limit cannot nest past it, so real envelopes skip the walk.
        if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and _deeper_than(envelope, MAX_JSON_DEPTH):
            raise BadRequest(TOO_DEEP)
        return raw, envelope

    def _body(self, environ: dict[str, Any]) -> bytes:
        """The raw body, at most MAX_CONTENT_LENGTH bytes (413 beyond).

        A body with a Content-Length (Alexa always sends one) is read straight from the WSGI
        input, as is a chunked one the server has framed (``wsgi.input_terminated``, which
        gunicorn sets), up to one byte past the limit; anything else through werkzeug, which
        reads nothing it cannot delimit.
        """
        length = environ.get("CONTENT_LENGTH")
        chunked = bool(environ.get("HTTP_TRANSFER_ENCODING"))
        try:
            if length and length.isdigit() and not chunked:
                size = int(length)
                if size > self.max_body:
                    raise BadRequest("request body is too large", 413)
                data: bytes = environ["wsgi.input"].read(size)
                if len(data) < size:  # the client stopped sending early
                    raise BadRequest("request body is shorter than its Content-Length")
                return data
            stream = environ["wsgi.input"] if environ.get("wsgi.input_terminated") else request.stream
            data = stream.read(self.max_body + 1)
        except BadRequest:
            raise
        except Exception as error:  # the server's own framing error (a bad chunk): the client's fault
            raise BadRequest("request body could not be read") from error
        if len(data) > self.max_body:
            raise BadRequest("request body is too large", 413)
        return data

    def _check_shape(self, envelope: dict[str, Any]) -> None:
        path = self.shape.first_error(envelope)
        if path is not None:
            where = "/".join(_path_part(part) for part in path) or "envelope"
            raise BadRequest(f"not an Alexa request envelope: {where} is missing or malformed")


def _deeper_than(document: object, limit: int) -> bool:
    """Whether JSON containers nest more than `limit` deep (iterative: no recursion to exhaust)."""
    stack: list[tuple[object, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Iterable[object] = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _empty() -> dict[str, Any]:
    return {"version": "1.0", "response": {}}


def _path_part(part: str | int) -> str:
    return str(part) if isinstance(part, int) or _SAFE_PATH_PART.fullmatch(part) else "?"


def _request_type(envelope: Mapping[str, Any] | None) -> str | None:
    """The request's type if it looks like one (it is client input until verified)."""
    inner = envelope.get("request") if envelope is not None else None
    kind = inner.get("type") if isinstance(inner, Mapping) else None
    if isinstance(kind, str) and len(kind) <= 64 and _REQUEST_TYPE.fullmatch(kind):
        return kind
    return None


def _refuse(error: BadRequest, envelope: Mapping[str, Any] | None = None) -> Response:
    log.info("alexa request refused: %s (%s)", error.reason, _request_type(envelope) or "type unknown")
    body = json.dumps({"error": error.reason})
    return Response(body, status=error.status, mimetype="application/json")


@blueprint.post("/alexa")
def webhook() -> Response:
    """Amazon's requests for the custom skill and its skill events."""
    endpoint: AlexaEndpoint = current_app.extensions["alexa"]
    return endpoint.handle()


@blueprint.app_errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> Response:
    """A body over MAX_CONTENT_LENGTH, refused before it is read."""
    return _refuse(BadRequest("request body is too large", 413))


def init_app(app: Flask) -> None:
    """Build the Alexa endpoint for this app and register its route.

    ``ALEXA_VERIFY_SIGNATURES`` decides whether requests are verified; a ready
    `AlexaRequestVerifier` in ``ALEXA_VERIFIER`` (tests: another trust root, a fixed clock)
    replaces the default one, which trusts certifi's roots and the real clock.
    """
    verifier = None
    if app.config["ALEXA_VERIFY_SIGNATURES"]:
        verifier = app.config.get("ALEXA_VERIFIER") or AlexaRequestVerifier()
        if not isinstance(verifier, AlexaRequestVerifier):
            raise TypeError("ALEXA_VERIFIER must be an AlexaRequestVerifier")
    else:
        log.warning(
            "ALEXA_VERIFY_SIGNATURES is off: /alexa accepts unsigned requests. "
            "Use this only for local testing, never for a skill Amazon can reach."
        )
    app.extensions["alexa"] = AlexaEndpoint(app, verifier, app.config["ALEXA_SKILL_IDS"])
    app.register_blueprint(blueprint)
