"""Serving: health and readiness probes, request ids, request logs, gunicorn's clean shutdown.

The helpers here (a gunicorn server in a subprocess, an HTTP client that `AlexaSession`
can drive, a stand-in for Amazon's Timers API) are shared with tests/e2e/test_scale_out.py.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask
from sqlalchemy import create_engine, text

from dialogue import intents
from skill.storage import HEAD_REVISION
from tests.conftest import POSTGRES_ADMIN_URL, TEST_ANSWER_KEY, AlexaSession, load_fixture, served_environment

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
UNREACHABLE_DB = "postgresql://127.0.0.1:1/x"
SECRET = "the night we danced in the kitchen"

# --------------------------------------------------------------------------- shared helpers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class HttpReply:
    """The part of a Flask test response `AlexaSession` reads, from a real HTTP response."""

    def __init__(self, response: requests.Response) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self._response = response

    def get_json(self, silent: bool = False) -> Any:
        try:
            return self._response.json()
        except ValueError:
            if silent:
                return None
            raise


class HttpClient:
    """Posts to a running server over real HTTP; stands in for Flask's test client."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def post(self, path: str, json: Any) -> HttpReply:
        return HttpReply(requests.post(self.base_url + path, json=json, timeout=15))


class HttpAlexa(AlexaSession):
    """An Alexa household over HTTP; Amazon's APIs (timers) are reached at `api_endpoint`."""

    def __init__(self, client: Any, user_id: str, api_endpoint: str | None = None) -> None:
        super().__init__(client, user_id)
        self.api_endpoint = api_endpoint

    def _envelope(self, fixture: str) -> dict[str, Any]:
        envelope = super()._envelope(fixture)
        if self.api_endpoint is not None:
            envelope["context"]["System"]["apiEndpoint"] = self.api_endpoint
        return envelope


class Gunicorn:
    """`gunicorn -c deploy/gunicorn.conf.py 'skill:create_app()'` on a free local port."""

    def __init__(self, env: dict[str, str], log_path: Path, workers: int = 1) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        full_env = {
            **served_environment(),
            "ANSWER_KEYS": TEST_ANSWER_KEY,
            **env,
            "BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "PYTHONPATH": str(ROOT),
        }
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "skill:create_app()"],
            cwd=ROOT,
            env=full_env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited early:\n{self.log()}")
            try:
                if requests.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or the worker still booting
                pass
            time.sleep(0.1)
        raise AssertionError(f"gunicorn never became ready:\n{self.log()}")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[Callable[..., Gunicorn]]:
    """Start gunicorn servers; every one is stopped when the test ends."""
    started: list[Gunicorn] = []

    def start(env: dict[str, str], workers: int = 1) -> Gunicorn:
        server = Gunicorn(env, tmp_path / f"gunicorn-{len(started)}.log", workers)
        started.append(server)
        server.wait_ready()
        return server

    yield start
    for server in started:
        server.stop()


