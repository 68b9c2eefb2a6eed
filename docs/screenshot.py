"""Take the simulator's screenshots in docs/: `.venv/bin/python docs/screenshot.py`.

docs/simulator.png (desktop) and docs/simulator-phone.png show a short conversation ending in a
hug's countdown; docs/exercise-photos.png (a photo show-and-tell turn's timer) and
docs/exercise-wheel.png (the life balance wheel's rating chips) show two exercises at
phone width. Serves the app on a temporary SQLite file, plays each conversation in headless
Chromium (the same setup as tests/e2e) and saves what the page shows.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

from cryptography.fernet import Fernet
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from skill import create_app  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE  # noqa: E402

TURNS = [
    "a question about family",
    "start a tech free evening",
    "remind us every sunday at eight",
    "start a hug",
]
# (image, the viewport's name, what is typed, what must show before the picture is taken)
SCENES = [
    ("simulator.png", "desktop", TURNS, "#countdown"),
    ("simulator-phone.png", "phone", TURNS, "#countdown"),
    ("exercise-photos.png", "phone", ["photo show and tell", "yes"], "#timers [role=timer]"),
    ("exercise-wheel.png", "phone", ["the life balance wheel", "seven", "maybe a six"], "#chips button"),
]


def main() -> None:
    """Play the conversation at both widths and save the two images."""
    folder = Path(tempfile.mkdtemp())
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'shot.sqlite3'}",
            "ALEXA_VERIFY_SIGNATURES": False,
            "ANSWER_KEYS": Fernet.generate_key().decode(),
            "RNG_SEED": 3,
            "WEB_SIMULATOR": True,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/?mute=1"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for name, width, turns, shown in SCENES:
                viewport = DESKTOP if width == "desktop" else PHONE
                context = browser.new_context(viewport=viewport, timezone_id="Europe/Berlin")
                page = context.new_page()
                page.goto(url)
                expect(page.locator("#chips button").first).to_be_visible()
                for words in turns:
                    replies = page.locator(".bubble.skill").count()
                    page.fill("#say", words)
                    page.press("#say", "Enter")
                    expect(page.locator(".bubble.skill")).to_have_count(replies + 1)
                expect(page.locator(shown).first).to_be_visible()
                page.wait_for_timeout(2200)  # a couple of seconds into a countdown
                page.screenshot(path=str(ROOT / "docs" / name), full_page=True)
                context.close()
            browser.close()
    finally:
        server.shutdown()
        app.extensions["store"].dispose()


if __name__ == "__main__":
    main()
