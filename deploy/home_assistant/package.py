"""Zip the Home Assistant integration for copying into a Home Assistant config folder.

    python deploy/home_assistant/package.py [--out dist/heart_to_heart.zip]

The zip holds one folder, `heart_to_heart/`: unzip it into `<config>/custom_components/`
and restart Home Assistant. Compiled files and caches are left out.
"""

from __future__ import annotations

import argparse
import json
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
INTEGRATION = HERE / "custom_components" / "heart_to_heart"
DEFAULT_OUT = HERE.parents[1] / "dist" / "heart_to_heart.zip"


def build(out: Path = DEFAULT_OUT) -> Path:
    """Write the zip and return its path."""
    manifest = json.loads((INTEGRATION / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("domain") != INTEGRATION.name:
        raise SystemExit(f"manifest.json names {manifest.get('domain')!r}, not {INTEGRATION.name!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    files = sorted(
        path
        for path in INTEGRATION.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo")
    )
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, Path(INTEGRATION.name) / path.relative_to(INTEGRATION))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the zip")
    print(build(parser.parse_args().out))


if __name__ == "__main__":
    main()
