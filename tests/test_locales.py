"""The en-GB, en-CA, en-AU and en-IN models are en-US's, regenerated, in each locale's words."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from deploy import locales
from skill.nlu import UtteranceMatcher

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "interaction_models"
SOURCE, PHRASINGS = locales.load_phrasing()
BY_LOCALE = {phrasing.locale: phrasing for phrasing in PHRASINGS}
DERIVED = sorted(BY_LOCALE)


def model(locale: str) -> dict[str, Any]:
    return dict(json.loads((MODELS / f"{locale}.json").read_text(encoding="utf-8")))


def phrases(document: dict[str, Any]) -> list[str]:
    """Every sample, slot sample and slot-value synonym a model holds."""
    language = document["interactionModel"]["languageModel"]
    found: list[str] = []
    for intent in language["intents"]:
        found += intent.get("samples", [])
        for slot in intent.get("slots", []):
            found += slot.get("samples", [])
    for slot_type in language.get("types", []):
        for value in slot_type.get("values", []):
            found += value["name"].get("synonyms", [])
    return found


def has_word(texts: list[str], word: str) -> bool:
    pattern = re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)
    return any(pattern.search(text) for text in texts)


def test_the_four_derived_locales_are_generated_from_us_english() -> None:
    assert SOURCE == "en-US"
    assert DERIVED == ["en-AU", "en-CA", "en-GB", "en-IN"]


def test_checked_in_locale_files_are_up_to_date() -> None:
    assert locales.stale() == [], f"locale models are stale: {locales.REGENERATE}"


def test_a_changed_us_model_makes_every_derived_locale_stale(tmp_path: Path) -> None:
    shutil.copytree(MODELS, tmp_path / "interaction_models")
    copied = tmp_path / "interaction_models"
    us = json.loads((copied / "en-US.json").read_text(encoding="utf-8"))
    us["interactionModel"]["languageModel"]["intents"][0]["samples"].append("a brand new way to ask")
    (copied / "en-US.json").write_text(locales.render(us), encoding="utf-8")

    phrasing = copied / "locales" / "phrasing.json"
    assert sorted(locales.stale(copied, phrasing)) == DERIVED

    checked = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "locales.py"), "--check", "--models", str(copied)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 1
    assert "run python deploy/locales.py" in checked.stderr

    written = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "locales.py"), "--models", str(copied)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "en-GB.json" in written.stdout
    assert locales.stale(copied, phrasing) == []
    assert "a brand new way to ask" in phrases(json.loads((copied / "en-GB.json").read_text()))


@pytest.mark.parametrize("locale", DERIVED)
def test_locale_keeps_everything_but_the_words(locale: str) -> None:
    us, local = model("en-US")["interactionModel"], model(locale)["interactionModel"]
    assert local["languageModel"]["invocationName"] == "heart to heart"
    assert local.get("dialog") == us.get("dialog")
    assert local.get("prompts") == us.get("prompts")
    us_intents = {i["name"]: i for i in us["languageModel"]["intents"]}
    local_intents = {i["name"]: i for i in local["languageModel"]["intents"]}
    assert list(local_intents) == list(us_intents)
    for name, intent in local_intents.items():
        slots = [(s["name"], s["type"]) for s in intent.get("slots", [])]
        assert slots == [(s["name"], s["type"]) for s in us_intents[name].get("slots", [])]
    us_types = {t["name"]: [v.get("id") for v in t["values"]] for t in us["languageModel"].get("types", [])}
    local_types = {
        t["name"]: [v.get("id") for v in t["values"]] for t in local["languageModel"].get("types", [])
    }
    assert local_types == us_types


@pytest.mark.parametrize("locale", DERIVED)
def test_locale_speaks_its_own_english(locale: str) -> None:
    us_words, local_words = phrases(model("en-US")), phrases(model(locale))
    for american, local in BY_LOCALE[locale].substitutions.items():
        assert not has_word(local_words, american), (locale, american)
        if has_word(us_words, american):
            assert has_word(local_words, local), (locale, local)
    for intent, extras in BY_LOCALE[locale].extras.items():
        samples = next(
            i for i in model(locale)["interactionModel"]["languageModel"]["intents"] if i["name"] == intent
        )
        assert set(extras) <= set(samples["samples"]), (locale, intent)


def test_commonwealth_locales_say_mum_and_favourite_and_canada_keeps_mom() -> None:
    for locale in ("en-GB", "en-AU", "en-IN"):
        words = phrases(model(locale))
        assert has_word(words, "mum") and has_word(words, "favourite"), locale
        assert not has_word(words, "mom") and not has_word(words, "favorite"), locale
    canadian = phrases(model("en-CA"))
    assert has_word(canadian, "favourite") and not has_word(canadian, "favorite")
    assert "mom" not in BY_LOCALE["en-CA"].substitutions
    assert "righto another one" in phrases(model("en-AU"))
    assert "give us a question then" in phrases(model("en-GB"))
    assert "please give one question" in phrases(model("en-IN"))


@pytest.mark.parametrize(
    ("locale", "said", "intent"),
    [
        ("en-GB", "my mum is Sam", "NameIntent"),
        ("en-GB", "give us a question then", "AskQuestionIntent"),
        ("en-AU", "righto another one", "AMAZON.NextIntent"),
        ("en-IN", "please give one question", "AskQuestionIntent"),
        ("en-CA", "share a favourite memory", "RememberWhenIntent"),
    ],
)
def test_the_chat_matcher_understands_locale_phrasing(locale: str, said: str, intent: str) -> None:
    assert UtteranceMatcher(model(locale), {}).match(said).intent == intent


def tiny_model() -> dict[str, Any]:
    return {
        "interactionModel": {
            "languageModel": {
                "invocationName": "heart to heart",
                "intents": [
                    {
                        "name": "CallIntent",
                        "samples": ["call my mom", "call my mum", "call {mom} now"],
                        "slots": [
                            {"name": "mom", "type": "AMAZON.FirstName", "samples": ["{mom}", "my mom {mom}"]}
                        ],
                    },
                    {"name": "OtherIntent", "samples": ["my Favorite moms", "momentum", "call my mom"]},
                ],
                "types": [
                    {
                        "name": "Thing",
                        "values": [
                            {
                                "id": "A",
                                "name": {"value": "mum", "synonyms": ["mom", "mommy", "favorite color"]},
                            },
                            {"id": "B", "name": {"value": "dad", "synonyms": ["mummy"]}},
                        ],
                    },
                ],
            }
        }
    }


def test_substitution_is_whole_words_outside_slot_references_and_never_duplicates() -> None:
    british = locales.LocalePhrasing(
        "en-GB", {"mom": "mum", "moms": "mums", "mommy": "mummy", "favorite": "favourite", "color": "colour"}
    )
    generated = locales.derive(tiny_model(), british)
    language = generated.model["interactionModel"]["languageModel"]
    call, other = language["intents"]
    # "call my mom" became "call my mum", which the unchanged sample already owns.
    assert call["samples"] == ["call my mum", "call {mom} now"]
    assert other["samples"] == ["my Favourite mums", "momentum"]
    assert call["slots"][0]["samples"] == ["{mom}", "my mum {mom}"]
    values = language["types"][0]["values"]
    assert values[0]["name"] == {"value": "mum", "synonyms": ["mummy", "favourite colour"]}
    assert values[1]["name"] == {"value": "dad", "synonyms": []}  # "mummy" already belongs to A
    assert len(generated.dropped) == 2
    assert tiny_model()["interactionModel"]["languageModel"]["intents"][0]["samples"][0] == "call my mom"


def test_extras_for_an_unknown_intent_or_slot_are_refused() -> None:
    with pytest.raises(ValueError, match="intents the model lacks"):
        locales.derive(tiny_model(), locales.LocalePhrasing("en-GB", {}, {"NoSuchIntent": ["hello"]}))
    with pytest.raises(ValueError, match="names slots"):
        locales.derive(tiny_model(), locales.LocalePhrasing("en-GB", {}, {"OtherIntent": ["ring {who}"]}))


def test_an_extra_that_is_already_a_sample_is_dropped_and_reported() -> None:
    generated = locales.derive(
        tiny_model(), locales.LocalePhrasing("en-GB", {}, {"OtherIntent": ["call my mum"]})
    )
    other = generated.model["interactionModel"]["languageModel"]["intents"][1]
    assert "call my mum" not in other["samples"]
    assert any("already a sample of CallIntent" in note for note in generated.dropped)


def test_phrasing_data_is_not_read_as_an_interaction_model() -> None:
    assert sorted(p.stem for p in MODELS.glob("*.json")) == ["en-AU", "en-CA", "en-GB", "en-IN", "en-US"]
