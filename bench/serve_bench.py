"""Serving benchmark: the real skill under gunicorn against a bare Flask app, same settings.

Run:  .venv/bin/python bench/serve_bench.py            (about 8 minutes on 2 cores)
      .venv/bin/python bench/serve_bench.py --quick    (smaller counts, for a smoke run)

Needs: the project's virtualenv (gunicorn, flask, …) and `wrk` 4.x (Debian/Ubuntu:
`apt-get install -y wrk`), which drives the load from C so the client takes little of the
two cores. Everything runs on 127.0.0.1, in a temporary folder that is deleted afterwards.

What it does, in one run:

1. Builds a throwaway Alexa signing chain (root -> intermediate -> echo-api.amazon.com) and
   signs every request body with its leaf, as Alexa does. The real app runs with signature
   verification ON, trusting only that root (bench/serve_apps.py), certificate cached after
   the first request.
2. Serves (a) the real app (`bench.serve_apps:signed_app()`, SQLite file in the temporary
   folder, WAL as shipped: answer turns fsynced) and (b) a bare Flask app returning a fixed
   Alexa response, each with `deploy/gunicorn.conf.py` as shipped: on SQLite one sync worker
   per CPU, at least two (`--workers N` to change it for both).
3. Sets up 64 households over HTTP (two names each, a check-in answered and the next one
   started; the launch between them fetches and keeps the device's time zone), then drives both
   servers with the same mix, per household in order: LaunchRequest, AskQuestionIntent
   (family), AMAZON.NextIntent, AnswerIntent (a real encrypted INSERT, committed and
   fsynced); a household whose check-in is complete starts the next one
   (StartCheckInIntent) in place of its launch. Each concurrency (1, 8, 32) gets a fixed
   number of requests, in rounds (3; `--rounds N`) that alternate skill and bare, so a
   slow stretch of a shared machine hits both halves of a pair. Prints the medians over
   the rounds of requests/s, p50/p99 latency (wrk) and server CPU per request (utime+stime
   of the gunicorn master and workers from /proc, before/after), and the median of the
   rounds' skill/bare ratios.
4. Timers in the mix: a stand-in for Amazon's Timers API on 127.0.0.1 answers every call
   after 200 ms, and requests carry its address as their `apiEndpoint`. At concurrency 8,
   wrk drives the same mix while another client starts bedtime-cuddle timers at a steady
   rate (`--timer-rate`, 5 a second: CuddleIntent, a Timers call, and a cancel first when
   the household's last one still runs), the rounds alternating with the same wrk load alone.
   wrk's p99 is then that of the turns without effects; the timer turns' own latency is
   reported beside it.
5. Cold start (import + create_app in a fresh interpreter, median of 5) beside the floor
   measured the same way in the same run (`import flask, sqlalchemy` alone), resident memory
   per worker (VmRSS after the load), and latency with 1,000,000 stored answers (50,000
   households, 100,000 check-ins, written with INSERT … SELECT into a separate SQLite file,
   served by a second skill server) against the empty database, at concurrency 8, the two
   taking turns for the same number of rounds (median p99 of each).
"""

from __future__ import annotations

import argparse
import base64
import copy
import json
import os
import runpy
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding  # noqa: E402

from bench.verify_bench import build_chain  # noqa: E402

GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
FIXTURES = ROOT / "tests" / "fixtures" / "alexa"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-bench.pem"
NOW = datetime.now(UTC).replace(microsecond=0)
STAMP = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
HOUSEHOLDS = 64
ANSWERS_PER_CHECKIN = 10  # five topics, two people
ANSWER_TEXT = "I appreciated how you cooked dinner on Tuesday when I was late"
# Every answer of a check-in in different words: the same words again within seconds are the
# platform's retry of one request (kept once, the same person asked again), so a mix that said
# one sentence ten times would never finish a check-in.
ANSWER_TEXTS = (
    ANSWER_TEXT,
    "you listened when I talked about work",
    "the walk on Sunday, just us",
    "we laughed a lot this week",
    "I wish we had more time in the evenings",
    "we've both been tired and short with each other",
    "that I worry about money more than I say",
    "I haven't told you how much the flowers meant",
    "more slow breakfasts at the weekend",
    "a trip somewhere with no phones",
)
# Both apps run with deploy/gunicorn.conf.py's worker count for this SQLite setup.
SHIPPED_WORKERS: int = runpy.run_path(str(GUNICORN_CONF))["workers"]
TARGETS = {"ratio_c8": 0.5, "p99_c8_ms": 25.0, "cold_start_s": 0.30, "rss_mb": 60.0, "flat_ratio": 1.2}
AMAZON_DELAY_S = 0.2  # the stand-in for Amazon's Timers API answers after this