def self_signed_localhost(folder: Path) -> tuple[Path, Path]:
    """A certificate for https://127.0.0.1 (ask-sdk-core calls only HTTPS endpoints) and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "amazon-stub.pem", folder / "amazon-stub.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


class AmazonTimers:
    """Amazon's Timers API shape on https://127.0.0.1 (POST /v1/alerts/timers, DELETE …/{id}).

    Records every call; waits `delay` seconds before answering a create, so a turn can be
    caught in flight. Servers must trust `ca_file` (`REQUESTS_CA_BUNDLE`, see `env`).
    """

    def __init__(self, folder: Path, delay: float = 0.0) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.received = threading.Event()
        self.delay = delay
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                stub.calls.append(("POST", self.path, body))
                stub.received.set()
                if self.path != "/v1/alerts/timers":
                    self._send(404, {"message": "not here"})
                    return
                time.sleep(stub.delay)
                timer_id = f"timer-{uuid.uuid4().hex[:8]}"
                self._send(
                    200,
                    {
                        "id": timer_id,
                        "status": "ON",
                        "duration": body.get("duration", "PT2H"),
                        "timerLabel": body.get("timerLabel", ""),
                        "triggerTime": "2026-11-22T21:00:00Z",
                        "createdTime": "2026-11-22T19:00:00Z",
                        "updatedTime": "2026-11-22T19:00:00Z",
                    },
                )

            def do_DELETE(self) -> None:  # noqa: N802
                stub.calls.append(("DELETE", self.path, {}))
                self._send(200, None)

            def do_GET(self) -> None:  # noqa: N802 - the time zone: unknown here
                stub.calls.append(("GET", self.path, {}))
                self._send(404, {"message": "not here"})

            def _send(self, status: int, body: Any) -> None:
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        self.ca_file, key_file = self_signed_localhost(folder)
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(self.ca_file, key_file)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.env = {"REQUESTS_CA_BUNDLE": str(self.ca_file)}
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def amazon_timers(tmp_path: Path) -> Iterator[Callable[..., AmazonTimers]]:
    stubs: list[AmazonTimers] = []

    def start(delay: float = 0.0) -> AmazonTimers:
        folder = tmp_path / f"amazon-{len(stubs)}"
        folder.mkdir()
        stubs.append(AmazonTimers(folder, delay))
        return stubs[-1]

    yield start
    for stub in stubs:
        stub.close()


# --------------------------------------------------------------------------- probes


def test_healthz_answers_without_a_database_and_readyz_says_why_not(
    make_app: Callable[[dict[str, Any]], Flask], caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app({"DATABASE_URL": UNREACHABLE_DB, "ALEXA_VERIFY_SIGNATURES": False})  # does not raise
    client = app.test_client()
    alive = client.get("/healthz")
    assert alive.status_code == 200 and alive.get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 503
    body = ready.get_json()
    assert body["status"] == "unavailable" and "database" in body["reason"]
    assert "127.0.0.1:1" not in body["reason"]  # never the URL (it may carry a password)
    turn = AlexaSession(client).launch()
    assert turn.status == 503 and turn.body == {"error": "database unavailable"}
    assert any("migration deferred" in record.getMessage() for record in caplog.records)


def test_readyz_turns_ready_once_the_database_appears_and_the_schema_is_migrated(
    make_app: Callable[[dict[str, Any]], Flask],
) -> None:
    name = f"hth_late_{uuid.uuid4().hex[:10]}"
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    app = make_app({"DATABASE_URL": f"{base}/{name}", "ALEXA_VERIFY_SIGNATURES": False})
    client = app.test_client()
    assert client.get("/readyz").status_code == 503  # the database does not exist yet
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.get_json() == {"status": "ready"}
        launch = AlexaSession(client, "amzn1.ask.account.LATE").launch()
        assert launch.status == 200 and "Welcome" in launch.speech
    finally:
        app.extensions["store"].dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_readyz_is_ready_on_a_working_database(app: Flask) -> None:
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 200 and ready.get_json() == {"status": "ready"}


# --------------------------------------------------------------------------- request ids and logs


def test_a_sane_request_id_is_echoed_and_any_other_is_replaced(app: Flask) -> None:
    client = app.test_client()
    given = client.get("/healthz", headers={"X-Request-Id": "edge-7f3a:42"})
    assert given.headers["X-Request-Id"] == "edge-7f3a:42"
    for hostile in ("x" * 200, "a b", "<script>", "id\u00e9"):
        replaced = client.get("/healthz", headers={"X-Request-Id": hostile})
        assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["X-Request-Id"])
    first = client.get("/healthz").headers["X-Request-Id"]
    second = client.get("/healthz").headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second
    alexa = client.post("/alexa", data=b"not json", content_type="application/json")
    assert alexa.status_code == 400 and re.fullmatch(r"[0-9a-f]{32}", alexa.headers["X-Request-Id"])


def request_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "skill.requests"]


def test_one_json_log_line_per_request_with_latency_and_no_user_text(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    alexa = AlexaSession(app.test_client(), "amzn1.ask.account.LOGGED")
    alexa.launch()
    alexa.intent(intents.START_CHECKIN)
    alexa.intent(intents.NAME, name="Rosalind")
    alexa.intent(intents.YES)
    alexa.intent(intents.JUST_ME)
    saved = alexa.intent(intents.ANSWER, answer=SECRET)
    assert saved.status == 200 and "Rosalind" in saved.speech
    app.test_client().get("/healthz", headers={"X-Request-Id": "probe-1"})

    lines = request_lines(caplog)
    assert len(lines) == 7
    assert [line.get("intent") for line in lines[1:6]] == [
        intents.START_CHECKIN,
        intents.NAME,
        intents.YES,
        intents.JUST_ME,
        intents.ANSWER,
    ]
    assert lines[0]["alexa_type"] == "LaunchRequest" and "intent" not in lines[0]
    for line in lines[:6]:
        assert line["method"] == "POST" and line["path"] == "/alexa" and line["status"] == 200
        assert isinstance(line["ms"], float) and 0 <= line["ms"] < 5000
        assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
    assert lines[6] == {**lines[6], "path": "/healthz", "request_id": "probe-1", "status": 200}
    assert "alexa_type" not in lines[6]
    everything = "\n".join(record.getMessage() for record in caplog.records)
    assert SECRET not in everything and "Rosalind" not in everything and "kitchen" not in everything


# --------------------------------------------------------------------------- gunicorn


def test_the_deploy_config_sizes_workers_from_the_cpus_and_stays_inside_alexas_budget() -> None:
    def load(database_url: str | None) -> dict[str, Any]:
        settings: dict[str, Any] = {}
        names = ("WEB_CONCURRENCY", "WORKER_TIMEOUT", "DATABASE_URL")
        saved = {key: os.environ.pop(key) for key in names if key in os.environ}
        if database_url is not None:
            os.environ["DATABASE_URL"] = database_url
        try:
            exec(compile(GUNICORN_CONF.read_text(), str(GUNICORN_CONF), "exec"), settings)
        finally:
            os.environ.pop("DATABASE_URL", None)
            os.environ.update(saved)
        return settings

    cpus = len(os.sched_getaffinity(0))
    # SQLite has one writer at a time: a worker per CPU. PostgreSQL: extra workers cover
    # the turns waiting on Amazon's APIs.
    assert load(None)["workers"] == load("sqlite:////srv/h2h.sqlite3")["workers"] == max(2, cpus)
    assert load("postgresql://h2h@db/h2h")["workers"] == 2 * cpus + 1
    settings = load(None)
    assert settings["worker_class"] == "sync"
    assert settings["timeout"] < 8  # Alexa gives up after about 8 seconds
    assert settings["timeout"] <= settings["graceful_timeout"] <= 30
    assert settings["max_requests"] > 0 and settings["max_requests_jitter"] > 0


def test_sigterm_lets_the_request_in_flight_finish(
    gunicorn: Callable[..., Gunicorn], amazon_timers: Callable[..., AmazonTimers], tmp_path: Path
) -> None:
    amazon = amazon_timers(delay=1.5)  # Amazon takes its time creating the timer
    server = gunicorn(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'skill.sqlite3'}",
            "ALEXA_VERIFY_SIGNATURES": "false",
            **amazon.env,
        }
    )
    alexa = HttpAlexa(HttpClient(server.url), "amzn1.ask.account.SIGTERM", amazon.url)
    outcome: dict[str, Any] = {}

    def evening() -> None:
        try:
            outcome["reply"] = alexa.intent(intents.START_EVENING, duration="PT2H")
        except BaseException as error:  # noqa: BLE001 - asserted below
            outcome["error"] = error

    in_flight = threading.Thread(target=evening)
    in_flight.start()
    assert amazon.received.wait(10), "the turn never reached the timer API"
    server.process.send_signal(signal.SIGTERM)
    in_flight.join(15)

    assert "error" not in outcome, outcome.get("error")
    reply = outcome["reply"]
    assert reply.status == 200 and "2 hours" in reply.speech
    assert server.process.wait(timeout=15) == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "/healthz", timeout=2)
    log_lines = [line for line in server.log().splitlines() if line.startswith("{")]
    [logged] = [json.loads(line) for line in log_lines if '"/alexa"' in line]
    assert logged["status"] == 200 and logged["intent"] == intents.START_EVENING
    assert logged["ms"] >= 1500


class _HookServer:
    """What gunicorn's on_starting hook gets: a server with a logger."""

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.log = self

    def warning(self, message: str, *args: object) -> None:
        self.warnings.append(message % args)


