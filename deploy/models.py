"""Generate the Alexa interaction models (interaction_models/<locale>.json) from the one grammar.

The grammar (interaction_models/grammar/en.yaml, hassil templates) holds every phrasing;
alexa.yaml what a model needs beyond phrasings (invocation name, slot types, built-in
intents, elicited slots); locales.yaml each locale's words. For every locale this writes a
model in the skill-package format, the way a person would write one:

- samples are the templates' expansions with slots kept as `{slot}`, deduplicated, a
  capped and evenly spread selection per intent (`MAX_SAMPLES`), never fewer than
  `MIN_SAMPLES` for a custom intent: Alexa generalises from natural samples on its own,
  and fillers or politeness ("um", "please") are not phrasings;
- a sample two intents would share stays with the first intent (in grammar order);
- custom slot types come from the grammar's lists: each `out` is a value id, the first
  alternative its value, the other alternatives its synonyms.

Amazon's rules and limits, checked while generating (the limits table is "Interaction
model limits" in the ASK docs, create-the-interaction-model-for-your-skill; the sample
rules are "Rules for sample utterances"; AMAZON.SearchQuery is in the slot type reference):
- a sample holds words, spaces, apostrophes, periods only after a letter abbreviation, and
  `{slot}` references; numbers are spelled out (no digits); no other punctuation;
- a sample with an AMAZON.SearchQuery slot has a carrier phrase and no other slot; with a
  dialog model, an intent sample cannot be slots alone (a slot's own elicitation samples
  can);
- at most 250 intents; the whole model at most 1.5 MB; a slot value or synonym at most
  140 characters. No per-intent sample count is documented: `MAX_SAMPLES` is our cap, and
  `MAX_SAMPLE_CHARS` keeps each sample to something a person says in one breath.

    python deploy/models.py            # write interaction_models/<locale>.json
    python deploy/models.py --check    # exit 1 when a checked-in model is stale

tests/test_models.py regenerates in memory and fails when a model is out of date.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from hassil import Intents  # noqa: E402
from hassil.expression import Sentence  # noqa: E402
from hassil.intents import TextSlotList  # noqa: E402
from hassil.sample import sample_expression  # noqa: E402

from skill.nlu.grammar import alexa_skeleton, grammar_for, locales  # noqa: E402

MODELS = ROOT / "interaction_models"
MIN_SAMPLES = 30
MAX_SAMPLES = 120
MAX_SAMPLE_CHARS = 140
MAX_INTENTS = 250
MAX_MODEL_BYTES = 1_500_000
MAX_SLOT_VALUE_CHARS = 140
# expansions looked at per template before spreading the selection over them
_EXPANSIONS_PER_TEMPLATE = 4000
_ALLOWED = re.compile(r"(?:[a-z']+|[a-z]\.|\{[A-Za-z_]+\})(?: (?:[a-z']+|[a-z]\.|\{[A-Za-z_]+\}))*")
_SLOT = re.compile(r"\{([A-Za-z_]+)\}")
FREE_TEXT = "AMAZON.SearchQuery"


@dataclass
class Generated:
    """One locale's model and what the generator left out of it."""

    locale: str
    model: dict[str, Any]
    dropped: list[str] = field(default_factory=list)


def _spoken(sample: str) -> str:
    """A sample as Alexa takes it: lower case, hyphens as spaces, single spaces."""
    pieces = re.split(r"(\{[A-Za-z_]+\})", sample)
    text = "".join(p if p.startswith("{") else p.lower().replace("-", " ") for p in pieces)
    return " ".join(text.split())


def _expansions(sentence: Sentence, intents: Intents) -> list[str]:
    out: list[str] = []
    for text in sample_expression(
        sentence.expression, intents.slot_lists, intents.expansion_rules, expand_lists=False
    ):
        out.append(_spoken(text))
        if len(out) >= _EXPANSIONS_PER_TEMPLATE:
            break
    return list(dict.fromkeys(out))


