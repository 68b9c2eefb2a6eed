"""Every interaction model is valid, rich, and agrees with the dialogue's rules both ways."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from dialogue import intents
from dialogue.content import load_content
from dialogue.flows import all_rules

MODELS = Path(__file__).resolve().parent.parent / "interaction_models"
LOCALES = sorted(p.stem for p in MODELS.glob("*.json"))
SCHEMA = json.loads((MODELS / "schema" / "interaction_model.schema.json").read_text())


def language_model(locale: str) -> dict[str, Any]:
    model: dict[str, Any] = json.loads((MODELS / f"{locale}.json").read_text())["interactionModel"][
        "languageModel"
    ]
    return model


def test_there_is_a_us_english_model() -> None:
    assert "en-US" in LOCALES


@pytest.mark.parametrize("locale", LOCALES)
def test_model_is_valid_against_the_schema(locale: str) -> None:
    document = json.loads((MODELS / f"{locale}.json").read_text())
    errors = list(Draft202012Validator(SCHEMA).iter_errors(document))
    assert errors == []
    assert document["interactionModel"]["languageModel"]["invocationName"] == "heart to heart"


def test_schema_rejects_a_broken_model() -> None:
    document = json.loads((MODELS / "en-US.json").read_text())
    document["interactionModel"]["languageModel"]["invocationName"] = "Heart To Heart!"
    document["interactionModel"]["languageModel"]["intents"][0]["samples"].append(" bad {")
    assert len(list(Draft202012Validator(SCHEMA).iter_errors(document))) >= 2


@pytest.mark.parametrize("locale", LOCALES)
def test_every_intent_has_a_rule_and_every_rule_intent_is_in_the_model(locale: str) -> None:
    in_model = {intent["name"] for intent in language_model(locale)["intents"]}
    in_rules = {rule.intent for rule in all_rules() if not intents.is_request_kind(rule.intent)}
    assert sorted(in_model - in_rules) == [], "intents nobody handles"
    assert sorted(in_rules - in_model) == [], "rules for intents the model lacks"


@pytest.mark.parametrize("locale", LOCALES)
def test_custom_intents_have_rich_unique_samples(locale: str) -> None:
    seen: dict[str, str] = {}
    for intent in language_model(locale)["intents"]:
        samples = intent.get("samples", [])
        if not intent["name"].startswith("AMAZON."):
            assert len(samples) >= 20, intent["name"]
        slots = {slot["name"] for slot in intent.get("slots", [])}
        for sample in samples:
            assert sample not in seen, (sample, intent["name"], seen.get(sample))
            seen[sample] = intent["name"]
            for ref in re.findall(r"\{(\w+)\}", sample):
                assert ref in slots, (intent["name"], sample)


@pytest.mark.parametrize("locale", LOCALES)
def test_category_slot_type_matches_the_question_decks(locale: str) -> None:
    content = load_content()
    types = {t["name"]: t for t in language_model(locale)["types"]}
    values = {v["id"]: v["name"] for v in types["QuestionCategory"]["values"]}
    assert set(values) == set(content.categories)
    for category_id, name in values.items():
        category = content.categories[category_id]
        assert name["value"] == category.name
        # the grammar's list is where category phrasings live; it covers every word the decks know
        assert set(category.synonyms) | {category.name} <= set(name.get("synonyms", [])) | {name["value"]}


class _NoDuplicateKeys(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice in one mapping (YAML keeps the last silently)."""


def _mapping_without_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"{key!r} given twice", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


_NoDuplicateKeys.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


@pytest.mark.parametrize("name", ["en.yaml", "alexa.yaml", "locales.yaml"])
def test_no_grammar_key_is_given_twice(name: str) -> None:
    """A second `AMAZON.NoIntent:` block would silently replace the first one's sentences."""
    text = (Path(__file__).resolve().parent.parent / "interaction_models" / "grammar" / name).read_text()
    assert yaml.load(text, Loader=_NoDuplicateKeys)  # noqa: S506 - a SafeLoader subclass
    with pytest.raises(yaml.constructor.ConstructorError, match="given twice"):
        yaml.load("intents:\n  A: 1\n  A: 2\n", Loader=_NoDuplicateKeys)  # noqa: S506