LUA = r"""
-- Each thread replays its own request file once, records when it started and finished
-- (gettimeofday through LuaJIT's FFI) and leaves a marker file; the bench then stops wrk.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_usec; } bench_timeval;
int gettimeofday(bench_timeval *tv, void *tz);
]]
local function now_us()
  local tv = ffi.new("bench_timeval")
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000000 + tonumber(tv.tv_usec)
end
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  marker = args[1] .. ".done." .. tid
  local path = args[1] .. "." .. tid
  reqs = {}
  for line in io.lines(path) do
    local sig, body = line:match("^([^\t]*)\t(.*)$")
    reqs[#reqs + 1] = wrk.format("POST", "/alexa", {
      ["Content-Type"] = "application/json",
      ["SignatureCertChainUrl"] = args[2],
      ["Signature-256"] = sig,
    }, body)
  end
  quota = #reqs
  sent = 0
  received = 0
  started_us = 0
  finished_us = 0
end
function request()
  if sent == 0 then started_us = now_us() end
  sent = sent + 1
  return reqs[((sent - 1) % quota) + 1]
end
function response(status, headers, body)
  received = received + 1
  if received == quota then
    finished_us = now_us()
    local f = io.open(marker, "w")
    f:write("done")
    f:close()
    wrk.thread:stop()
  end
end
function done(summary, latency, requests)
  local first, last, count = nil, 0, 0
  for _, t in ipairs(threads) do
    local s, f = t:get("started_us"), t:get("finished_us")
    if first == nil or s < first then first = s end
    if f > last then last = f end
    count = count + t:get("quota")
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"counted":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
    count, summary.requests, last - first, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


# --------------------------------------------------------------------------- requests


def _fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


LAUNCH = _fixture("launch_request")
INTENT = _fixture("intent_request")


# Where requests say Amazon's APIs are: the bench's stand-in (SlowAmazon) once it runs, so a
# launch that asks for the device's time zone (once a week per household) reaches it too.
API_ENDPOINT: dict[str, str] = {}


def envelope(
    user: str, kind: str, slots: dict[str, tuple[str, str | None]] | None = None, api: str | None = None
) -> dict[str, Any]:
    """A realistic Alexa envelope for one household: a LaunchRequest or an IntentRequest."""
    doc = copy.deepcopy(LAUNCH if kind == "LaunchRequest" else INTENT)
    api = api or API_ENDPOINT.get("url")
    if api is not None:
        doc["context"]["System"]["apiEndpoint"] = api
    doc["session"]["new"] = kind == "LaunchRequest"
    doc["session"]["user"]["userId"] = user
    doc["context"]["System"]["user"]["userId"] = user
    doc["request"]["timestamp"] = STAMP
    if kind != "LaunchRequest":
        intent = doc["request"]["intent"]
        template = intent["slots"]["category"]
        intent["name"] = kind
        intent["slots"] = {}
        for name, (heard, resolved) in (slots or {}).items():
            slot = copy.deepcopy(template)
            slot["name"], slot["value"] = name, heard
            slot.pop("slotValue", None)
            authority = slot["resolutions"]["resolutionsPerAuthority"][0]
            if resolved is None:
                authority["status"]["code"] = "ER_SUCCESS_NO_MATCH"
                authority.pop("values", None)
            else:
                authority["values"] = [{"value": {"name": heard, "id": resolved}}]
            intent["slots"][name] = slot
    return doc


MIX: dict[str, tuple[str, dict[str, tuple[str, str | None]]]] = {
    "launch": ("LaunchRequest", {}),
    "question": ("AskQuestionIntent", {"category": ("family", "FAMILY")}),
    "next": ("AMAZON.NextIntent", {}),
    **{f"answer{n}": ("AnswerIntent", {"answer": (text, None)}) for n, text in enumerate(ANSWER_TEXTS)},
    "start": ("StartCheckInIntent", {}),
    "cuddle": ("CuddleIntent", {}),
}
SETUP: list[tuple[str, dict[str, tuple[str, str | None]]]] = [
    ("LaunchRequest", {}),  # the first visit: its greeting explains; later launches are brief
    ("StartCheckInIntent", {}),
    ("NameIntent", {"name": ("sam", None)}),
    ("AMAZON.YesIntent", {}),
    ("NameIntent", {"name": ("alex", None)}),
    ("AMAZON.YesIntent", {}),
    ("AMAZON.NoIntent", {}),  # "anyone else joining?"
]


class Signer:
    def __init__(self, key: Any) -> None:
        self.key = key
        self.cache: dict[tuple[str, str], tuple[str, bytes]] = {}

    def sign(self, body: bytes) -> str:
        raw = self.key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(raw).decode()

    def mix(self, user: str, name: str) -> tuple[str, bytes]:
        """The signed body of one kind of request for one household (signed once)."""
        if (user, name) not in self.cache:
            kind, slots = MIX[name]
            body = json.dumps(envelope(user, kind, slots), separators=(",", ":")).encode()
            self.cache[(user, name)] = (self.sign(body), body)
        return self.cache[(user, name)]


def post(url: str, signer: Signer, body: bytes) -> dict[str, Any]:
    headers = {
        "Content-Type": "application/json",
        "SignatureCertChainUrl": CERT_URL,
        "Signature-256": signer.sign(body),
    }
    request = urllib.request.Request(url + "/alexa", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            result: dict[str, Any] = json.loads(response.read())
            return result
    except urllib.error.HTTPError as error:
        raise SystemExit(f"POST /alexa: HTTP {error.code} {error.read().decode(errors='replace')}") from None


class Households:
    """Each household's place in the mix, so every answer is a real write."""

    def __init__(self, users: list[str]) -> None:
        self.users = users
        self.position = dict.fromkeys(users, 0)
        self.answers = dict.fromkeys(users, 0)

    def next_kind(self, user: str) -> str:
        kind = ("launch", "question", "next", "answer")[self.position[user] % 4]
        self.position[user] += 1
        if kind == "launch" and self.answers[user] >= ANSWERS_PER_CHECKIN:
            self.answers[user] = 0
            return "start"  # the last check-in is complete: begin the next one
        if kind == "answer":
            self.answers[user] += 1
            return f"answer{(self.answers[user] - 1) % len(ANSWER_TEXTS)}"
        return kind


