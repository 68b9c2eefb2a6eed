"""Shared fixtures: an app on a real SQLite file, a real PostgreSQL database, and an Alexa client."""

from __future__ import annotations

import copy
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from skill import create_app
from skill.config import ENVIRONMENT_NAMES

FIXTURES = Path(__file__).parent / "fixtures"
TEST_ANSWER_KEY = Fernet.generate_key().decode()
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def served_environment() -> dict[str, str]:
    """The environment for a server a test starts: the shell's, minus every app setting it
    exported (the test names the settings its server runs with)."""
    return {key: value for key, value in os.environ.items() if key not in ENVIRONMENT_NAMES}


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """For a test of code that reads the environment itself (gunicorn's hooks, the Lambda
    entry): none of the app's settings the shell exported."""
    for name in ENVIRONMENT_NAMES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped at the end. Never skipped."""
    name = f"hth_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # pragma: no cover - the point is to fail loudly
        pytest.fail(f"PostgreSQL is required at {POSTGRES_ADMIN_URL}: {error}")
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A real SQLite file in a temporary folder."""
    return f"sqlite:///{tmp_path / 'skill.sqlite3'}"


@pytest.fixture
def make_app() -> Iterator[Any]:
    """Build apps with `create_app`, closing their database pools when the test ends."""
    apps: list[Flask] = []

    def build(config: dict[str, Any]) -> Flask:
        built = create_app(
            {"ANSWER_KEYS": TEST_ANSWER_KEY, "WEB_SIMULATOR": True, "WEB_RATE_LIMIT": 0, **config}
        )
        apps.append(built)
        return built

    yield build
    for built in apps:
        built.extensions["store"].dispose()


@pytest.fixture
def app(make_app: Any, sqlite_url: str) -> Flask:
    """The app on a SQLite file, with signature verification off (these tests send unsigned requests)."""
    built: Flask = make_app({"DATABASE_URL": sqlite_url, "ALEXA_VERIFY_SIGNATURES": False})
    return built


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def load_fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "alexa" / f"{name}.json").read_text())
    return data


@dataclass
class AlexaReply:
    """What a person would notice in an Alexa response."""

    status: int
    body: dict[str, Any]

    @property
    def response(self) -> dict[str, Any]:
        return dict(self.body.get("response", {}))

    @property
    def ssml(self) -> str:
        return str(self.response.get("outputSpeech", {}).get("ssml", ""))

    @property
    def speech(self) -> str:
        from skill.cli import speech_text

        return speech_text(self.ssml)

    @property
    def reprompt(self) -> str:
        from skill.cli import speech_text

        ssml = self.response.get("reprompt", {}).get("outputSpeech", {}).get("ssml", "")
        return speech_text(ssml)

    @property
    def card(self) -> dict[str, Any] | None:
        card = self.response.get("card")
        return dict(card) if card else None

    @property
    def ended(self) -> bool:
        return bool(self.response.get("shouldEndSession", True))


class AlexaSession:
    """Plays one household's requests through POST /alexa, built from real request fixtures."""

    def __init__(self, client: FlaskClient, user_id: str = "amzn1.ask.account.HOUSEHOLDONE") -> None:
        self.client: Any = client  # a FlaskClient, or the e2e tests' HTTP client of the same shape
        self.user_id = user_id
        self.session_id: str | None = None

    def _envelope(self, fixture: str) -> dict[str, Any]:
        envelope = copy.deepcopy(load_fixture(fixture))
        new = self.session_id is None
        if new:
            self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
        envelope["session"]["new"] = new
        envelope["session"]["sessionId"] = self.session_id
        envelope["session"]["user"]["userId"] = self.user_id
        envelope["context"]["System"]["user"]["userId"] = self.user_id
        envelope["request"]["requestId"] = f"amzn1.echo-api.request.{uuid.uuid4()}"
        return envelope

    def post(self, envelope: dict[str, Any]) -> AlexaReply:
        result = self.client.post("/alexa", json=envelope)
        reply = AlexaReply(result.status_code, result.get_json(silent=True) or {})
        if reply.status == 200 and reply.ended:
            self.session_id = None
        return reply

    def launch(self) -> AlexaReply:
        return self.post(self._envelope("launch_request"))

    def intent(self, intent_name: str, /, **slots: str | tuple[str, str | None]) -> AlexaReply:
        envelope = self._envelope("intent_request")
        intent = envelope["request"]["intent"]
        template = intent["slots"]["category"]
        intent["name"] = intent_name
        intent["slots"] = {}
        for slot_name, given in slots.items():
            heard, resolved = given if isinstance(given, tuple) else (given, None)
            slot = copy.deepcopy(template)
            slot["name"] = slot_name
            slot["value"] = heard
            slot.pop("slotValue", None)
            authority = slot["resolutions"]["resolutionsPerAuthority"][0]
            if resolved is None:
                authority["status"]["code"] = "ER_SUCCESS_NO_MATCH"
                authority.pop("values", None)
            else:
                authority["values"] = [{"value": {"name": heard, "id": resolved}}]
            intent["slots"][slot_name] = slot
        return self.post(envelope)

    def session_ended(self) -> AlexaReply:
        envelope = self._envelope("session_ended_request")
        return self.post(envelope)


@pytest.fixture
def alexa(client: FlaskClient) -> AlexaSession:
    return AlexaSession(client)
