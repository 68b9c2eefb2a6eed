"""Derive the en-GB, en-CA, en-AU and en-IN interaction models from en-US.json.

en-US.json is the one model people edit. Every other English locale is generated from it
with the phrasing table in `interaction_models/locales/phrasing.json`: whole-word
substitutions ("mom" -> "mum", "favorite" -> "favourite") in sample utterances, slot
elicitation samples and slot-value synonyms, plus a few extra samples a speaker of that
locale would say. The invocation name, intents, slots, slot types, dialog model and
prompts are carried over unchanged, so every locale keeps the same intents the dialogue's
rules expect.

After substitution a sample can collide with another (within an intent or across
intents); a sample that was not changed keeps its place and the changed copy is dropped,
so the generated model never repeats a sample. An extra sample that is already there is
dropped too, and reported.

    python deploy/locales.py            # rewrite interaction_models/<locale>.json
    python deploy/locales.py --check    # exit 1 if a checked-in locale file is stale

`tests/test_locales.py` regenerates in memory and fails when the files are out of date.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "interaction_models"
PHRASING = MODELS / "locales" / "phrasing.json"
REGENERATE = "run python deploy/locales.py"

_SLOT_REFERENCE = re.compile(r"(\{[A-Za-z_]+\})")


@dataclass(frozen=True)
class LocalePhrasing:
    """One locale's word substitutions and extra samples per intent."""

    locale: str
    substitutions: dict[str, str]
    extras: dict[str, list[str]] = field(default_factory=dict)
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Longest first, so "moms" is not read as "mom" + "s"; \b keeps "momentum" intact.
        words = sorted(self.substitutions, key=len, reverse=True)
        regex = r"\b(" + "|".join(re.escape(word) for word in words) + r")\b" if words else r"(?!)"
        object.__setattr__(self, "pattern", re.compile(regex, re.IGNORECASE))

    def substitute(self, text: str) -> str:
        """The text with whole words replaced, slot references (`{name}`) left alone."""
        pieces = _SLOT_REFERENCE.split(text)
        return "".join(
            piece if _SLOT_REFERENCE.fullmatch(piece) else self.pattern.sub(self._replace, piece)
            for piece in pieces
        )

    def _replace(self, found: re.Match[str]) -> str:
        word = found.group(0)
        replacement = self.substitutions[word.lower()]
        return replacement[:1].upper() + replacement[1:] if word[:1].isupper() else replacement


@dataclass
class Generated:
    """A locale's model and what the generator had to drop to keep it valid."""

    locale: str
    model: dict[str, Any]
    dropped: list[str] = field(default_factory=list)


def load_phrasing(path: Path = PHRASING) -> tuple[str, list[LocalePhrasing]]:
    """The source locale and each target locale's phrasing, from the data file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    phrasings = []
    for locale, table in data["locales"].items():
        substitutions = {word.lower(): value for word, value in table.get("substitutions", {}).items()}
        phrasings.append(LocalePhrasing(locale, substitutions, dict(table.get("extras", {}))))
    return str(data["source"]), phrasings


def derive(source: Mapping[str, Any], phrasing: LocalePhrasing) -> Generated:
    """One locale's model from the source model (which is not modified)."""
    model = copy.deepcopy(dict(source))
    result = Generated(phrasing.locale, model)
    language = model["interactionModel"]["languageModel"]
    intents: list[dict[str, Any]] = language["intents"]

    unknown = sorted(set(phrasing.extras) - {intent["name"] for intent in intents})
    if unknown:
        raise ValueError(f"{phrasing.locale}: extra samples for intents the model lacks: {unknown}")

    translated = [
        [(phrasing.substitute(sample), sample) for sample in intent.get("samples", [])] for intent in intents
    ]
    # A sample the substitutions left alone owns its wording; a changed copy that collides yields.
    unchanged = {local for samples in translated for local, original in samples if local == original}
    seen: dict[str, str] = {}
    for intent, samples in zip(intents, translated, strict=True):
        if "samples" not in intent:
            continue
        kept: list[str] = []
        for sample, original in samples:
            if sample in seen or (sample != original and sample in unchanged):
                result.dropped.append(f"{intent['name']}: {sample!r} (a duplicate after substitution)")
                continue
            seen[sample] = intent["name"]
            kept.append(sample)
        intent["samples"] = kept

    for intent in intents:
        slots = {slot["name"] for slot in intent.get("slots", [])}
        for extra in phrasing.extras.get(intent["name"], []):
            name = intent["name"]
            missing = [ref for ref in re.findall(r"\{(\w+)\}", extra) if ref not in slots]
            if missing:
                raise ValueError(f"{phrasing.locale}: extra {extra!r} names slots {name} lacks: {missing}")
            if extra in seen:
                result.dropped.append(f"{name}: extra {extra!r} (already a sample of {seen[extra]})")
                continue
            seen[extra] = intent["name"]
            intent.setdefault("samples", []).append(extra)
        for slot in intent.get("slots", []):
            if "samples" in slot:
                slot["samples"] = _unique(phrasing.substitute(sample) for sample in slot["samples"])

    for slot_type in language.get("types", []):
        # No synonym may repeat a value's name or another synonym of the same type.
        taken = {value["name"]["value"] for value in slot_type.get("values", [])}
        for value in slot_type.get("values", []):
            name = value["name"]
            if "synonyms" not in name:
                continue
            synonyms = []
            for synonym in name["synonyms"]:
                localised = phrasing.substitute(synonym)
                if localised in taken:
                    continue
                taken.add(localised)
                synonyms.append(localised)
            name["synonyms"] = synonyms
    return result


def _unique(items: Any) -> list[str]:
    return list(dict.fromkeys(items))


def render(model: Mapping[str, Any]) -> str:
    """A model as the checked-in file's text (two-space JSON, trailing newline)."""
    return json.dumps(model, indent=2, ensure_ascii=False) + "\n"


def generate(models: Path = MODELS, phrasing_path: Path = PHRASING) -> list[Generated]:
    """Every target locale's model, derived from the source model in `models`."""
    source_locale, phrasings = load_phrasing(phrasing_path)
    source = json.loads((models / f"{source_locale}.json").read_text(encoding="utf-8"))
    return [derive(source, phrasing) for phrasing in phrasings]


def stale(models: Path = MODELS, phrasing_path: Path = PHRASING) -> list[str]:
    """Locales whose checked-in file differs from what the generator makes now."""
    out = []
    for generated in generate(models, phrasing_path):
        path = models / f"{generated.locale}.json"
        if not path.exists() or path.read_text(encoding="utf-8") != render(generated.model):
            out.append(generated.locale)
    return out


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, verify) every derived locale's interaction model."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale files; exit 1 if any")
    parser.add_argument("--models", type=Path, default=MODELS, help="the interaction_models folder")
    args = parser.parse_args(argv)
    phrasing_path = args.models / "locales" / "phrasing.json"
    if args.check:
        out_of_date = stale(args.models, phrasing_path)
        if out_of_date:
            print(f"stale: {', '.join(out_of_date)}; {REGENERATE}", file=sys.stderr)
            return 1
        print("all locale models are up to date")
        return 0
    for generated in generate(args.models, phrasing_path):
        path = args.models / f"{generated.locale}.json"
        path.write_text(render(generated.model), encoding="utf-8")
        intents = generated.model["interactionModel"]["languageModel"]["intents"]
        samples = sum(len(intent.get("samples", [])) for intent in intents)
        print(f"wrote {path.relative_to(args.models.parent)} ({samples} samples)")
        for note in generated.dropped:
            print(f"  dropped {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
