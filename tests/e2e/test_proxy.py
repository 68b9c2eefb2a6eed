"""The shipped serving arrangement: nginx (deploy/proxy.py) with TLS in front of gunicorn.

Both are started the way the README says: gunicorn with deploy/gunicorn.conf.py (two sync
workers, bound to loopback) and `python deploy/proxy.py` with a certificate. Then twenty
clients trickle their requests at the proxy one byte at a time, half of them still on their
headers and half on a body, while health probes and a household's turns must get through
as if nothing were happening. The same trickle straight at gunicorn, with only two clients,
leaves a probe unanswered: that is what the proxy is for, and what shows this test can fail.

Needs Debian's nginx (`.ci/run` installs it); never skipped.
"""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
import requests

from deploy import proxy
from skill.config import DEFAULT_MAX_BODY_BYTES
from tests.skill.test_serving import Gunicorn, free_port, self_signed_localhost

ROOT = Path(__file__).resolve().parents[2]
TRICKLERS = 20


class Proxy:
    """`python deploy/proxy.py` with a self-signed certificate for 127.0.0.1."""

    def __init__(self, folder: Path, upstream: str) -> None:
        if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
            pytest.fail("the proxy tests need nginx (apt-get install -y nginx); never skipped", pytrace=False)
        self.cert, key = self_signed_localhost(folder)
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.log_path = folder / "nginx.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        env = {
            **os.environ,
            "TLS_CERT": str(self.cert),
            "TLS_KEY": str(key),
            "PROXY_LISTEN": f"127.0.0.1:{self.port}",
            "UPSTREAM": upstream,
            "PROXY_RUN_DIR": str(folder / "proxy-run"),
            "PROXY_WORKERS": "1",
        }
        self.process = subprocess.Popen(
            [sys.executable, "deploy/proxy.py"], cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"nginx exited:\n{self.log()}")
            try:
                if requests.get(self.url + "/healthz", timeout=2, verify=str(self.cert)).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise AssertionError(f"nginx never answered:\n{self.log()}")

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Callable[..., tuple[Gunicorn, Proxy]]]:
    """gunicorn (the shipped config, two workers) and, optionally, the proxy in front."""
    running: list[Gunicorn | Proxy] = []

    def start(rate_limit: int = 0) -> tuple[Gunicorn, Proxy]:
        server = Gunicorn(
            {
                "DATABASE_URL": f"sqlite:///{tmp_path / 'skill.sqlite3'}",
                "WEB_SIMULATOR": "true",
                "WEB_RATE_LIMIT": str(rate_limit),
                "TRUSTED_PROXIES": "127.0.0.1",
            },
            tmp_path / "gunicorn.log",
            workers=2,
        )
        running.append(server)
        server.wait_ready()
        front = Proxy(tmp_path, f"127.0.0.1:{server.port}")
        running.append(front)
        return server, front

    yield start
    for process in reversed(running):
        process.stop()


class Trickler(threading.Thread):
    """A client that sends its request one byte every `gap` seconds until told to stop."""

    def __init__(self, host: str, port: int, tls: ssl.SSLContext | None, request: bytes, gap: float) -> None:
        super().__init__(daemon=True)
        raw = socket.create_connection((host, port), timeout=5)
        self.sock = tls.wrap_socket(raw, server_hostname=host) if tls else raw
        self.request, self.gap = request, gap
        self.stopped = threading.Event()
        self.sent = 0

    def run(self) -> None:
        try:
            for byte in self.request:
                if self.stopped.wait(self.gap):
                    break
                self.sock.sendall(bytes([byte]))
                self.sent += 1
        except OSError:  # the server hung up on it: fine, that is a server defending itself
            pass

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)
        self.sock.close()


