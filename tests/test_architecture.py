"""The dialogue core stays platform-neutral: it imports no web framework, voice SDK or ORM."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("flask", "ask_sdk_core", "ask_sdk_model", "ask_sdk_runtime", "sqlalchemy", "werkzeug", "alembic")


def test_dialogue_source_imports_nothing_platform_specific() -> None:
    offenders = []
    for path in (ROOT / "dialogue").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_importing_and_running_the_core_loads_no_platform_module() -> None:
    script = (
        "import sys, json, random\n"
        "import dialogue\n"
        "from dialogue import respond, State, Event, Ports\n"
        "respond(State(), Event('@Launch', new_session=True), Ports(random.Random(1)))\n"
        "respond(State(), Event('AskQuestionIntent', new_session=True), Ports(random.Random(1)))\n"
        "print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    )
    loaded = set(json.loads(result.stdout))
    assert loaded.isdisjoint(FORBIDDEN)
