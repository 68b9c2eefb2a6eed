"""Content is data, valid against its schemas, complete, and fit for the ear."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from dialogue.content import Content, ContentError, load_content, load_phrases, validate

CONTENT = load_content()
EXPECTED_DECKS = {
    "RELATIONSHIP": 9,
    "FAMILY": 9,
    "HOPES_AND_DREAMS": 9,
    "HARDSHIP": 9,
    "INSECURITIES": 7,
    "SPIRITUALITY": 10,
}
# A few questions exactly as the seed article words them, one or two per deck.
FROM_THE_ARTICLE = [
    "What's your favorite thing about our relationship?",
    "Would you ever consider relationship coaching if we felt we needed it?",
    "Who was your main caregiver growing up?",
    "What travel destinations are on your bucket list?",
    "Do you feel like you're reaching your full potential? Why or why not?",
    "How do you prioritize self-care?",
    "How do you manage self-criticism and automatic negative thoughts?",
    "Where do you find inner peace and replenishment?",
]


def raw(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(resources.files("dialogue.content").joinpath(name).read_text())
    return document


def test_all_53_questions_in_six_decks() -> None:
    assert {cid: len(c.questions) for cid, c in CONTENT.categories.items()} == EXPECTED_DECKS
    assert len(CONTENT.questions) == 53
    texts = {q.text for q in CONTENT.questions.values()}
    assert len(texts) == 53
    for line in FROM_THE_ARTICLE:
        assert line in texts


def test_schemas_reject_broken_content() -> None:
    questions = raw("questions.json")
    questions["categories"][0]["questions"][0]["id"] = "Not An Id"
    with pytest.raises(ContentError, match="questions"):
        validate(questions, "questions.schema.json")
    phrases = raw("phrases/common.json")
    phrases["phrases"]["launch.first"] = []
    with pytest.raises(ContentError):
        validate(phrases, "phrases.schema.json")
    phrases = raw("phrases/common.json")
    phrases["phrases"]["goodbye"] = ["<speak>raw ssml</speak>"]
    with pytest.raises(ContentError):
        validate(phrases, "phrases.schema.json")


def test_a_synonym_naming_two_categories_is_refused() -> None:
    questions = raw("questions.json")
    questions["categories"][1]["synonyms"].append(questions["categories"][0]["synonyms"][0])
    with pytest.raises(ContentError, match="two categories"):
        Content(questions, load_phrases())


def test_every_phrase_key_the_code_uses_exists() -> None:
    used = set()
    for path in Path(str(resources.files("dialogue").joinpath("flows"))).rglob("*.py"):
        used |= set(re.findall(r'(?:say\(|_home\(turn, )"([a-z_.]+)"', path.read_text()))
    assert used, "the flows speak through content keys"
    assert sorted(key for key in used if not CONTENT.has(key)) == []


def test_every_flow_has_help_reprompt_and_options() -> None:
    from dialogue.flows import FLOWS

    for flow in FLOWS:
        for prefix in ("help", "reprompt", "options"):
            assert CONTENT.has(f"{prefix}.{flow}") or flow == "home", (prefix, flow)
