"""setuptools hook: ship the interaction models inside the `skill` package of a built wheel.

The models live in `interaction_models/` at the repository root, where people edit them and
where `skill.nlu` reads them (and the grammar in
`grammar/`) in a checkout or an editable install. A wheel (`pip install .`,
the container image) has no repository, so `build_py` copies every `<locale>.json` into
`skill/interaction_models/` of the build; `skill.nlu.models_dir()` finds it there.
pyproject.toml names this class under `[tool.setuptools.cmdclass]`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools.command.build_py import build_py  # type: ignore[import-untyped]  # no stubs in .venv

MODELS = Path(__file__).resolve().parent.parent / "interaction_models"


class BuildPyWithModels(build_py):  # type: ignore[misc]  # build_py is untyped
    """`build_py` that also copies the interaction models into the built `skill` package."""

    def run(self) -> None:
        """Build as usual, then add the models (not for editable installs: they read the repository)."""
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "skill" / "interaction_models"
        target.mkdir(parents=True, exist_ok=True)
        models = sorted(MODELS.glob("*.json"))
        if not models:
            raise RuntimeError(f"no interaction models found in {MODELS}")
        for model in models:
            shutil.copyfile(model, target / model.name)
        # the one grammar the recogniser reads (skill.nlu.grammar), beside the models
        (target / "grammar").mkdir(exist_ok=True)
        for grammar in sorted((MODELS / "grammar").glob("*.yaml")):
            shutil.copyfile(grammar, target / "grammar" / grammar.name)