def test_gunicorn_reads_sized_and_chunked_bodies_and_refuses_oversize_ones(
    gunicorn: Callable[..., Gunicorn], tmp_path: Path
) -> None:
    server = gunicorn(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'bodies.sqlite3'}", "ALEXA_VERIFY_SIGNATURES": "false"}
    )
    body = json.dumps(load_fixture("launch_request")).encode()

    def post(data: bytes | Iterator[bytes]) -> requests.Response:
        headers = {"Content-Type": "application/json"}
        return requests.post(server.url + "/alexa", data=data, headers=headers, timeout=10)

    sized = post(body)
    chunked = post(iter([body[:100], body[100:]]))  # a generator: requests sends it chunked
    assert sized.status_code == chunked.status_code == 200
    for answered in (sized, chunked):  # the launch greeting, waiting for an answer
        assert answered.json()["response"]["outputSpeech"]["ssml"].startswith("<speak>")
        assert answered.json()["response"]["shouldEndSession"] is False
    oversize = b"{" + b" " * 200_000 + b"}"
    assert post(oversize).status_code == 413
    too_long = post(iter([oversize[:70_000], oversize[70_000:]]))
    assert too_long.status_code == 413 and too_long.json() == {"error": "request body is too large"}


@pytest.mark.parametrize("case", ["new sqlite", "unreachable postgres", "auto_migrate off"])
def test_gunicorn_migrates_once_before_forking_workers(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_environment: None
) -> None:
    settings: dict[str, Any] = {}
    exec(compile(GUNICORN_CONF.read_text(), str(GUNICORN_CONF), "exec"), settings)
    database = tmp_path / "new.sqlite3"
    monkeypatch.setenv("ANSWER_KEYS", TEST_ANSWER_KEY)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    if case == "unreachable postgres":
        monkeypatch.setenv("DATABASE_URL", "postgresql://nobody:secret@127.0.0.1:1/none")
    if case == "auto_migrate off":
        monkeypatch.setenv("AUTO_MIGRATE", "false")
    server = _HookServer()
    settings["on_starting"](server)  # must never raise: the master keeps starting
    if case == "new sqlite":
        assert server.warnings == []
        with sqlite3.connect(database) as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD_REVISION,)]
    elif case == "unreachable postgres":
        assert len(server.warnings) == 1 and "workers will retry" in server.warnings[0]
        assert "secret" not in server.warnings[0]  # never the URL's password
    else:
        assert server.warnings == [] and not database.exists()


