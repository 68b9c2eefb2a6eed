"""Fixtures for the host tests: Amazon's APIs (mocked at the HTTP level) and a fixed clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import responses
from flask import Flask
from sqlalchemy import text

from tests.skill.signing import CERT_URL, Pki

FIXED_NOW = datetime(2026, 11, 22, 19, 0, tzinfo=UTC)


@pytest.fixture
def amazon() -> Iterator[responses.RequestsMock]:
    """Amazon's APIs; a call to anything not registered fails the request like a dead network."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        yield api


@pytest.fixture
def fixed_clock(app: Flask) -> datetime:
    """The app's clock stopped at Sunday 22 November 2026, 19:00 UTC."""
    app.extensions["conversation"].clock = lambda: FIXED_NOW
    return FIXED_NOW


@pytest.fixture
def rsps(pki: Pki) -> Iterator[responses.RequestsMock]:
    """Amazon's S3 serving the test signing chain (`pki`: the test module's own chain)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(CERT_URL, body=pki.chain_pem)
        yield mock


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    """Each test that asks for it runs twice: on a real SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return sqlite_url
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def checkin_app(make_app: Callable[[dict[str, Any]], Flask], database_url: str) -> Flask:
    """The app on that database, unsigned requests accepted, with no household stored yet."""
    app = make_app({"DATABASE_URL": database_url, "ALEXA_VERIFY_SIGNATURES": False})
    with app.extensions["store"].engine.begin() as conn:  # PostgreSQL is shared by the whole run
        for table in ("answers", "checkins", "households"):
            conn.execute(text(f"DELETE FROM {table}"))
    return app