def _spread(items: list[str], count: int) -> list[str]:
    """`count` items evenly spaced through `items` (all of them when there are fewer)."""
    if len(items) <= count:
        return items
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def sample_problem(sample: str, slot_types: dict[str, str]) -> str | None:
    """Why Amazon would refuse a sample, or None when it is fine."""
    if not _ALLOWED.fullmatch(sample):
        return "characters Alexa does not take (digits, punctuation)"
    if len(sample) > MAX_SAMPLE_CHARS:
        return f"longer than {MAX_SAMPLE_CHARS} characters"
    slots = _SLOT.findall(sample)
    if len(slots) != len(set(slots)):
        return "a slot twice"
    unknown = [slot for slot in slots if slot not in slot_types]
    if unknown:
        return f"slots with no type: {unknown}"
    if not _SLOT.sub("", sample).strip():
        return "slots alone"
    if any(slot_types[slot] == FREE_TEXT for slot in slots) and len(slots) > 1:
        return "a free-text slot beside another slot"
    return None


def _select(
    candidates: list[list[str]], taken: set[str], slot_types: dict[str, str]
) -> tuple[list[str], int]:
    """Round-robin over the templates' spread expansions until MAX_SAMPLES; how many were refused."""
    queues = [_spread(expansions, MAX_SAMPLES) for expansions in candidates]
    chosen: list[str] = []
    refused = 0
    while len(chosen) < MAX_SAMPLES and any(queues):
        for queue in queues:
            if not queue or len(chosen) >= MAX_SAMPLES:
                continue
            sample = queue.pop(0)
            if sample in taken or sample in chosen:
                continue
            if sample_problem(sample, slot_types) is not None:
                refused += 1
                continue
            chosen.append(sample)
    return chosen, refused


def _slot_types_of(intents: Intents, skeleton: dict[str, Any]) -> list[dict[str, Any]]:
    """Custom slot types from the grammar lists: out -> id, first alternative -> value, rest -> synonyms."""
    types: list[dict[str, Any]] = []
    for list_name, alexa_type in skeleton["slots"].items():
        if alexa_type.startswith("AMAZON.") or any(t["name"] == alexa_type for t in types):
            continue
        slot_list = intents.slot_lists[list_name]
        assert isinstance(slot_list, TextSlotList), list_name
        values = []
        taken: set[str] = set()
        for value in slot_list.values:
            words = list(dict.fromkeys(_spoken(w) for w in sample_expression(value.text_in)))
            words = [w for w in words if w not in taken and len(w) <= MAX_SLOT_VALUE_CHARS]
            taken.update(words)
            values.append({"id": str(value.value_out), "name": {"value": words[0], "synonyms": words[1:]}})
        types.append({"name": alexa_type, "values": values})
    return types


def derive(locale: str) -> Generated:
    """One locale's interaction model from the grammar."""
    skeleton = alexa_skeleton()
    slot_types: dict[str, str] = dict(skeleton["slots"])
    intents = Intents.from_dict(grammar_for(locale, "alexa"))
    result = Generated(locale, {})
    taken: set[str] = set()
    model_intents: list[dict[str, Any]] = []
    names = [name for name in intents.intents if not name.startswith("AMAZON.")]
    for name in names + [b for b in skeleton["builtin_intents"]]:
        intent = intents.intents.get(name)
        sentences = [s for data in intent.data for s in data.sentences] if intent else []
        candidates = [_expansions(sentence, intents) for sentence in sentences]
        samples, refused = _select(candidates, taken, slot_types)
        if refused:
            result.dropped.append(f"{name}: {refused} expansions Amazon would refuse")
        taken.update(samples)
        entry: dict[str, Any] = {"name": name}
        used = list(dict.fromkeys(slot for sample in samples for slot in _SLOT.findall(sample)))
        elicited = skeleton["elicited"].get(name, {})
        for slot in elicited:
            if slot not in used:
                used.append(slot)
        if used:
            entry["slots"] = [
                _slot_entry(slot, slot_types[slot], elicited.get(slot), locale) for slot in used
            ]
        if samples or not name.startswith("AMAZON."):
            entry["samples"] = samples
        model_intents.append(entry)
    language = {
        "invocationName": skeleton["invocation"],
        "intents": model_intents,
        "types": _slot_types_of(intents, skeleton),
    }
    result.model = {"interactionModel": {"languageModel": language, **_dialog(skeleton, model_intents)}}
    return result


