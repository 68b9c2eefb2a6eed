"""The Alexa adapter's cold start: no `requests` until Amazon is called, no jsonschema at all."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_adapter_never_imports_jsonschema() -> None:
    # Envelopes are checked by fastjsonschema (dialogue.schemas); jsonschema stays a test-time reference.
    offenders = []
    for path in (ROOT / "skill" / "alexa").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {name}" for name in names if name.split(".")[0] == "jsonschema"]
    assert offenders == []


def test_an_app_with_verification_on_starts_without_requests(tmp_path: Path) -> None:
    # `requests` loads with the first certificate download or the first call to Amazon's APIs.
    script = (
        "import json, sys\n"
        "from cryptography.fernet import Fernet\n"
        "from skill import create_app\n"
        f"app = create_app({{'DATABASE_URL': 'sqlite:///{tmp_path / 'cold.sqlite3'}',\n"
        "    'ANSWER_KEYS': Fernet.generate_key().decode(), 'ALEXA_VERIFY_SIGNATURES': True})\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('requests', 'urllib3'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert json.loads(result.stdout.splitlines()[-1]) == []