# After the names: a whole check-in answered, the next launch (which fetches the device's time
# zone from the Settings API, kept a week: no measured round pays for it), the next check-in.
WARM_UP: list[tuple[str, dict[str, tuple[str, str | None]]]] = [
    *(MIX[f"answer{n}"] for n in range(len(ANSWER_TEXTS))),
    ("LaunchRequest", {}),
    ("StartCheckInIntent", {}),
]


def set_up(url: str, signer: Signer, users: list[str]) -> Households:
    for user in users:
        for kind, slots in [*SETUP, *WARM_UP]:
            body = json.dumps(envelope(user, kind, slots)).encode()
            reply = post(url, signer, body)
            assert "response" in reply, reply
    return Households(users)


def write_sequences(
    folder: Path, tag: str, signer: Signer, homes: Households, total: int, threads: int
) -> str:
    """One request file per wrk thread; thread t serves households t, t+threads, …."""
    base = folder / f"seq-{tag}"
    per_thread = total // threads
    for thread in range(threads):
        mine = homes.users[thread::threads]
        lines = []
        for index in range(per_thread):
            user = mine[index % len(mine)]
            sig, body = signer.mix(user, homes.next_kind(user))
            lines.append(f"{sig}\t{body.decode()}")
        Path(f"{base}.{thread}").write_text("\n".join(lines) + "\n")
    return str(base)


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [self.process.pid, *map(int, children)]

    def cpu_seconds(self) -> tuple[float, float]:
        """User and kernel CPU seconds of the master and its workers."""
        user = system = 0
        for pid in self.pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            user += int(fields[11])  # utime (field 14)
            system += int(fields[12])  # stime (field 15)
        tick = os.sysconf("SC_CLK_TCK")
        return user / tick, system / tick

    def worker_rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.pids()[1:]:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def serve(app: str, env: dict[str, str], log: Path, workers: int) -> Server:
    port = free_port()
    full = {
        **os.environ,
        **env,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "MAX_REQUESTS": "10000000",  # no worker recycling mid-measurement
        "PYTHONPATH": str(ROOT),
    }
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), app],
            cwd=ROOT,
            env=full,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{log.read_text()}")
        if len(server.pids()) == workers + 1:
            try:
                with urllib.request.urlopen(server.url + "/readyz", timeout=5):
                    pass
                return server
            except OSError as error:
                if getattr(error, "code", None) == 404:  # the bare app has no probes
                    return server
        time.sleep(0.1)
    raise SystemExit(f"gunicorn never came up:\n{log.read_text()}")


