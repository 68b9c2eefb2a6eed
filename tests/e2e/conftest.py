"""A real server on localhost and real headless Chromium, driven by Playwright.

Never skipped: without Debian's `chromium` or the `playwright` package these tests fail and
say what to install (`.ci/run` installs both). Never `playwright install`: it downloads a
browser of its own, which this project does not need.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from skill import create_app
from tests.conftest import TEST_ANSWER_KEY

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _require_browser() -> None:
    problems = []
    if importlib.util.find_spec("playwright") is None:
        problems.append("the playwright package (pip install -e '.[dev]')")
    if not Path(CHROMIUM).exists():
        problems.append(f"Chromium at {CHROMIUM} (apt-get install -y chromium)")
    if problems:
        pytest.fail(
            "browser tests need " + " and ".join(problems) + "; they are never skipped", pytrace=False
        )


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The whole app served by werkzeug on a free localhost port, on its own SQLite file."""
    folder = tmp_path_factory.mktemp("e2e")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'skill.sqlite3'}",
            "ALEXA_VERIFY_SIGNATURES": False,
            "ANSWER_KEYS": TEST_ANSWER_KEY,
            "RNG_SEED": 7,
            "WEB_SIMULATOR": True,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        app.extensions["store"].dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole run."""
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh browser context (its own localStorage, so its own household), page muted."""
    context = browser.new_context(viewport=PHONE, timezone_id="Europe/Berlin", accept_downloads=True)
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    opened.goto(f"{live_server}/?mute=1")
    opened.wait_for_selector("#chips button")
    try:
        yield opened
    finally:
        context.close()
