"""Instructions per request of the skill's WSGI app and of the bare Flask app, under callgrind.

Run:  .venv/bin/python bench/turn_instructions.py          (about 8 minutes; needs valgrind)

Timings on a shared two-core machine move by a fifth from one minute to the next;
instruction counts do not. This drives the real app in process (no gunicorn, no sockets:
`app(environ, start_response)`, signature verification ON with the bench's own chain,
SQLite in a temporary folder) with bench/serve_bench.py's request mix, and the bare Flask
app with the same bodies, each under `valgrind --tool=callgrind` twice: once for
`--few` requests and once for `--many`. The difference divided by the difference in
requests is the cost of one request, without the start-up both runs share. Kernel work
(the fsync of an answer turn, socket I/O) is not counted: it is not instructions.

The skill is counted twice: as shipped, and `skill-direct`, the same app with every store
statement run through SQLAlchemy's own execution (`Connection.execute` inside
`engine.begin()`, the dialect's same BEGIN, writer lock and COMMIT) instead of
skill.storage.prepared's compiled-once statements on the DBAPI cursor: the difference is
what prepared.py saves, and it stays only while that is 10 % or more of a request.

`--inner skill|skill-direct|bare N FOLDER` is the child each callgrind run starts. The signing chain is
made once for all of them (RSA key generation takes a different number of instructions
every time) and every body is signed before the first request.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write_chain(folder: Path) -> None:
    """The signing chain and its leaf key, made once: key generation costs a random amount."""
    from cryptography.hazmat.primitives import serialization

    from bench.verify_bench import build_chain

    root, chain_pem, leaf_key = build_chain()
    (folder / "root.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    (folder / "chain.pem").write_bytes(chain_pem)
    (folder / "leaf.key").write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def inner(app_name: str, count: int, folder: Path) -> None:
    """Set up, then serve `count` requests of the mix in process (`folder`: write_chain's)."""
    import logging

    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    import bench.serve_bench as serve_bench

    leaf_key = load_pem_private_key((folder / "leaf.key").read_bytes(), None)
    database = Path(tempfile.mkdtemp(prefix="hth-instructions-")) / "skill.sqlite3"
    os.environ.update(
        BENCH_TRUST_ROOT=str(folder / "root.pem"),
        BENCH_CHAIN=str(folder / "chain.pem"),
        BENCH_NOW=serve_bench.NOW.isoformat(),
        ANSWER_KEYS="bench-instructions-key-0123456789abcdefghij=",
        DATABASE_URL=f"sqlite:///{database}",
    )
    from bench.serve_apps import bare_app, signed_app

    # As gunicorn.conf.py has it: the request log line is written (here to /dev/null).
    handler = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115 - lives as long as the run
    handler.setFormatter(logging.Formatter("%(message)s"))
    requests_log = logging.getLogger("skill.requests")
    requests_log.setLevel(logging.INFO)
    requests_log.addHandler(handler)
    requests_log.propagate = False

    if app_name == "skill-direct":
        use_sqlalchemy_execution()
    app: Any = signed_app() if app_name.startswith("skill") else bare_app
    from skill.conversation import process_random

    process_random().seed(2026)  # the same questions and phrasings in every run
    signer = serve_bench.Signer(leaf_key)
    users = [f"amzn1.ask.account.BENCH{n:04d}" for n in range(serve_bench.HOUSEHOLDS)]

    def call(signature: str, body: bytes) -> None:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/alexa",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_SIGNATURECERTCHAINURL": serve_bench.CERT_URL,
            "HTTP_SIGNATURE_256": signature,
        }
        statuses: list[str] = []
        b"".join(app(environ, lambda status, headers, exc_info=None: statuses.append(status)))
        if not statuses[0].startswith("200"):
            raise SystemExit(f"request refused: {statuses[0]}")

    if app_name.startswith("skill"):
        for user in users:
            for kind, slots in serve_bench.SETUP:
                body = json.dumps(serve_bench.envelope(user, kind, slots)).encode()
                call(signer.sign(body), body)
    homes = serve_bench.Households(users)
    # Every body is signed before the first request, and as many as the larger run needs,
    # so both runs share the signing (RSA private-key work) and differ only in requests.
    mix = []
    for index in range(MANY_MAX):
        user = users[index % len(users)]
        mix.append(signer.mix(user, homes.next_kind(user)))
    for signature, body in mix[:count]:
        call(signature, body)


MANY_MAX = 2000


class Direct:
    """A store statement run through SQLAlchemy's own execution (what prepared.py is measured against)."""

    def __init__(self, statement: Any, _dialect: Any) -> None:
        self.statement = statement

    def execute(self, connection: Any, values: Any) -> Any:
        return connection.execute(self.statement, dict(values))

    def one_or_none(self, connection: Any, values: Any) -> tuple[Any, ...] | None:
        row = self.execute(connection, values).first()
        return None if row is None else tuple(row)

    def all(self, connection: Any, values: Any) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.execute(connection, values)]


def use_sqlalchemy_execution() -> None:
    """Make every store built from now on run its statements through `Connection.execute`."""
    from contextlib import contextmanager

    import skill.storage
    import skill.storage.journal

    skill.storage.Prepared = Direct  # type: ignore[attr-defined,assignment]
    skill.storage.journal.Prepared = Direct  # type: ignore[attr-defined,assignment]

    @contextmanager
    def transaction(self: Any) -> Any:
        with self.engine.begin() as connection:  # the dialect's BEGIN (IMMEDIATE) and COMMIT
            held = skill.storage._Transaction(connection)
            yield held
            if held.durable and not self.is_sqlite:
                connection.exec_driver_sql(skill.storage._PG_DURABLE_COMMIT)
        if held.durable and self._wal is not None:
            skill.storage._sync_to_disk(self._wal)

    skill.storage.SqlStore._transaction = transaction  # type: ignore[method-assign]


def instructions(app_name: str, count: int, folder: Path) -> int:
    """Instructions callgrind counts for the whole child run."""
    done = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={folder / f'{app_name}-{count}.out'}",
            sys.executable,
            __file__,
            "--inner",
            app_name,
            str(count),
            str(folder),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"Collected : (\d+)", done.stderr)
    if match is None:
        raise SystemExit("callgrind printed no total:\n" + done.stderr[-2000:])
    return int(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--few", type=int, default=100)
    parser.add_argument("--many", type=int, default=400)
    parser.add_argument("--inner", nargs=3, metavar=("APP", "N", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.inner[0], int(args.inner[1]), Path(args.inner[2]))
        return
    if not 0 < args.few < args.many <= MANY_MAX:
        raise SystemExit(f"need 0 < --few < --many <= {MANY_MAX}")
    per_request: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="hth-callgrind-") as tmp:
        folder = Path(tmp)
        write_chain(folder)
        for app_name in ("skill", "skill-direct", "bare"):
            few = instructions(app_name, args.few, folder)
            many = instructions(app_name, args.many, folder)
            per_request[app_name] = (many - few) / (args.many - args.few)
            print(f"  {app_name}: {per_request[app_name]:,.0f} instructions per request", flush=True)
    print()
    print("| app (in process, no gunicorn) | instructions per request |")
    print("|---|---:|")
    for app_name, count in per_request.items():
        print(f"| {app_name} | {count:,.0f} |")
    print(f"| skill / bare | {per_request['skill'] / per_request['bare']:.1f}x |")
    saved = 1 - per_request["skill"] / per_request["skill-direct"]
    print(f"| prepared.py saves, of skill-direct's | {saved:.1%} (keep it at 10 % or more) |")


if __name__ == "__main__":
    main()
