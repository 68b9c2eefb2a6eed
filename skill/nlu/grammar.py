"""The one grammar (interaction_models/grammar/en.yaml) and its locale table, made ready for a use.

`grammar_for(locale, use)` returns the grammar as a hassil-ready mapping for one English
locale and one use: "local" (the recogniser) or "alexa" (the model generator). Data blocks
marked `metadata.alexa: false` or `metadata.local: false` are left out of that use; the
locale's substitutions and extra sentences (locales.yaml) are applied: for Alexa a word is
replaced ("mom" -> "mum"), for local recognition either word is heard ("(mom|mum)").
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

Use = Literal["local", "alexa"]
# A repository checkout (and an editable install) reads the grammar where people edit it; a
# built wheel carries a copy inside the package (see deploy/build_hooks.py).
REPOSITORY_MODELS = Path(__file__).resolve().parents[2] / "interaction_models"
PACKAGED_MODELS = Path(__file__).resolve().parents[1] / "interaction_models"
# Template syntax a substitution must never touch: {list} and <rule> references.
_REFERENCE = re.compile(r"(\{[^}]*\}|<[^>]*>)")


def models_dir() -> Path:
    """Where the interaction models are: `INTERACTION_MODELS_DIR`, the packaged copy, or the repository's."""
    configured = os.environ.get("INTERACTION_MODELS_DIR")
    if configured:
        return Path(configured)
    return PACKAGED_MODELS if PACKAGED_MODELS.is_dir() else REPOSITORY_MODELS


def _read_yaml(name: str) -> Any:
    return yaml.safe_load((models_dir() / "grammar" / name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class LocalePhrasing:
    """One locale's word substitutions and extra sentences per intent."""

    locale: str
    substitutions: dict[str, str] = field(default_factory=dict)
    extras: dict[str, list[str]] = field(default_factory=dict)

    def apply(self, template: str, use: Use) -> str:
        """The template in this locale's words; {list} and <rule> references are left alone."""
        if not self.substitutions:
            return template
        words = sorted(self.substitutions, key=len, reverse=True)
        pattern = re.compile(r"\b(" + "|".join(re.escape(word) for word in words) + r")\b", re.IGNORECASE)

        def replace(found: re.Match[str]) -> str:
            local = self.substitutions[found[0].lower()]
            return local if use == "alexa" else f"({found[0]}|{local})"

        pieces = _REFERENCE.split(template)
        return "".join(
            piece if _REFERENCE.fullmatch(piece) else pattern.sub(replace, piece) for piece in pieces
        )


@cache
def locales() -> dict[str, LocalePhrasing]:
    """Every supported locale's phrasing, from locales.yaml."""
    table = _read_yaml("locales.yaml")
    return {
        locale: LocalePhrasing(
            locale,
            {str(k).lower(): str(v) for k, v in (entry.get("substitutions") or {}).items()},
            {str(k): [str(s) for s in v] for k, v in (entry.get("extras") or {}).items()},
        )
        for locale, entry in table.items()
    }


@cache
def source_grammar() -> dict[str, Any]:
    """en.yaml as written."""
    grammar: dict[str, Any] = _read_yaml("en.yaml")
    return grammar


@cache
def alexa_skeleton() -> dict[str, Any]:
    """alexa.yaml: the invocation name, slot types, built-in intents and elicited slots."""
    skeleton: dict[str, Any] = _read_yaml("alexa.yaml")
    return skeleton


def grammar_for(locale: str, use: Use) -> dict[str, Any]:
    """The grammar for one locale and use, as a mapping `hassil.Intents.from_dict` takes."""
    phrasing = locales()[locale]
    grammar = copy.deepcopy(source_grammar())
    unknown = sorted(set(phrasing.extras) - set(grammar["intents"]))
    if unknown:
        raise ValueError(f"{locale}: extra sentences for intents the grammar lacks: {unknown}")
    for name, intent in grammar["intents"].items():
        blocks = [block for block in intent["data"] if (block.get("metadata") or {}).get(use, True)]
        extras = phrasing.extras.get(name)
        if extras:
            first = intent["data"][0]
            extra = {"sentences": extras, "metadata": {"extra": True}}
            if "requires_context" in first:
                extra["requires_context"] = first["requires_context"]
            blocks.append(extra)
        for block in blocks:
            block["sentences"] = [phrasing.apply(sentence, use) for sentence in block["sentences"]]
        intent["data"] = blocks
    grammar["intents"] = {name: intent for name, intent in grammar["intents"].items() if intent["data"]}
    for name, rule in grammar.get("expansion_rules", {}).items():
        grammar["expansion_rules"][name] = phrasing.apply(rule, use)
    for slot_list in grammar.get("lists", {}).values():
        for value in slot_list.get("values", []):
            value["in"] = phrasing.apply(value["in"], use)
    return grammar
