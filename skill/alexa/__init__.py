"""The Alexa adapter: `POST /alexa`, from raw bytes to an Alexa response.

Order of checks, each failure an HTTP 400 with a short JSON reason (413 for a body over
the size limit): content type, JSON, request signature (when verification is on),
application id, envelope shape. Only then does ask-sdk-core see the request.
"""

from __future__ import annotations

import json
import logging
from importlib import resources
from typing import Any

from ask_sdk_model import RequestEnvelope
from flask import Blueprint, Flask, Response, current_app, request
from jsonschema import Draft202012Validator
from werkzeug.exceptions import RequestEntityTooLarge

from skill.alexa.handlers import build_skill
from skill.alexa.verification import AlexaRequestVerifier, VerificationError, check_application_id

log = logging.getLogger(__name__)
blueprint = Blueprint("alexa", __name__)


class BadRequest(Exception):
    """A request we refuse; `reason` is safe to return and to log."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class AlexaEndpoint:
    """Everything `POST /alexa` needs, built once per app."""

    def __init__(self, app: Flask, verifier: AlexaRequestVerifier | None, skill_ids: frozenset[str]) -> None:
        self.skill = build_skill(app.extensions["conversation"])
        self.verifier = verifier
        self.skill_ids = skill_ids
        schema = json.loads(resources.files(__package__).joinpath("envelope.schema.json").read_text())
        self.shape = Draft202012Validator(schema)

    def handle(self) -> Response:
        """Check, translate and answer one Alexa request."""
        try:
            raw, envelope = self._read()
            if self.verifier is not None:
                self.verifier.verify(request.headers, raw, envelope)
            check_application_id(envelope, self.skill_ids)
            self._check_shape(envelope)
            request_envelope = self._deserialize(raw)
        except VerificationError as error:
            return _refuse(BadRequest(error.reason))
        except BadRequest as error:
            return _refuse(error)
        response = self.skill.invoke(request_envelope, None)
        body = json.dumps(self.skill.serializer.serialize(response), separators=(",", ":"))
        return Response(body, mimetype="application/json")

    def _read(self) -> tuple[bytes, dict[str, Any]]:
        if request.mimetype != "application/json":
            raise BadRequest("content type must be application/json")
        try:
            raw = request.get_data(cache=True)
        except RequestEntityTooLarge as error:
            raise BadRequest("request body is too large", 413) from error
        try:
            envelope = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as error:
            raise BadRequest("request body is not valid JSON") from error
        if not isinstance(envelope, dict):
            raise BadRequest("request body is not an Alexa request envelope")
        return raw, envelope

    def _check_shape(self, envelope: dict[str, Any]) -> None:
        error = next(self.shape.iter_errors(envelope), None)
        if error is not None:
            where = "/".join(str(part) for part in error.absolute_path) or "envelope"
            raise BadRequest(f"not an Alexa request envelope: {where} is missing or malformed")

    def _deserialize(self, raw: bytes) -> RequestEnvelope:
        try:
            envelope: RequestEnvelope = self.skill.serializer.deserialize(
                raw.decode("utf-8"), RequestEnvelope
            )
            return envelope
        except Exception as error:  # the SDK raises several kinds for odd values
            raise BadRequest("request envelope could not be read") from error


def _refuse(error: BadRequest) -> Response:
    log.info("alexa request refused: %s", error.reason)
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
    """Build the Alexa endpoint for this app and register its route."""
    verifier = None
    if app.config["ALEXA_VERIFY_SIGNATURES"]:
        verifier = AlexaRequestVerifier()
    else:
        log.warning(
            "ALEXA_VERIFY_SIGNATURES is off: /alexa accepts unsigned requests. "
            "Use this only for local testing, never for a skill Amazon can reach."
        )
    app.extensions["alexa"] = AlexaEndpoint(app, verifier, app.config["ALEXA_SKILL_IDS"])
    app.register_blueprint(blueprint)