def warm(server: Server, signer: Signer, users: list[str]) -> None:
    """A few requests per worker: imports done, certificate chain fetched and cached."""
    for user in users[:8]:
        sig, body = signer.mix(user, "question")
        post(server.url, signer, body)


# --------------------------------------------------------------------------- Amazon's Timers API


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (ask-sdk-core's client calls HTTPS only)."""
    import ipaddress

    from cryptography import x509 as x
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x.Name([x.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x.random_serial_number())
        .not_valid_before(now.replace(year=now.year - 1))
        .not_valid_after(now.replace(year=now.year + 1))
        .add_extension(
            x.SubjectAlternativeName([x.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
        .add_extension(x.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "amazon.pem", folder / "amazon.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


class SlowAmazon:
    """Amazon's Timers and Settings APIs on https://127.0.0.1, answering every call after AMAZON_DELAY_S."""

    def __init__(self, folder: Path) -> None:
        import ssl
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.cert, key = self_signed(folder)

        made = 0
        delay = AMAZON_DELAY_S

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def _answer(self, status: int, body: dict[str, Any] | None) -> None:
                time.sleep(delay)
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                nonlocal made
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                made += 1
                self._answer(200, {"id": f"bench-timer-{made}", "status": "ON", "duration": "PT10M"})

            def do_DELETE(self) -> None:  # noqa: N802
                self._answer(200, None)

            def do_GET(self) -> None:  # noqa: N802
                if self.path.endswith("/settings/System.timeZone"):
                    self._answer_text('"Europe/London"')  # the Settings API's answer is a JSON string
                    return
                self._answer(200, {"timers": [], "totalCount": 0})

            def _answer_text(self, text: str) -> None:
                time.sleep(delay)
                data = text.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        import threading

        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()


class TimerClient:
    """Starts bedtime-cuddle timers at a steady rate (open loop: a slow answer does not slow the
    next one's start), one household after another, until stopped."""

    def __init__(self, url: str, signer: Signer, users: list[str], api: str, rate: float) -> None:
        import threading
        from concurrent.futures import ThreadPoolExecutor

        self.bodies = []
        for user in users:
            doc = envelope(user, "CuddleIntent", api=api)
            doc["session"]["new"] = True  # "Alexa, ask Heart to Heart for a bedtime cuddle"
            body = json.dumps(doc, separators=(",", ":")).encode()
            self.bodies.append((signer.sign(body), body))
        self.url = url
        self.interval = 1 / rate
        self.latencies_ms: list[float] = []
        self.failures: list[str] = []
        self.stopping = threading.Event()
        self.pool = ThreadPoolExecutor(max_workers=64)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _one(self, signature: str, body: bytes) -> None:
        headers = {
            "Content-Type": "application/json",
            "SignatureCertChainUrl": CERT_URL,
            "Signature-256": signature,
        }
        request = urllib.request.Request(self.url + "/alexa", data=body, headers=headers, method="POST")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                speech = response.read().decode()
        except OSError as error:
            self.failures.append(str(error))
            return
        self.latencies_ms.append((time.perf_counter() - started) * 1000)
        if "couldn" in speech or "minutes" not in speech:
            self.failures.append(f"no timer set: {speech[:200]}")

    def _run(self) -> None:
        index = 0
        next_start = time.perf_counter()
        while not self.stopping.is_set():
            signature, body = self.bodies[index % len(self.bodies)]
            index += 1
            self.pool.submit(self._one, signature, body)
            next_start += self.interval
            self.stopping.wait(max(0.0, next_start - time.perf_counter()))

    def __enter__(self) -> TimerClient:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stopping.set()
        self.thread.join(timeout=60)
        self.pool.shutdown(wait=True)
        if self.failures:
            raise SystemExit(f"{len(self.failures)} timer turns failed, e.g. {self.failures[0]}")


def with_timers(
    skill: Server,
    amazon: SlowAmazon,
    folder: Path,
    signer: Signer,
    homes: Households,
    users: list[str],
    rounds: int,
    count: int,
    rate: float,
) -> tuple[Result, Result, list[float]]:
    """Concurrency 8: the usual mix alone, and with `rate` timer turns a second beside it, in turns."""
    alone: list[Result] = []
    beside: list[Result] = []
    timer_ms: list[float] = []
    for round_number in range(rounds):
        seq = write_sequences(folder, f"alone8-{round_number}", signer, homes, count, 1)
        alone.append(load(skill, seq, 8, 1))
        seq = write_sequences(folder, f"timers8-{round_number}", signer, homes, count, 1)
        with TimerClient(skill.url, signer, users, amazon.url, rate) as timers:
            beside.append(load(skill, seq, 8, 1))
        timer_ms += timers.latencies_ms
        print(
            f"  c=8 alone {alone[-1]}\n  c=8 with {len(timers.latencies_ms)} timer turns {beside[-1]}",
            flush=True,
        )
    if statistics.median(timer_ms or [0.0]) < AMAZON_DELAY_S * 1000:
        raise SystemExit("the timer turns were faster than Amazon's stand-in answers: no call was made")
    return median_result(alone), median_result(beside), timer_ms


# --------------------------------------------------------------------------- load


@dataclass
class Result:
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    cpu_us: float
    system_us: float  # of which in the kernel (fsync, sockets, locks)
    errors: int


def load(server: Server, sequences: str, connections: int, threads: int) -> Result:
    script = Path(sequences).parent / "mix.lua"
    script.write_text(LUA)
    pids_before = server.pids()
    cpu_before = server.cpu_seconds()
    wrk = subprocess.Popen(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            "-d300s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            server.url,
            "--",
            sequences,
            CERT_URL,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    markers = [Path(f"{sequences}.done.{thread}") for thread in range(threads)]
    deadline = time.monotonic() + 300
    while not all(marker.exists() for marker in markers) and wrk.poll() is None:
        if time.monotonic() > deadline:
            break
        time.sleep(0.005)
    user_after, system_after = server.cpu_seconds()
    user, system = user_after - cpu_before[0], system_after - cpu_before[1]
    wrk.send_signal(signal.SIGINT)  # every thread is done: print the summary now
    out, _ = wrk.communicate(timeout=30)
    if server.pids() != pids_before:
        raise SystemExit("a gunicorn worker was replaced during the measurement; see " + str(server.log))
    line = next(part for part in out.splitlines() if part.startswith("WRKJSON "))
    stats = json.loads(line.removeprefix("WRKJSON "))
    errors = sum(stats[key] for key in ("connect", "read", "write", "status", "timeout"))
    count = stats["requests"]
    return Result(
        requests=count,
        rps=count / (stats["duration_us"] / 1e6),
        p50_ms=stats["p50_us"] / 1000,
        p99_ms=stats["p99_us"] / 1000,
        cpu_us=(user + system) / max(count, 1) * 1e6,
        system_us=system / max(count, 1) * 1e6,
        errors=errors,
    )


def median_result(runs: list[Result]) -> Result:
    """Each figure's median over the rounds (errors: the total)."""

    def median(name: str) -> float:
        return statistics.median(getattr(run, name) for run in runs)

    return Result(
        requests=runs[0].requests,
        rps=median("rps"),
        p50_ms=median("p50_ms"),
        p99_ms=median("p99_ms"),
        cpu_us=median("cpu_us"),
        system_us=median("system_us"),
        errors=sum(run.errors for run in runs),
    )


def answers_stored(database: Path) -> int:
    with sqlite3.connect(database) as conn:
        count: int = conn.execute("SELECT count(*) FROM answers").fetchone()[0]
        return count


# --------------------------------------------------------------------------- one million answers


def fill_million(database: Path, key: str) -> float:
    """1,000,000 answers over 50,000 households (two check-ins of ten answers each)."""
    started = time.perf_counter()
    token = Fernet(key.split(",")[0].encode()).encrypt(ANSWER_TEXT.encode())
    said = "2026-01-04 20:00:00.000000"
    topics = "('appreciation'),('working_well'),('lacking'),('unspoken'),('wish')"
    conn = sqlite3.connect(database, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("BEGIN")
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000) "
        "INSERT INTO households (platform, platform_user, state, created_at, updated_at) "
        "SELECT 'alexa', printf('amzn1.ask.account.FILL%06d', i), '', ?, ? FROM n",
        (said, said),
    )
    conn.execute(
        "INSERT INTO checkins (household_id, started_at, completed_at) "
        "SELECT id, ?, ? FROM households, (SELECT 1 UNION ALL SELECT 2) "
        "WHERE platform_user LIKE 'amzn1.ask.account.FILL%'",
        (said, said),
    )
    conn.execute(
        f"WITH t(topic) AS (VALUES {topics}), p(person) AS (VALUES (0), (1)) "
        "INSERT INTO answers (household_id, checkin_id, topic, person, person_id, ciphertext, said_at) "
        "SELECT c.household_id, c.id, t.topic, p.person, NULL, ?, ? FROM checkins c, t, p",
        (token, said),
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    return time.perf_counter() - started


# --------------------------------------------------------------------------- cold start


COLD = """
import time
started = time.perf_counter()
from skill import create_app
app = create_app({"DATABASE_URL": %r, "ALEXA_VERIFY_SIGNATURES": False, "ANSWER_KEYS": %r})
print(time.perf_counter() - started)
"""


FLOOR = """
import time
started = time.perf_counter()
import flask, sqlalchemy
print(time.perf_counter() - started)
"""


def cold_start(database: Path, key: str, runs: int = 5, floor: bool = False) -> float:
    """Median seconds of import + create_app in a fresh interpreter (`floor`: flask and sqlalchemy alone).

    The project's modules are compiled to bytecode first, as `pip install .` does for the Docker
    image or a Lambda zip: a checkout run with PYTHONDONTWRITEBYTECODE=1 would otherwise compile
    them on every start (0.07 to 0.1 s no deployment pays; bench/cold_start.py).
    """
    from bench.cold_start import compile_project

    compile_project()
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", FLOOR if floor else COLD % (f"sqlite:///{database}", key)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        times.append(float(out.strip().splitlines()[-1]))
    return statistics.median(times)


def flat_latency(
    args: argparse.Namespace,
    folder: Path,
    common: dict[str, str],
    signer: Signer,
    users: list[str],
    key: str,
    skill: Server,
    homes: Households,
    rounds: int,
    count: int,
) -> tuple[Result, Result | None]:
    """Concurrency 8 on the empty database and on one holding 1,000,000 answers, in turns."""
    empty_runs: list[Result] = []
    million_runs: list[Result] = []
    big: Server | None = None
    big_homes: Households | None = None
    if not args.skip_million:
        big_db = folder / "million.sqlite3"
        subprocess.run(
            [sys.executable, "-c", COLD % (f"sqlite:///{big_db}", key)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            check=True,
            capture_output=True,
        )  # creates the schema
        fill_seconds = fill_million(big_db, key)
        # The fill leaves a few hundred MB of the new file in the page cache, not yet on disk:
        # the first checkpoint's fsync would wait for all of it, which a database that grew
        # over months never pays. Written out now, before anything is measured.
        os.sync()
        big = serve(
            "bench.serve_apps:signed_app()",
            {**common, "DATABASE_URL": f"sqlite:///{big_db}"},
            folder / "big.log",
            args.workers,
        )
    try:
        if big is not None:
            big_homes = set_up(big.url, signer, users)
            warm(big, signer, users)
        for round_number in range(rounds):
            seq = write_sequences(folder, f"empty8-{round_number}", signer, homes, count, 1)
            empty_runs.append(load(skill, seq, 8, 1))
            print(f"  c=8 empty    {empty_runs[-1]}", flush=True)
            if big is not None and big_homes is not None:
                seq = write_sequences(folder, f"million8-{round_number}", signer, big_homes, count, 1)
                million_runs.append(load(big, seq, 8, 1))
                print(f"  c=8 1M       {million_runs[-1]}", flush=True)
    finally:
        if big is not None:
            big.stop()
    if big is None:
        return median_result(empty_runs), None
    stored = answers_stored(folder / "million.sqlite3")
    print(f"  1M answers written in {fill_seconds:.1f} s; {stored:,} stored after the run", flush=True)
    return median_result(empty_runs), median_result(million_runs)


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke run")
    parser.add_argument("--skip-million", action="store_true", help="leave out the 1M-answer database")
    parser.add_argument(
        "--only-million",
        action="store_true",
        help="only the empty-vs-1M comparison at 8 connections (no bare app, timers or cold start)",
    )
    parser.add_argument(
        "--timer-rate", type=float, default=5.0, help="timer turns a second beside the concurrency-8 mix (5)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="skill/bare pairs per concurrency, medians reported (default 3; 1 with --quick)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=SHIPPED_WORKERS,
        help=f"gunicorn workers for both apps (default: the shipped config's on SQLite, {SHIPPED_WORKERS})",
    )
    args = parser.parse_args()
    counts = {1: 300, 8: 1000, 32: 1000} if args.quick else {1: 1500, 8: 6000, 32: 6000}
    flat_count = 1000 if args.quick else 6000
    rounds = args.rounds or (1 if args.quick else 3)

    root, chain_pem, leaf_key = build_chain()
    signer = Signer(leaf_key)
    key = Fernet.generate_key().decode()
    with tempfile.TemporaryDirectory(prefix="hth-bench-") as tmp:
        folder = Path(tmp)
        (folder / "root.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
        (folder / "chain.pem").write_bytes(chain_pem)
        amazon = SlowAmazon(folder)
        API_ENDPOINT["url"] = amazon.url
        common = {
            "REQUESTS_CA_BUNDLE": str(amazon.cert),  # the workers trust the Timers stand-in
            "BENCH_TRUST_ROOT": str(folder / "root.pem"),
            "BENCH_CHAIN": str(folder / "chain.pem"),
            "BENCH_NOW": NOW.isoformat(),
            "ANSWER_KEYS": key,
            "LOG_LEVEL": "info",
        }
        results: dict[str, dict[int, Result]] = {"skill": {}, "bare": {}}
        ratios: dict[int, float] = {}
        users = [f"amzn1.ask.account.BENCH{n:04d}" for n in range(HOUSEHOLDS)]

        empty_db = folder / "empty.sqlite3"
        skill = serve(
            "bench.serve_apps:signed_app()",
            {**common, "DATABASE_URL": f"sqlite:///{empty_db}"},
            folder / "skill.log",
            args.workers,
        )
        bare = serve("bench.serve_apps:bare_app", common, folder / "bare.log", args.workers)
        try:
            homes = set_up(skill.url, signer, users)
            warm(skill, signer, users)
            warm(bare, signer, users)
            # The 1M comparison first, while both servers are fresh: run after the other phases
            # (seven minutes of full load, the timers' rounds) its p99 was 1.7 to 2.7 times the
            # empty one's, run alone 1.06 times (README, Serving).
            empty8, million = (
                flat_latency(args, folder, common, signer, users, key, skill, homes, rounds, flat_count)
                if not args.skip_million
                else (None, None)  # the empty rounds only serve the comparison
            )
            if args.only_million:
                bare.stop()
                ratio = million.p99_ms / empty8.p99_ms if million and empty8 else float("nan")
                print(f"empty {empty8}\n1M    {million}\np99 1M / empty: {ratio:.2f}x", flush=True)
                return
            for connections, total in counts.items():
                # One wrk thread: a thread that stops early would leave connections open
                # without a request, and a sync worker that accepted one waits on it.
                threads = 1
                # Skill and bare take turns, so a slower stretch of a shared machine lands on
                # both halves of a pair; the medians over the rounds are reported.
                runs: dict[str, list[Result]] = {"skill": [], "bare": []}
                for round_number in range(rounds):
                    tag = f"{connections}-{round_number}"
                    before = answers_stored(empty_db)
                    seq = write_sequences(folder, f"skill{tag}", signer, homes, total, threads)
                    runs["skill"].append(load(skill, seq, connections, threads))
                    written = answers_stored(empty_db) - before
                    print(f"  skill c={connections}: {runs['skill'][-1]} answers: {written}", flush=True)
                    fresh = Households(users)
                    seq_bare = write_sequences(folder, f"bare{tag}", signer, fresh, total, threads)
                    runs["bare"].append(load(bare, seq_bare, connections, threads))
                    print(f"  bare  c={connections}: {runs['bare'][-1]}", flush=True)
                ratios[connections] = statistics.median(
                    s.rps / b.rps for s, b in zip(runs["skill"], runs["bare"], strict=True)
                )
                results["skill"][connections] = median_result(runs["skill"])
                results["bare"][connections] = median_result(runs["bare"])
            rss = skill.worker_rss_mb()
            bare_rss = bare.worker_rss_mb()
            bare.stop()
            cold = cold_start(empty_db, key)
            floor = cold_start(empty_db, key, floor=True)
            alone8, timers8, timer_ms = with_timers(
                skill, amazon, folder, signer, homes, users, rounds, flat_count, args.timer_rate
            )
        finally:
            skill.stop()
            bare.stop()
            amazon.stop()
        log_lines = [line for line in (folder / "skill.log").read_text().splitlines() if line.startswith("{")]

    report(
        results,
        ratios,
        rounds,
        counts,
        rss,
        bare_rss,
        (cold, floor),
        empty8,
        million,
        len(log_lines),
        args.workers,
        (alone8, timers8, timer_ms),
    )


def report(
    results: dict[str, dict[int, Result]],
    ratios: dict[int, float],
    rounds: int,
    counts: dict[int, int],
    rss: list[float],
    bare_rss: list[float],
    colds: tuple[float, float],
    empty8: Result | None,
    million: Result | None,
    log_lines: int,
    workers: int,
    timers: tuple[Result, Result, list[float]],
) -> None:
    cold, floor = colds
    alone8, timers8, timer_ms = timers
    print()
    print(
        f"Heart to Heart serving benchmark — {os.cpu_count()} CPUs, gunicorn {workers} sync workers, "
        "deploy/gunicorn.conf.py; signature verification ON (cached chain), SQLite WAL "
        f"(answer turns fsynced); medians of {rounds} alternating skill/bare round(s)"
    )
    print(
        "mix per household: launch, question, next, check-in answer (INSERT);"
        " a completed check-in's household starts the next one instead of launching"
    )
    print()
    print(
        "| conc | requests | skill req/s | bare req/s | ratio | skill p50 ms | skill p99 ms | bare p99 ms "
        "| skill CPU µs/req (kernel) | bare CPU µs/req (kernel) | errors |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for connections in counts:
        s, b = results["skill"][connections], results["bare"][connections]
        print(
            f"| {connections} | {s.requests} | {s.rps:,.0f} | {b.rps:,.0f} | {ratios[connections]:.2f} | "
            f"{s.p50_ms:.2f} | {s.p99_ms:.2f} | {b.p99_ms:.2f} | {s.cpu_us:,.0f} ({s.system_us:,.0f}) | "
            f"{b.cpu_us:,.0f} ({b.system_us:,.0f}) | "
            f"{s.errors + b.errors} |"
        )
    print()
    s8 = results["skill"][8]
    flat = million.p99_ms / empty8.p99_ms if million and empty8 else float("nan")
    checks = [
        (
            "throughput at concurrency 8 vs bare (median of the rounds' ratios)",
            f"{ratios[8]:.2f}x",
            f">= {TARGETS['ratio_c8']}x",
            ratios[8] >= TARGETS["ratio_c8"],
        ),
        (
            "p99 at concurrency 8",
            f"{s8.p99_ms:.1f} ms",
            f"<= {TARGETS['p99_c8_ms']:.0f} ms",
            s8.p99_ms <= TARGETS["p99_c8_ms"],
        ),
        (
            "throughput at concurrency 8 with timer turns beside, vs bare",
            f"{timers8.rps / results['bare'][8].rps:.2f}x",
            f">= {TARGETS['ratio_c8']}x",
            timers8.rps / results["bare"][8].rps >= TARGETS["ratio_c8"],
        ),
        (
            "p99 at concurrency 8 of the turns without effects, timer turns beside them",
            f"{timers8.p99_ms:.1f} ms (alone {alone8.p99_ms:.1f} ms; {len(timer_ms)} timer turns, "
            f"median {statistics.median(timer_ms or [0]):.0f} ms each)",
            f"<= {TARGETS['p99_c8_ms']:.0f} ms",
            timers8.p99_ms <= TARGETS["p99_c8_ms"],
        ),
        (
            "cold start (import + create_app), median of 5",
            f"{cold:.2f} s (floor, import flask + sqlalchemy alone: {floor:.2f} s)",
            f"<= {TARGETS['cold_start_s']} s",
            cold <= TARGETS["cold_start_s"],
        ),
        (
            "RSS per worker after the load",
            " / ".join(f"{mb:.0f} MB" for mb in rss) + f" (bare {max(bare_rss):.0f} MB)",
            f"<= {TARGETS['rss_mb']:.0f} MB",
            max(rss) <= TARGETS["rss_mb"],
        ),
    ]
    if million is not None and empty8 is not None:
        checks.append(
            (
                "p99 at concurrency 8, 1M answers vs empty",
                f"{million.p99_ms:.1f} vs {empty8.p99_ms:.1f} ms = {flat:.2f}x",
                f"<= {TARGETS['flat_ratio']}x",
                flat <= TARGETS["flat_ratio"],
            )
        )
    print("| target | measured | goal | met |")
    print("|---|---|---|---|")
    for name, measured, goal, met in checks:
        print(f"| {name} | {measured} | {goal} | {'yes' if met else 'NO'} |")
    print()
    print(f"request log lines written by the skill server: {log_lines:,}")


if __name__ == "__main__":
    main()
