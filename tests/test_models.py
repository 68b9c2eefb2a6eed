"""The Alexa models come from the one grammar: current, within Amazon's rules, rich and unambiguous."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from deploy import models

MODELS = Path(__file__).resolve().parent.parent / "interaction_models"
GENERATED = {item.locale: item for item in models.generate()}


def language(locale: str) -> dict[str, Any]:
    return dict(
        json.loads((MODELS / f"{locale}.json").read_text(encoding="utf-8"))["interactionModel"][
            "languageModel"
        ]
    )


def test_every_english_locale_has_a_model_and_none_is_stale() -> None:
    assert sorted(GENERATED) == ["en-AU", "en-CA", "en-GB", "en-IN", "en-US"]
    assert models.stale(MODELS, GENERATED.values()) == [], "run python deploy/models.py"


def test_a_hand_edit_to_a_model_is_caught(tmp_path: Path) -> None:
    for locale, item in GENERATED.items():
        (tmp_path / f"{locale}.json").write_text(models.render(item.model), encoding="utf-8")
    edited = json.loads((tmp_path / "en-GB.json").read_text())
    edited["interactionModel"]["languageModel"]["intents"][0]["samples"].append("a sample written by hand")
    (tmp_path / "en-GB.json").write_text(models.render(edited))
    assert models.stale(tmp_path, GENERATED.values()) == ["en-GB"]


@pytest.mark.parametrize("locale", sorted(GENERATED))
def test_samples_keep_amazon_s_rules_and_limits(locale: str) -> None:
    model = language(locale)
    assert len(model["intents"]) <= models.MAX_INTENTS
    assert len((MODELS / f"{locale}.json").read_bytes()) <= models.MAX_MODEL_BYTES
    for intent in model["intents"]:
        types = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        samples = intent.get("samples", [])
        assert len(samples) <= models.MAX_SAMPLES, intent["name"]
        for sample in samples:
            assert models.sample_problem(sample, types) is None, (intent["name"], sample)
    for slot_type in model["types"]:
        for value in slot_type["values"]:
            for words in (value["name"]["value"], *value["name"]["synonyms"]):
                assert 0 < len(words) <= models.MAX_SLOT_VALUE_CHARS


@pytest.mark.parametrize("locale", sorted(GENERATED))
def test_every_custom_intent_has_enough_samples_and_none_is_shared(locale: str) -> None:
    owner: dict[str, str] = {}
    for intent in language(locale)["intents"]:
        if not intent["name"].startswith("AMAZON."):
            assert len(intent["samples"]) >= models.MIN_SAMPLES, intent["name"]
        for sample in intent.get("samples", []):
            assert sample not in owner, (sample, owner.get(sample), intent["name"])
            owner[sample] = intent["name"]


def test_the_rule_checker_refuses_what_amazon_refuses() -> None:
    types = {"answer": "AMAZON.SearchQuery", "name": "AMAZON.FirstName", "category": "QuestionCategory"}
    assert models.sample_problem("a question about {category}", types) is None
    assert models.sample_problem("{category}", types) == "slots alone"
    assert models.sample_problem("a 20 second hug", types) is not None
    assert models.sample_problem("check-in", types) is not None
    assert models.sample_problem("{name} said {answer}", types) == "a free-text slot beside another slot"
    assert models.sample_problem("about {topic}", types) is not None


def test_locale_words_replace_us_spelling_in_the_generated_models() -> None:
    def phrases(locale: str) -> str:
        return json.dumps(language(locale))

    assert "mum and dad" in phrases("en-GB") and "mom and dad" not in phrases("en-GB")
    assert "mom and dad" in phrases("en-US")
    assert "favourite" in phrases("en-CA")
    assert "chuck us a question" in phrases("en-AU")
