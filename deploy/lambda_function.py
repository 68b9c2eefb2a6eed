"""AWS Lambda entry point: the same endpoint function as `POST /alexa`, without the web server.

Handler: `lambda_function.handler` (put this file at the root of the deployment package,
next to the installed `skill` and `dialogue` packages; see the README).

Amazon invokes a Lambda function only for the skill ids on its Alexa Skills Kit trigger,
so there is no request signature to check here. What the web endpoint checks after the
signature still applies: the application id against `ALEXA_SKILL_IDS` (when set) and the
envelope's shape, which refuses slot values that could not be read back safely. Then
`AlexaEndpoint.answer` gives the response, exactly as on the web.

The app (store, migrations, the skill) is built once per Lambda container, on the first
request, from the environment. Settings that have a local default on a web server must be
given explicitly here, because a Lambda container's disk is private, temporary and (under
/var/task) read-only:

- `DATABASE_URL`, required: PostgreSQL (`postgresql://user:password@host/db`), shared by
  every container. SQLite is refused, because each container would keep its own
  households; `LAMBDA_ALLOW_SQLITE=true` allows it for a one-container trial only.
- `ANSWER_KEYS`, required: the Fernet key(s) for check-in answers (no key file on Lambda).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)

_app: Flask | None = None


class LambdaConfigurationError(RuntimeError):
    """The function's environment is missing a setting Lambda needs; the message says which."""


def check_environment(environ: Mapping[str, str]) -> None:
    """Refuse to start without the settings a Lambda container cannot default."""
    url = environ.get("DATABASE_URL", "").strip()
    if not url:
        raise LambdaConfigurationError(
            "DATABASE_URL is required on Lambda: point it at PostgreSQL "
            "(postgresql://user:password@host:5432/heart_to_heart), which every container shares"
        )
    allow_sqlite = environ.get("LAMBDA_ALLOW_SQLITE", "").strip().lower() in ("1", "true", "yes", "on")
    if not url.startswith("postgresql") and not allow_sqlite:
        raise LambdaConfigurationError(
            "DATABASE_URL must be PostgreSQL on Lambda: each container has its own disk, so SQLite would "
            "split households across containers (LAMBDA_ALLOW_SQLITE=true allows it for a trial)"
        )
    if not environ.get("ANSWER_KEYS", "").strip():
        raise LambdaConfigurationError(
            "ANSWER_KEYS is required on Lambda: the Fernet key(s) that encrypt check-in answers "
            "(a Lambda container cannot keep a key file)"
        )


def app() -> Flask:
    """The app for this container, built on first use."""
    global _app
    if _app is None:
        check_environment(os.environ)
        from skill import create_app

        _app = create_app()
    return _app


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one Alexa request (the Lambda event is the request envelope)."""
    from skill.alexa.verification import VerificationError, check_application_id

    built = app()
    endpoint = built.extensions["alexa"]
    try:
        check_application_id(event, endpoint.skill_ids)
    except VerificationError as error:
        log.info("alexa request refused: %s", error.reason)
        raise PermissionError(error.reason) from error
    if endpoint.shape.first_error(event) is not None:
        log.info("alexa request refused: not an Alexa request envelope")
        raise ValueError("not an Alexa request envelope")
    with built.app_context():
        answered: dict[str, Any] = endpoint.answer(event)  # the same function as POST /alexa
    return answered
