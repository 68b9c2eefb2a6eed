"""5,000 hostile raw-HTTP requests against the skill served the shipped way, verification on.

gunicorn starts with deploy/gunicorn.conf.py and `skill:create_app()`, signature
verification on, the simulator on (so its endpoints are attacked too). The requests are
made by a seeded generator, so a failure repeats: malformed request lines and framing,
chunked bodies, bodies shorter or longer than they say, mutated real envelopes, wrong
types, Unicode digits and lone surrogates, oversized and deeply nested bodies, bad
signature headers, old timestamps, random paths and methods, calendar parameters. The
certificate URLs are ones the verifier refuses before any download (the bounded downloads
have their own tests), so nothing reaches the outside world.

It fails on any 5xx, any traceback text, and any unsigned `POST /alexa` answered with
anything but 400, 413 or 431.
"""

from __future__ import annotations

import copy
import json
import random
import socket
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.conftest import load_fixture
from tests.skill.test_serving import Gunicorn, gunicorn  # noqa: F401 - the fixture

REQUESTS = 5000
SEED = 20261202
ENVELOPES = [load_fixture(name) for name in ("launch_request", "intent_request", "session_ended_request")]
ODD = [
    "²",
    "٣",
    "\ud800",
    "\x00",
    "\u202e",
    "𝟗",
    "1e309",
    "-1",
    "NaN",
    "",
    " ",
    "a" * 3000,
    "{}",
    "[]",
    "null",
]
PATHS = [
    "/alexa",
    "/web/turn",
    "/web/reset",
    "/web/calendar.ics",
    "/web/household/x",
    "/",
    "/healthz",
    "/readyz",
    "/web/static/simulator.js",
    "/web/static//x",
    "/%00",
    "/alexa/..%2f",
    "/" + "a" * 3000,
    "/?" + "b" * 9000,
]
METHODS = ["POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "BREW", "P\x00ST"]
BAD_CERT_URLS = [
    "https://evil.example/echo.api/c.pem",
    "http://s3.amazonaws.com/echo.api/c.pem",
    "https://s3.amazonaws.com/other/c.pem",
    "https://s3.amazonaws.com:444/echo.api/c.pem",
    "",
    "%%%",
]


def _mutated(rng: random.Random) -> bytes:
    envelope: Any = copy.deepcopy(rng.choice(ENVELOPES))
    for _ in range(rng.randint(0, 4)):
        node, key = envelope, None
        for _depth in range(rng.randint(1, 4)):
            if isinstance(node, dict) and node:
                key = rng.choice(list(node))
                if isinstance(node[key], dict | list) and rng.random() < 0.6:
                    node = node[key]
                    continue
            break
        if isinstance(node, dict) and key in node:
            choice = rng.random()
            if choice < 0.3:
                del node[key]
            elif choice < 0.8:
                node[key] = rng.choice([*ODD, 0, 1.5, True, None, [], {}, {"value": rng.choice(ODD)}])
            else:
                node[rng.choice(ODD)] = rng.choice(ODD)
    if rng.random() < 0.1:
        for _ in range(rng.randint(10, 200)):
            envelope = [envelope]
    text = json.dumps(envelope, ensure_ascii=rng.random() < 0.5)
    return text.encode("utf-8", "surrogatepass")


def _body(rng: random.Random) -> bytes:
    kind = rng.random()
    if kind < 0.55:
        return _mutated(rng)
    if kind < 0.7:
        turn = {
            "session_id": rng.choice(["s" * 20, "x", "a\nb" * 8, 5]),
            rng.choice(["utterance", "intent", "launch"]): rng.choice(
                [*ODD, True, "start our check in", "AnswerIntent"]
            ),
            "slots": {"duration": rng.choice(ODD)},
        }
        return json.dumps(turn).encode("utf-8", "surrogatepass")
    if kind < 0.8:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300)))
    if kind < 0.9:
        return b"{" * rng.randint(50, 5000)
    return b'{"a":"' + b"x" * rng.randint(100_000, 300_000) + b'"}'