def _slot_entry(name: str, alexa_type: str, elicited: dict[str, Any] | None, locale: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "type": alexa_type}
    if elicited:
        phrasing = locales()[locale]
        entry["samples"] = list(dict.fromkeys(phrasing.apply(s, "alexa") for s in elicited["samples"]))
    return entry


def prompt_id(slot: str) -> str:
    """The dialog model's prompt id for eliciting a slot."""
    return f"Elicit.Slot.{slot[:1].upper()}{slot[1:]}"


def _dialog(skeleton: dict[str, Any], model_intents: list[dict[str, Any]]) -> dict[str, Any]:
    """The dialog model for the elicited slots: each such intent with all its slots, and the prompts."""
    slots_of = {intent["name"]: intent.get("slots", []) for intent in model_intents}
    intents, prompts = [], []
    for intent, elicited in skeleton["elicited"].items():
        entry_slots = []
        for slot in slots_of[intent]:
            spec = elicited.get(slot["name"])
            entry: dict[str, Any] = {
                "name": slot["name"],
                "type": slot["type"],
                "elicitationRequired": spec is not None,
                "confirmationRequired": False,
                "prompts": {},
            }
            if spec is not None:
                entry["prompts"] = {"elicitation": prompt_id(slot["name"])}
                prompts.append(
                    {
                        "id": prompt_id(slot["name"]),
                        "variations": [{"type": "PlainText", "value": spec["prompt"]}],
                    }
                )
            entry_slots.append(entry)
        intents.append({"name": intent, "confirmationRequired": False, "prompts": {}, "slots": entry_slots})
    return {"dialog": {"intents": intents, "delegationStrategy": "SKILL_RESPONSE"}, "prompts": prompts}


def render(model: dict[str, Any]) -> str:
    """A model as the checked-in file's text (two-space JSON, trailing newline)."""
    return json.dumps(model, indent=2, ensure_ascii=False) + "\n"


def generate() -> list[Generated]:
    """Every locale's model."""
    generated = [derive(locale) for locale in locales()]
    for item in generated:
        intents = item.model["interactionModel"]["languageModel"]["intents"]
        if len(intents) > MAX_INTENTS:
            raise ValueError(f"{item.locale}: {len(intents)} intents, Amazon takes {MAX_INTENTS}")
        size = len(render(item.model).encode())
        if size > MAX_MODEL_BYTES:
            raise ValueError(f"{item.locale}: the model is {size} bytes, Amazon takes {MAX_MODEL_BYTES}")
    return generated


def stale(models: Path = MODELS, generated: Iterable[Generated] | None = None) -> list[str]:
    """Locales whose checked-in model differs from what the grammar generates now."""
    out = []
    for item in generated if generated is not None else generate():
        path = models / f"{item.locale}.json"
        if not path.exists() or path.read_text(encoding="utf-8") != render(item.model):
            out.append(item.locale)
    return out


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, verify) every locale's interaction model."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale models; exit 1 if any")
    args = parser.parse_args(argv)
    if args.check:
        out_of_date = stale()
        if out_of_date:
            print(f"stale: {', '.join(out_of_date)}; run python deploy/models.py", file=sys.stderr)
            return 1
        print("every interaction model is up to date")
        return 0
    for item in generate():
        path = MODELS / f"{item.locale}.json"
        path.write_text(render(item.model), encoding="utf-8")
        intents = item.model["interactionModel"]["languageModel"]["intents"]
        print(f"wrote {path.relative_to(ROOT)} ({sum(len(i.get('samples', [])) for i in intents)} samples)")
        for note in item.dropped:
            print(f"  left out {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
