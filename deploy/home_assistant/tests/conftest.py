"""A real Heart to Heart server on 127.0.0.1, and a real Home Assistant (in process) talking to it.

The server runs under gunicorn on the project's own interpreter (its `.venv`, or the one
`HEART_TO_HEART_PYTHON` names), on a SQLite file of this run. These tests fail, never skip,
when it cannot start.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from homeassistant.const import CONF_API_TOKEN, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heart_to_heart.const import DOMAIN

PROJECT = Path(__file__).resolve().parents[3]
PYTHON = Path(os.environ.get("HEART_TO_HEART_PYTHON") or PROJECT / ".venv" / "bin" / "python")
SEED = 20261202  # every turn's choices drawn alike, on every platform (the server's RNG_SEED)
ZONE = "Europe/London"


@dataclass
class Server:
    """The running server: its address, its database and how to issue a household token."""

    url: str
    database: Path
    environment: dict[str, str]

    def token(self) -> str:
        """A new household's token, from the server's own command (`flask --app skill assist-token`)."""
        issued = subprocess.run(
            [str(PYTHON), "-m", "flask", "--app", "skill", "assist-token"],
            cwd=PROJECT,
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return issued.stdout.strip()

    def database_bytes(self) -> bytes:
        """Every byte of the SQLite database as it is on disk, write-ahead log included."""
        return b"".join(path.read_bytes() for path in self.database.parent.glob(self.database.name + "*"))


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """gunicorn serving the whole app, the local assistants' endpoint on, on a free port."""
    if not PYTHON.exists():
        pytest.fail(f"the server's interpreter {PYTHON} is missing: run `make install` first", pytrace=False)
    folder = tmp_path_factory.mktemp("server")
    database = folder / "heart_to_heart.sqlite3"
    keys = Fernet.generate_key().decode()
    config = {
        "DATABASE_URL": f"sqlite:///{database}",
        "ANSWER_KEYS": keys,
        "ASSIST_API": True,
        "WEB_SIMULATOR": True,
        "WEB_RATE_LIMIT": 0,
        "ALEXA_VERIFY_SIGNATURES": False,
        "RNG_SEED": SEED,
    }
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "DATABASE_URL": config["DATABASE_URL"],
        "ANSWER_KEYS": keys,
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    log = folder / "server.log"
    command = [str(PYTHON), "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", "1"]
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, f"skill:create_app({config!r})"],
            cwd=PROJECT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        url = _listening(process, log)
        yield Server(url, database, environment)
    finally:
        process.terminate()
        process.wait(timeout=15)


def _listening(process: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", log.read_text())
        if found and "Booting worker" in log.read_text():
            time.sleep(1.0)  # the worker builds the app (and migrates) before it serves
            return found.group(1)
        if process.poll() is not None:
            break
        time.sleep(0.1)
    pytest.fail(f"the Heart to Heart server did not start:\n{log.read_text()}", pytrace=False)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Home Assistant loads custom_components/heart_to_heart from this folder."""


@pytest.fixture
async def home(hass: HomeAssistant, socket_enabled: None, server: Server) -> AsyncIterator[MockConfigEntry]:
    """Home Assistant with Heart to Heart set up for a new household on the real server."""
    await hass.config.async_set_time_zone(ZONE)
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_URL: server.url, CONF_API_TOKEN: server.token()})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    yield entry
    if hass.config_entries.async_get_entry(entry.entry_id) is not None:  # not removed by the test
        await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