def raw_http(url: str, request: bytes, shut_write: bool = False) -> tuple[int, bytes]:
    """Send bytes as they are to a served app; its status code and body."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        sock.sendall(request)
        if shut_write:
            sock.shutdown(socket.SHUT_WR)  # the client is done: a short body stays short
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


@pytest.mark.parametrize("path", ["/alexa", "/web/turn"])
@pytest.mark.parametrize(
    ("framing", "body", "shut"),
    [
        ("Transfer-Encoding: chunked", b"zz\r\nab\r\n0\r\n\r\n", False),  # a chunk size that is no number
        ("Transfer-Encoding: chunked", b"5\r\nabc\r\n0\r\n\r\n", True),  # a chunk shorter than its size
        ("Transfer-Encoding: chunked", b"3\r\nabcdef\r\n0\r\n\r\n", False),  # a chunk longer than its size
        ("Content-Length: 9000", b"VALID", True),  # a whole request, sent with a longer length
    ],
    ids=["bad chunk size", "short chunk", "long chunk", "short body"],
)
def test_malformed_framing_is_a_4xx_never_a_server_error(
    gunicorn: Callable[..., Gunicorn], tmp_path: Path, path: str, framing: str, body: bytes, shut: bool
) -> None:
    server = gunicorn(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'framing.sqlite3'}",
            "ALEXA_VERIFY_SIGNATURES": "false",
            "WEB_SIMULATOR": "true",
        }
    )
    if body == b"VALID":  # a request that would be answered, were it not shorter than it says
        valid = (
            load_fixture("launch_request") if path == "/alexa" else {"session_id": "s" * 20, "launch": True}
        )
        body = json.dumps(valid).encode()
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Connection: close\r\n{framing}\r\n\r\n"
    ).encode() + body
    status, answer = raw_http(server.url, request, shut_write=shut)
    assert 400 <= status < 500, (status, answer[:200])
    assert b"Traceback" not in answer
    assert requests.get(server.url + "/healthz", timeout=10).status_code == 200  # still serving
