"""The content schemas, compiled with fastjsonschema (dialogue.schemas), give jsonschema's verdicts.

dialogue.content checks every content file with its compiled schema and loads jsonschema only
to describe a file that fails. So the two must agree: on every real file, and on Hypothesis'
mutations of them (keys dropped or misnamed, values of the wrong type, empty lists, repeated
items, strings that break a pattern). The compiled first error must also be one jsonschema
reports, so the path the compiler finds is a real problem.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from dialogue.content import ContentError, validate
from dialogue.schemas import Schema
from tests.skill.test_hostile_input import json_paths
from tests.skill.test_shape import assert_same_validity, ends_strictly

ROOT = Path(__file__).resolve().parents[2]
CONTENT = resources.files("dialogue.content")


def _read(name: str) -> Any:
    return json.loads(CONTENT.joinpath(name).read_text(encoding="utf-8"))


SCHEMA_NAMES = ["questions.schema.json", "phrases.schema.json"]
SCHEMAS = {name: _read(name) for name in SCHEMA_NAMES}
COMPILED = {name: Schema(schema) for name, schema in SCHEMAS.items()}
# with a pattern's "$" read as the end of the string, as fastjsonschema reads it (test_shape)
REFERENCE = {name: Draft202012Validator(ends_strictly(schema)) for name, schema in SCHEMAS.items()}
# Every content file, with the schema it answers to.
FILES = {"questions.json": "questions.schema.json"} | {
    f"phrases/{entry.name}": "phrases.schema.json"
    for entry in sorted(CONTENT.joinpath("phrases").iterdir(), key=lambda entry: entry.name)
    if entry.name.endswith(".json")
}
DOCUMENTS = {name: _read(name) for name in FILES}


def test_there_are_content_files_of_both_kinds() -> None:
    assert sorted(set(FILES.values())) == sorted(SCHEMA_NAMES)
    assert len(FILES) > 2


@pytest.mark.parametrize("name", list(FILES))
def test_every_content_file_is_valid_under_both(name: str) -> None:
    schema_name = FILES[name]
    assert list(REFERENCE[schema_name].iter_errors(DOCUMENTS[name])) == []
    assert COMPILED[schema_name].first_error(DOCUMENTS[name]) is None


# --------------------------------------------------------------------------- mutations

WRONG_TYPES = [None, True, False, 0, 1, 1.0, 2, 1.5, "", "x", [], ["x"], {}, {"x": "y"}]
# Strings that break (or only just keep) a content pattern: spacing, case, markup, URLs.
BAD_STRINGS = [
    "",
    " leading space",
    "trailing space ",
    "two  spaces",
    "Upper Case",
    "dash-ed",
    "punctuation!",
    "x\n",
    "<speak>raw ssml</speak>",
    "salt & pepper",
    "a {sound:x} b",
    "{unclosed",
    "ftp://example.com/sound.mp3",
    'https://example.com/"quoted"',
    "soundbank://soundlibrary/x",
    "family-01",
    "family-1",
    "NOT_AN_ID",
    "x" * 201,
    "x" * 601,
]
# Property names that break the key patterns, and some that keep them.
BAD_NAMES = ["", "Upper", "dash-ed", "two words", "trailing.", ".leading", "a..b", "ok.key", "ok", "9"]


def _mutate(draw: st.DrawFn, document: Any) -> None:
    """Apply one mutation to a member of `document`, in place."""
    path = draw(st.sampled_from(list(json_paths(document))))
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    value = parent[key]
    action = draw(st.sampled_from(["drop", "retype", "empty", "repeat", "bad string", "rename", "add"]))
    if action == "drop":
        del parent[key]
    elif action == "retype":
        # A copy: the sampled [] or {} would otherwise be shared, grow and even nest in itself.
        parent[key] = copy.deepcopy(draw(st.sampled_from(WRONG_TYPES)))
    elif action == "empty":
        parent[key] = type(value)() if isinstance(value, list | dict | str) else []
    elif action == "repeat":
        # A second copy of an item: in its own array, or of this array's first item.
        if isinstance(parent, list):
            parent.insert(draw(st.integers(0, len(parent))), copy.deepcopy(value))
        elif isinstance(value, list) and value:
            value.append(copy.deepcopy(value[0]))
    elif action == "bad string":
        parent[key] = draw(st.sampled_from(BAD_STRINGS))
    elif action == "rename" and isinstance(parent, dict):
        parent[draw(st.sampled_from(BAD_NAMES))] = parent.pop(key)
    elif action == "add" and isinstance(parent, dict):
        parent[draw(st.sampled_from(BAD_NAMES))] = copy.deepcopy(value)


@st.composite
def mutated_content(draw: st.DrawFn) -> tuple[str, Any]:
    """A real content file with one to three mutations, and the schema it answers to."""
    name = draw(st.sampled_from(list(FILES)))
    document = copy.deepcopy(DOCUMENTS[name])
    for _ in range(draw(st.integers(1, 3))):
        if not list(json_paths(document)):
            break
        _mutate(draw, document)
    return FILES[name], document


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=mutated_content())
def test_mutated_content_gets_jsonschemas_verdict(case: tuple[str, Any]) -> None:
    schema_name, document = case
    assert_same_validity(COMPILED[schema_name], REFERENCE[schema_name], document)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=mutated_content())
def test_validate_refuses_exactly_what_jsonschema_refuses(case: tuple[str, Any]) -> None:
    schema_name, document = case
    errors = list(REFERENCE[schema_name].iter_errors(document))
    if not errors:
        validate(document, schema_name)
        return
    with pytest.raises(ContentError) as refused:
        validate(document, schema_name, "mutated.json")
    # The message is jsonschema's (the schema as written): every problem, with its path and message.
    for error in Draft202012Validator(SCHEMAS[schema_name]).iter_errors(document):
        assert error.message in str(refused.value)


def test_a_broken_file_is_described_by_every_jsonschema_error() -> None:
    document = copy.deepcopy(DOCUMENTS["questions.json"])
    document["version"] = True
    document["categories"][0]["synonyms"] = []
    document["categories"][1]["questions"].append(copy.deepcopy(document["categories"][1]["questions"][0]))
    with pytest.raises(ContentError) as refused:
        validate(document, "questions.schema.json", "questions.json")
    message = str(refused.value)
    assert message.startswith("questions.json: categories/0/synonyms: [] should be non-empty; ")
    assert "categories/1/questions: " in message and "has non-unique elements" in message
    assert "version: True is not of type 'integer'" in message
    assert "version: 1 was expected" in message


# --------------------------------------------------------------------------- cold start


def test_loading_the_content_never_imports_jsonschema() -> None:
    # jsonschema costs ~80 ms to import: only a content file that fails may load it.
    script = (
        "import sys\n"
        "import dialogue\n"
        "from dialogue.content import load_content\n"
        "load_content()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'jsonschema'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "[]"