def _request(rng: random.Random) -> tuple[str, str, bytes, bool]:
    method = rng.choice(METHODS) if rng.random() < 0.3 else "POST"
    path = rng.choice(PATHS)
    if path == "/web/calendar.ics":
        params = {
            k: rng.choice(ODD + ["2026-12-06T20:00", "WEEKLY", "SU", "Europe/Berlin", "9999-01-01T00:00"])
            for k in rng.sample(
                ["start", "summary", "id", "tz", "freq", "interval", "days"], rng.randint(0, 7)
            )
        }
        path += "?" + "&".join(
            f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'), safe='')}" for k, v in params.items()
        )
        method = "GET"
    body = _body(rng) if method in ("POST", "PUT", "PATCH") else b""
    headers = [f"Host: {rng.choice(['127.0.0.1', 'evil.example', '', 'a' * 300])}"]
    kinds = ["application/json", "text/plain", "", "application/json; charset=latin-1"]
    headers.append(f"Content-Type: {rng.choice(kinds)}")
    if rng.random() < 0.7:
        headers.append(f"SignatureCertChainUrl: {rng.choice(BAD_CERT_URLS)}")
    if rng.random() < 0.7:
        headers.append(f"Signature-256: {rng.choice(['', '!!', 'QUJD', 'A' * 400, '²'])}")
    if rng.random() < 0.05:
        headers.append("X-Big: " + "h" * rng.randint(5000, 20000))
    framing = rng.random()
    if framing < 0.6:
        headers.append(f"Content-Length: {len(body)}")
        wire = body
    elif framing < 0.75:
        headers.append(f"Content-Length: {len(body) + rng.randint(1, 50)}")  # shorter than it says
        wire = body
    elif framing < 0.9:
        headers.append("Transfer-Encoding: chunked")
        wire = b"".join(
            f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in (body[:10], body[10:]) if part
        )
        wire += rng.choice([b"0\r\n\r\n", b"zz\r\n", b"5\r\nab\r\n0\r\n\r\n", b""])
    else:
        headers.append(f"Content-Length: {rng.choice(['-1', 'abc', '1e3', '99999999999999999999', '²'])}")
        wire = body
    head = f"{method} {path} HTTP/1.1\r\n" + "\r\n".join(headers) + "\r\nConnection: close\r\n\r\n"
    unsigned_alexa = method == "POST" and path == "/alexa"
    return method, path, head.encode("utf-8", "surrogatepass") + wire, unsigned_alexa


def _send(port: int, data: bytes) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may refuse and close before the whole request is sent
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
    if not received:
        return 0, b""  # closed without an answer (gunicorn drops some garbage outright)
    status_line = received.split(b"\r\n", 1)[0].split(b" ")
    return int(status_line[1]) if len(status_line) > 1 and status_line[1].isdigit() else -1, received


def test_five_thousand_hostile_requests_get_no_server_error(gunicorn: Any, tmp_path: Path) -> None:  # noqa: F811
    server: Gunicorn = gunicorn(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'fuzz.sqlite3'}",
            "WEB_SIMULATOR": "true",
            "WEB_RATE_LIMIT": "0",
        },
        workers=2,
    )
    rng = random.Random(SEED)
    statuses: dict[int, int] = {}
    for number in range(REQUESTS):
        method, path, data, unsigned_alexa = _request(rng)
        status, answer = _send(server.port, data)
        statuses[status] = statuses.get(status, 0) + 1
        context = f"request {number}: {data[:160]!r} -> {answer[:200]!r}"
        assert status == 0 or 100 <= status < 500, context
        assert b"Traceback" not in answer, context
        if unsigned_alexa and status:
            assert status in (400, 413, 431), context
    print("statuses:", dict(sorted(statuses.items())))
    assert sum(statuses.values()) == REQUESTS and statuses.get(400, 0) > REQUESTS // 4, statuses
