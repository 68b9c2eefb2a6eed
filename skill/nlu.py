"""A small utterance matcher over an interaction model's samples, for hosts without Alexa's NLU.

The terminal chat and the browser simulator type or speak text; this finds the intent whose
sample fits the words best (most literal words matched), fills its slots, and resolves
custom slot values to their ids through the model's synonyms, as Alexa would. Anything
else is AMAZON.FallbackIntent.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

FALLBACK = "AMAZON.FallbackIntent"
# A repository checkout (and an editable install) reads the models where people edit them;
# a built wheel carries a copy inside the package (see deploy/build_hooks.py).
REPOSITORY_MODELS = Path(__file__).resolve().parent.parent / "interaction_models"
PACKAGED_MODELS = Path(__file__).resolve().parent / "interaction_models"


@dataclass(frozen=True)
class Match:
    """An intent, its filled slots as (heard words, resolved id), and how well it fit."""

    intent: str
    slots: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    score: int = 0


@dataclass(frozen=True)
class _Sample:
    intent: str
    pattern: re.Pattern[str]
    slot_types: dict[str, str]
    literal: int


def normalise(text: str) -> str:
    """Lower case, apostrophes kept, other punctuation gone, single spaces."""
    text = text.lower().replace("\u2019", "'")
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text).split())


class UtteranceMatcher:
    """Matches text against one locale's interaction model."""

    def __init__(self, model: dict[str, Any], builtin_samples: dict[str, list[str]]) -> None:
        language = model["interactionModel"]["languageModel"]
        self.values: dict[str, dict[str, str]] = {}
        for slot_type in language.get("types", []):
            table: dict[str, str] = {}
            for value in slot_type["values"]:
                name = value["name"]
                ident = value.get("id") or name["value"]
                for words in (name["value"], *name.get("synonyms", [])):
                    table[normalise(words)] = ident
            self.values[slot_type["name"]] = table
        self.samples: list[_Sample] = []
        for intent in language["intents"]:
            slot_types = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
            samples = list(intent.get("samples", []))
            samples += builtin_samples.get(intent["name"], [])
            for sample in samples:
                self.samples.append(self._compile(intent["name"], sample, slot_types))

    @staticmethod
    def _compile(intent: str, sample: str, slot_types: dict[str, str]) -> _Sample:
        parts = re.split(r"(\{[A-Za-z_]+\})", normalise_sample(sample))
        regex, literal = [], 0
        for part in parts:
            if part.startswith("{"):
                regex.append(f"(?P<{part[1:-1]}>.+?)")
            elif part:
                regex.append(re.escape(part))
                literal += len(part.split())
        pattern = re.compile("^" + "".join(regex) + "$")
        return _Sample(intent, pattern, slot_types, literal)

    def match(self, text: str) -> Match:
        """The best-fitting intent for the words, or the fallback intent."""
        words = normalise(text)
        best = Match(FALLBACK)
        for sample in self.samples:
            found = sample.pattern.match(words)
            if found is None:
                continue
            slots, resolved_all = {}, True
            for name, heard in found.groupdict().items():
                resolved = self.values.get(sample.slot_types.get(name, ""), {}).get(heard.strip())
                custom = sample.slot_types.get(name, "") in self.values
                resolved_all = resolved_all and (resolved is not None or not custom)
                slots[name] = (heard.strip(), resolved)
            if sample.literal == 0 and not resolved_all:
                continue  # a bare "{category}" sample only takes a known category
            score = sample.literal * 2 + (1 if resolved_all else 0)
            if score > best.score:
                best = Match(sample.intent, slots, score)
        return best


def normalise_sample(sample: str) -> str:
    """A sample's words, normalised like spoken text but keeping slot references."""
    pieces = re.split(r"(\{[A-Za-z_]+\})", sample)
    return " ".join(piece if piece.startswith("{") else normalise(piece) for piece in pieces if piece.strip())


def models_dir() -> Path:
    """Where the interaction models are: `INTERACTION_MODELS_DIR`, the packaged copy, or the repository's."""
    configured = os.environ.get("INTERACTION_MODELS_DIR")
    if configured:
        return Path(configured)
    return PACKAGED_MODELS if PACKAGED_MODELS.is_dir() else REPOSITORY_MODELS


def load_model(locale: str = "en-US") -> dict[str, Any]:
    """The interaction model for a locale (`<locale>.json` in `models_dir()`)."""
    return dict(json.loads((models_dir() / f"{locale}.json").read_text(encoding="utf-8")))


@cache
def matcher_for(locale: str = "en-US") -> UtteranceMatcher:
    """A matcher for one locale, built once per process."""
    builtins = json.loads(
        resources.files("skill").joinpath("builtin_samples.json").read_text(encoding="utf-8")
    )
    return UtteranceMatcher(load_model(locale), builtins)
