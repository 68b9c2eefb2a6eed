"""An operator can switch the browser simulator off; the Alexa endpoint is unaffected."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from skill import create_app
from tests.conftest import TEST_ANSWER_KEY, load_fixture


def test_the_simulator_is_on_by_default(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.post("/web/turn", json={"session_id": "a" * 20, "launch": True}).status_code == 200


def test_web_simulator_false_removes_the_page_and_the_endpoints(
    make_app: Callable[[dict[str, Any]], Flask], sqlite_url: str
) -> None:
    app = make_app({"DATABASE_URL": sqlite_url, "ALEXA_VERIFY_SIGNATURES": False, "WEB_SIMULATOR": "false"})
    client = app.test_client()
    assert client.get("/").status_code == 404
    assert client.post("/web/turn", json={"session_id": "a" * 20, "launch": True}).status_code == 404
    assert client.post("/alexa", json=load_fixture("launch_request")).status_code == 200


def test_the_simulator_is_off_unless_asked_for() -> None:
    from skill.config import from_environment

    assert from_environment({})["WEB_SIMULATOR"] is False
    assert from_environment({"WEB_SIMULATOR": "true"})["WEB_SIMULATOR"] is True
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert "WEB_SIMULATOR=true $(BIN)/flask --app skill run" in makefile


def test_a_mapping_is_the_whole_configuration_and_the_environment_is_not_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ALEXA_SKILL_IDS", "amzn1.ask.skill.from-the-shell")
    monkeypatch.setenv("WEB_SIMULATOR", "true")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'from-the-shell.sqlite3'}")
    given = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'given.sqlite3'}", "ANSWER_KEYS": TEST_ANSWER_KEY}
    )
    assert given.config["ALEXA_SKILL_IDS"] == frozenset() and given.config["WEB_SIMULATOR"] is False
    assert given.test_client().get("/").status_code == 404  # the shell's WEB_SIMULATOR was not read
    given.extensions["store"].dispose()
    assert not (tmp_path / "from-the-shell.sqlite3").exists()

    monkeypatch.setenv("ANSWER_KEYS", TEST_ANSWER_KEY)
    served = create_app()  # no mapping: the environment is the configuration
    assert served.config["ALEXA_SKILL_IDS"] == {"amzn1.ask.skill.from-the-shell"}
    assert served.test_client().get("/").status_code == 200
    served.extensions["store"].dispose()
