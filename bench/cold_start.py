"""Where a cold start and a worker's memory go: the skill's imports, stage by stage.

Run:  .venv/bin/python bench/cold_start.py            (about 30 seconds)
      .venv/bin/python bench/cold_start.py --runs 11

A Lambda cold start pays for importing the skill and `create_app()`; a gunicorn worker's
resident memory is mostly what it imported. This starts a fresh interpreter `--runs`
times and, in each, imports the skill's dependencies in stages, in the order a request
needs them, reading the wall clock and VmRSS after each stage:

| stage                 | what it adds                                                             |
|-----------------------|--------------------------------------------------------------------------|
| interpreter           | `python -c` up to the first line (site, encodings)                      |
| flask + sqlalchemy    | the floor: the web framework and the database toolkit, nothing of ours  |
| cryptography (Fernet) | answer encryption                                                        |
| cryptography (x509)   | Alexa signature verification (a server; Lambda needs none)              |
| ask-sdk-model         | the request models of Amazon's Timers, Reminders and Settings clients   |
| fastjsonschema        | the schema compiler                                                      |
| dialogue              | the dialogue core: rules of every flow, state, effects                  |
| skill                 | the adapters, storage, configuration                                     |
| create_app()          | content and grammar loaded and checked, schemas compiled, engine made   |
| first request         | one LaunchRequest through `/alexa` (verification off), first connection |

The medians of the runs are printed per stage, with the floor (`import flask,
sqlalchemy`) beside the skill's total, as serve_bench.py reports it.

Bytecode: like `pip install .` (the Docker image, a Lambda zip) the project's modules are
compiled to `.pyc` first (`compileall`), so no run pays for compiling our sources; a
checkout run with PYTHONDONTWRITEBYTECODE=1 (this machine's default) otherwise compiles
about 45 modules on every start, 0.07–0.1 s that no deployment pays.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

STAGES: list[tuple[str, str]] = [
    ("flask + sqlalchemy", "import flask, sqlalchemy"),
    ("cryptography (Fernet)", "import cryptography.fernet"),
    ("cryptography (x509)", "import cryptography.x509.verification"),
    ("ask-sdk-model", "from ask_sdk_model.services import timer_management, reminder_management"),
    ("fastjsonschema", "import fastjsonschema"),
    ("dialogue", "import dialogue, dialogue.flows"),
    ("skill", "import skill, skill.alexa, skill.storage"),
    ("create_app()", "app = skill.create_app(CONFIG)"),
    ("first request", "assert app.test_client().post('/alexa', json=LAUNCH).status_code == 200"),
]

CHILD = """
import time
started = time.perf_counter()
import json, sys
def rss():
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
marks = [('interpreter', 0.0, rss())]
CONFIG = json.loads(sys.argv[1])
LAUNCH = json.loads(sys.argv[2])
for name, code in json.loads(sys.argv[3]):
    exec(code)
    marks.append((name, time.perf_counter() - started, rss()))
print(json.dumps(marks))
"""


def compile_project() -> None:
    """The project's modules to bytecode, as `pip install .` compiles an installed package."""
    for package in ("skill", "dialogue"):
        compileall.compile_dir(ROOT / package, quiet=1)


def one_run(config: dict[str, object], launch: dict[str, object]) -> list[tuple[str, float, float]]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(config), json.dumps(launch), json.dumps(STAGES)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [tuple(mark) for mark in json.loads(out.strip().splitlines()[-1])]  # type: ignore[misc]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters, medians reported (7)")
    args = parser.parse_args()

    compile_project()
    from cryptography.fernet import Fernet

    folder = Path(tempfile.mkdtemp(prefix="hth-cold-"))
    config = {
        "DATABASE_URL": f"sqlite:///{folder / 'skill.sqlite3'}",
        "ALEXA_VERIFY_SIGNATURES": False,
        "ANSWER_KEYS": Fernet.generate_key().decode(),
    }
    launch = json.loads((ROOT / "tests" / "fixtures" / "alexa" / "launch_request.json").read_text())
    launch["context"]["System"]["apiEndpoint"] = "http://127.0.0.1:9"  # no Amazon: fails at once
    runs = [one_run(config, launch) for _ in range(args.runs)]

    header = f"{'stage':24s} {'at s':>7s} {'+ ms':>7s} {'RSS MB':>7s} {'+ MB':>6s}"
    print(f"{header}   (medians of {args.runs} runs)")
    previous_at, previous_rss = 0.0, 0.0
    for index, (name, *_rest) in enumerate(runs[0]):
        at = statistics.median(run[index][1] for run in runs)
        rss = statistics.median(run[index][2] for run in runs)
        print(f"{name:24s} {at:7.3f} {1000 * (at - previous_at):7.1f} {rss:7.1f} {rss - previous_rss:6.1f}")
        previous_at, previous_rss = at, rss
    create = next(index for index, mark in enumerate(runs[0]) if mark[0] == "create_app()")
    floor = statistics.median(run[1][1] for run in runs)
    total = statistics.median(run[create][1] for run in runs)
    print(f"\ncold start (imports + create_app): {total:.3f} s; floor (flask + sqlalchemy) {floor:.3f} s")


if __name__ == "__main__":
    main()