def slow_requests(count: int) -> list[bytes]:
    """Half still sending headers, half sending a body they announced, both far from done."""
    body = b'{"session_id": "trickle-' + b"x" * 2000 + b'"}'
    on_body = (
        b"POST /web/turn HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    on_headers = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Slow: " + b"y" * 2000 + b"\r\n\r\n"
    requests_ = []
    for number in range(count):
        requests_.append(on_body if number % 2 else on_headers)
    return requests_


def start_tricklers(
    port: int, tls: ssl.SSLContext | None, count: int, head_start: float = 0.0
) -> list[Trickler]:
    tricklers = []
    for request in slow_requests(count):
        trickler = Trickler("127.0.0.1", port, tls, request, gap=0.3)
        if request.startswith(b"POST"):  # the headers at once: the server is waiting on the body
            header_end = request.index(b"\r\n\r\n") + 4
            trickler.sock.sendall(request[:header_end])
            trickler.request = request[header_end:]
        trickler.start()
        tricklers.append(trickler)
    time.sleep(head_start)
    return tricklers


def timed(call: Callable[[], requests.Response]) -> tuple[float, requests.Response]:
    started = time.monotonic()
    response = call()
    return time.monotonic() - started, response


def test_twenty_trickling_clients_at_the_proxy_do_not_slow_health_or_turns(
    served: Callable[..., tuple[Gunicorn, Proxy]],
) -> None:
    server, front = served()
    tls = ssl.create_default_context(cafile=str(front.cert))
    tricklers = start_tricklers(front.port, tls, TRICKLERS, head_start=1.0)
    session = f"proxy-{uuid.uuid4().hex[:12]}"
    latencies: list[float] = []
    spoken: list[str] = []
    try:
        with requests.Session() as http:
            for utterance in ["", "a question about family", "another one", "let's hug", "stop"]:
                took, health = timed(
                    lambda: http.get(front.url + "/healthz", timeout=5, verify=str(front.cert))
                )
                assert health.status_code == 200
                latencies.append(took)
                body: dict[str, object] = {
                    "session_id": session,
                    **({"utterance": utterance} if utterance else {"launch": True}),
                }
                took, turn = timed(
                    partial(http.post, front.url + "/web/turn", json=body, timeout=5, verify=str(front.cert))
                )
                assert turn.status_code == 200, turn.text
                latencies.append(took)
                spoken.append(turn.json()["speech_text"])
                time.sleep(0.4)
        still_trickling = sum(1 for trickler in tricklers if trickler.is_alive())
    finally:
        for trickler in tricklers:
            trickler.stop()
    assert still_trickling == TRICKLERS, "every slow client was still sending while the turns went through"
    print(
        f"behind the proxy, with {TRICKLERS} slow clients: slowest of {len(latencies)} probes and turns "
        f"{max(latencies) * 1000:.0f} ms ({sorted(round(t * 1000) for t in latencies)})"
    )
    assert max(latencies) < 1.5, f"slowest probe or turn behind the proxy: {max(latencies):.2f} s"
    assert "family" in spoken[1].lower() or "?" in spoken[1]
    assert "20 seconds" in spoken[3] or "twenty seconds" in spoken[3].lower()
    assert server.process.poll() is None and front.process.poll() is None
    assert "WORKER TIMEOUT" not in server.log(), "gunicorn killed a worker"


def test_two_trickling_clients_straight_at_gunicorn_hold_both_workers(
    served: Callable[..., tuple[Gunicorn, Proxy]],
) -> None:
    """Without the proxy the same abuse starves the sync workers: why the proxy is shipped."""
    server, _ = served()
    tricklers = start_tricklers(server.port, None, 2, head_start=0.5)
    try:
        with pytest.raises(requests.Timeout):
            requests.get(server.url + "/healthz", timeout=2)
    finally:
        for trickler in tricklers:
            trickler.stop()
    assert requests.get(server.url + "/healthz", timeout=5).status_code == 200


def test_the_proxy_names_the_client_itself_so_a_forged_forwarded_for_does_not_dodge_the_limit(
    served: Callable[..., tuple[Gunicorn, Proxy]],
) -> None:
    server, front = served(rate_limit=2)
    statuses = []
    for number in range(4):
        reply = requests.post(
            front.url + "/web/turn",
            json={"session_id": f"forged-{number}-{uuid.uuid4().hex[:12]}", "launch": True},
            headers={"X-Forwarded-For": f"203.0.113.{number}"},
            timeout=5,
            verify=str(front.cert),
        )
        statuses.append(reply.status_code)
    assert statuses == [200, 200, 429, 429]


def test_the_proxy_refuses_oversized_bodies_itself_and_logs_no_household_id(
    served: Callable[..., tuple[Gunicorn, Proxy]],
) -> None:
    server, front = served()
    too_big = b"{" + b" " * DEFAULT_MAX_BODY_BYTES + b"}"
    reply = requests.post(
        front.url + "/alexa",
        data=too_big,
        headers={"Content-Type": "application/json"},
        timeout=5,
        verify=str(front.cert),
    )
    assert reply.status_code == 413
    secret_id = f"secret-{uuid.uuid4().hex}"
    gone = requests.delete(front.url + f"/web/household/{secret_id}", timeout=5, verify=str(front.cert))
    assert gone.status_code in (200, 204, 404)
    served_log = server.log()
    server.stop()  # now nginx cannot reach gunicorn: it writes error lines, none with the id
    down = requests.delete(front.url + f"/web/household/{secret_id}", timeout=5, verify=str(front.cert))
    assert down.status_code == 502
    requests.get(front.url + "/web/calendar.ics?id=" + secret_id, timeout=5, verify=str(front.cert))
    assert requests.get(front.url + "/healthz", timeout=5, verify=str(front.cert)).status_code == 502
    assert "/healthz" in front.log(), "nginx does log a failed request's line elsewhere"
    assert secret_id not in front.log() and secret_id not in served_log


def test_the_proxy_settings_match_the_app_and_bad_ones_are_refused_in_a_sentence() -> None:
    assert proxy.DEFAULT_MAX_BODY_BYTES == DEFAULT_MAX_BODY_BYTES
    text = proxy.render({"PROXY_RUN_DIR": "/tmp/x"})
    assert "listen 8080;" in text and "ssl_certificate" not in text and "{{" not in text
    text = proxy.render({"TLS_CERT": "/c.pem", "TLS_KEY": "/k.pem", "PROXY_RUN_DIR": "/tmp/x"})
    assert "listen 443 ssl;" in text and "ssl_certificate /c.pem;" in text
    with pytest.raises(proxy.ProxyConfigError, match="both TLS_CERT and TLS_KEY"):
        proxy.render({"TLS_CERT": "/c.pem"})
    with pytest.raises(proxy.ProxyConfigError, match="UPSTREAM may hold only"):
        proxy.render({"UPSTREAM": "127.0.0.1:8000; include /etc/passwd"})
    with pytest.raises(proxy.ProxyConfigError, match="MAX_BODY_BYTES"):
        proxy.render({"MAX_BODY_BYTES": "lots"})
