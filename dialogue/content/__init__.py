"""Everything the skill says, as data: the question decks and the phrases, validated at load.

`questions.json` holds the six decks from the seed article; `phrases/*.json` (one file per
flow) hold every line the skill speaks, each with several variants so repeated use does
not sound robotic. All are checked against their JSON Schemas when loaded, and a key
defined in two phrase files is an error.

The schemas are compiled once with fastjsonschema (dialogue.schemas); jsonschema,
slow to import, is loaded only to describe a file that fails, so a good start never pays for it.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from dialogue.model import Slot
from dialogue.schemas import Schema
from dialogue.speech import Speech, Template


class ContentError(ValueError):
    """A content file that does not match its schema or its own references."""


@dataclass(frozen=True)
class Question:
    """One question of a deck."""

    id: str
    text: str
    category: str


@dataclass(frozen=True)
class Category:
    """One deck: its spoken name, the words that mean it, and its questions."""

    id: str
    name: str
    card_title: str
    synonyms: tuple[str, ...]
    questions: tuple[Question, ...]


_FILLER = re.compile(r"\b(about|the|a|an|our|my|your|some|questions?|one|please|on|of)\b")


def _words(text: str) -> str:
    text = re.sub(r"[^a-z' ]+", " ", text.lower())
    return " ".join(_FILLER.sub(" ", text).split())


class Content:
    """The loaded, validated content, with lookups the flows need."""

    def __init__(self, questions: dict[str, Any], phrases: dict[str, Any]) -> None:
        self.categories: dict[str, Category] = {}
        self.questions: dict[str, Question] = {}
        for raw in questions["categories"]:
            deck = tuple(Question(q["id"], q["text"], raw["id"]) for q in raw["questions"])
            self.categories[raw["id"]] = Category(
                raw["id"], raw["name"], raw["card_title"], tuple(raw["synonyms"]), deck
            )
            for question in deck:
                if question.id in self.questions:
                    raise ContentError(f"question id {question.id} appears twice")
                self.questions[question.id] = question
        self.phrases: dict[str, tuple[str, ...]] = {
            key: tuple(variants) for key, variants in phrases["phrases"].items()
        }
        self.sounds: dict[str, str] = dict(phrases["sounds"])
        self._templates: dict[str, Template] = {}  # parsed on first use
        self.lists: dict[str, tuple[str, ...]] = {
            key: tuple(items) for key, items in phrases["lists"].items()
        }
        self._category_words = self._index_category_words()

    def _index_category_words(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for category in self.categories.values():
            for phrase in (category.id.replace("_", " "), category.name, *category.synonyms):
                key = _words(phrase)
                if key in index and index[key] != category.id:
                    raise ContentError(f"{phrase!r} names two categories")
                index[key] = category.id
        return index

    def has(self, key: str) -> bool:
        """Whether a phrase with this key exists."""
        return key in self.phrases

    def speak(self, key: str, rng: random.Random, **values: str | Speech) -> Speech:
        """One randomly chosen variant of a phrase, composed into speech."""
        variant = rng.choice(self.phrases[key])
        template = self._templates.get(variant)
        if template is None:
            template = self._templates[variant] = Template(variant, self.sounds)
        return template.fill(values)

    def category_for(self, slot: Slot) -> Category | None:
        """The category a slot names: its resolved id, or its words matched against synonyms."""
        if slot.resolved_id in self.categories:
            return self.categories[slot.resolved_id]
        if not slot.value:
            return None
        heard = _words(slot.value)
        if heard in self._category_words:
            return self.categories[self._category_words[heard]]
        for words, category_id in sorted(self._category_words.items(), key=lambda kv: -len(kv[0])):
            if words and re.search(rf"\b{re.escape(words)}\b", heard):
                return self.categories[category_id]
        return None


def _load_json(name: str) -> Any:
    return json.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


def load_phrases() -> dict[str, Any]:
    """Every phrase file, each validated, merged into one document."""
    merged: dict[str, Any] = {"version": 1, "phrases": {}, "sounds": {}, "lists": {}}
    folder = resources.files(__package__).joinpath("phrases")
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".json"):
            continue
        document = json.loads(entry.read_text(encoding="utf-8"))
        validate(document, "phrases.schema.json", entry.name)
        for section in ("phrases", "sounds", "lists"):
            clash = set(merged[section]) & set(document[section])
            if clash:
                raise ContentError(f"{entry.name}: {section} {sorted(clash)} defined twice")
            merged[section].update(document[section])
    return merged


def validate(document: Any, schema_name: str, label: str | None = None) -> None:
    """Raise ContentError listing every way `document` breaks the named schema."""
    path = _compiled_schema(schema_name).first_error(document)
    if path is None:
        return
    # Only a broken file gets here: jsonschema's messages say what is wrong, and all of it.
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(_load_json(schema_name))
    problems = sorted(validator.iter_errors(document), key=lambda error: list(error.path))
    if problems:
        details = "; ".join(f"{_where(p.path)}: {p.message}" for p in problems)
    else:  # the two never disagree (tests/dialogue/test_content.py); say where, at least
        details = f"{_where(path)}: does not match the schema"
    raise ContentError(f"{label or schema_name}: {details}")


def _where(path: Iterable[str | int]) -> str:
    return "/".join(map(str, path)) or "(top)"


@cache
def _compiled_schema(schema_name: str) -> Schema:
    """A content schema, compiled once per process."""
    return Schema(_load_json(schema_name))


@cache
def load_content() -> Content:
    """Load and validate the packaged content once per process."""
    questions = _load_json("questions.json")
    validate(questions, "questions.schema.json")
    content = Content(questions, load_phrases())
    _check_references(content)
    return content


_PLACEHOLDER = re.compile(r"\{sound:([a-z_]+)\}")


def _check_references(content: Content) -> None:
    for key, variants in content.phrases.items():
        for variant in variants:
            for sound in _PLACEHOLDER.findall(variant):
                if sound not in content.sounds:
                    raise ContentError(f"phrase {key} uses unknown sound {sound}")
