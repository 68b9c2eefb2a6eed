"""The envelope schema, compiled with fastjsonschema, gives the verdicts jsonschema gives.

The adapter checks envelopes with the schema compiled once (dialogue.schemas); jsonschema's
Draft202012Validator is the reference. Both must agree on valid / invalid for every fixture,
every hostile case and Hypothesis' mutations of real envelopes, and on where the first error
is: exactly, or (where jsonschema's own order is not fixed: it visits additional properties,
the slots, in set order) one of the places jsonschema reports an error.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from dialogue.schemas import Schema
from tests.conftest import load_fixture
from tests.skill.test_hostile_input import hostile_text, json_paths, json_values

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "skill" / "alexa" / "envelope.schema.json").read_text())


def ends_strictly(schema: Any) -> Any:
    """The schema with each pattern's closing `$` as `\\Z`: fastjsonschema reads `$` as the end
    of the string, Python's `re` (jsonschema) also before a final newline. The stricter reading
    is the one wanted ("LaunchRequest\\n" is no request type), so the reference is told it too."""
    if isinstance(schema, dict):
        return {
            key: value[:-1] + "\\Z"
            if key == "pattern" and isinstance(value, str) and value.endswith("$")
            else ends_strictly(value)
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [ends_strictly(item) for item in schema]
    return schema


REFERENCE = Draft202012Validator(ends_strictly(SCHEMA))
COMPILED = Schema(SCHEMA)
FIXTURE_NAMES = [path.stem for path in sorted((ROOT / "tests" / "fixtures" / "alexa").glob("*.json"))]
FIXTURES = {name: load_fixture(name) for name in FIXTURE_NAMES}


def where(error: Any) -> tuple[str, ...]:
    """jsonschema's path of an error, spelt as fastjsonschema spells it: dotted, so a key that
    is empty or holds "." or "[" (a slot named so) splits where the dots fall."""
    dotted = ".".join(str(part) for part in error.absolute_path)
    return tuple(part for part in re.split(r"[.\[\]]+", dotted) if part)


def assert_same_validity(compiled: Schema, reference: Draft202012Validator, document: Any) -> list[Any]:
    """Same validity, and the compiled first error is one jsonschema reports; its errors."""
    errors = list(reference.iter_errors(document))
    path = compiled.first_error(document)
    if not errors:
        assert path is None
        return errors
    assert path is not None, f"jsonschema: {errors[0].message}"
    assert path in {where(error) for error in errors}
    return errors


def assert_same_verdict(compiled: Schema, reference: Draft202012Validator, document: Any) -> None:
    """Same validity, and the first error found is one jsonschema reports (each checks the
    keywords in its own order, so which comes first may differ)."""
    assert_same_validity(compiled, reference, document)


# --------------------------------------------------------------------------- the envelope schema


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_every_fixture_gets_jsonschemas_verdict(name: str) -> None:
    assert REFERENCE.is_valid(FIXTURES[name])
    assert COMPILED.first_error(FIXTURES[name]) is None


def _with(name: str, path: tuple[str, ...], value: Any = ..., drop: bool = False) -> dict[str, Any]:
    document = copy.deepcopy(FIXTURES[name])
    node = document
    for key in path[:-1]:
        node = node[key]
    if drop:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return document


SLOT_VALUE = ("request", "intent", "slots", "category", "value")
HOSTILE_CASES = {
    "not an object": ([], ()),
    "empty object": ({}, ()),
    "no request": (_with("launch_request", ("request",), drop=True), ()),
    "no context.System": (_with("launch_request", ("context", "System"), drop=True), ("context",)),
    "intent request without an intent": (
        _with("intent_request", ("request", "intent"), drop=True),
        ("request",),
    ),
    "NaN for session.new": (_with("launch_request", ("session", "new"), float("nan")), ("session", "new")),
    "number for version": (_with("launch_request", ("version",), 1.0), ("version",)),
    "version too long": (_with("launch_request", ("version",), "1" * 17), ("version",)),
    "empty user id": (
        _with("launch_request", ("context", "System", "user", "userId"), ""),
        ("context", "System", "user", "userId"),
    ),
    "request type with a dash": (
        _with("launch_request", ("request", "type"), "Launch-Request"),
        ("request", "type"),
    ),
    "request type with a newline": (
        _with("launch_request", ("request", "type"), "LaunchRequest\n"),
        ("request", "type"),
    ),
    "locale in lower case": (_with("launch_request", ("request", "locale"), "en-us"), ("request", "locale")),
    "locale then a newline": (
        _with("launch_request", ("request", "locale"), "en-US\n"),
        ("request", "locale"),
    ),
    "null attributes": (_with("launch_request", ("session", "attributes"), None), None),
    "list attributes": (_with("launch_request", ("session", "attributes"), []), ("session", "attributes")),
    "NUL in a slot": (_with("intent_request", SLOT_VALUE, "a\x00b"), SLOT_VALUE),
    "lone surrogate in a slot": (_with("intent_request", SLOT_VALUE, "x\udc80y"), SLOT_VALUE),
    "U+FFFE in a slot": (_with("intent_request", SLOT_VALUE, "\ufffe"), SLOT_VALUE),
    "form feed in a slot": (_with("intent_request", SLOT_VALUE, "\x0c"), SLOT_VALUE),
    "tab and newline in a slot": (_with("intent_request", SLOT_VALUE, "a\tb\nc\r"), None),
    "null slot value": (_with("intent_request", SLOT_VALUE, None), None),
    "2000 emoji in a slot": (_with("intent_request", SLOT_VALUE, "😀" * 2000), None),
    "2001 characters in a slot": (_with("intent_request", SLOT_VALUE, "é" * 2001), SLOT_VALUE),
    "slot that is a string": (
        _with("intent_request", ("request", "intent", "slots", "category"), "x"),
        ("request", "intent", "slots", "category"),
    ),
    "slot without a name": (
        _with("intent_request", ("request", "intent", "slots", "category", "name"), drop=True),
        ("request", "intent", "slots", "category"),
    ),
    "33 slots": (
        _with("intent_request", ("request", "intent", "slots"), {f"s{i}": {"name": "s"} for i in range(33)}),
        ("request", "intent", "slots"),
    ),
    "32 slots": (
        _with("intent_request", ("request", "intent", "slots"), {f"s{i}": {"name": "s"} for i in range(32)}),
        None,
    ),
    "intent name with a digit": (
        _with("intent_request", ("request", "intent", "name"), "Intent2"),
        ("request", "intent", "name"),
    ),
    "unknown request type, no intent": (
        _with("skill_disabled_event", ("request", "type"), "Some.Event"),
        None,
    ),
}


@pytest.mark.parametrize(("document", "path"), list(HOSTILE_CASES.values()), ids=list(HOSTILE_CASES))
def test_hostile_envelopes_get_jsonschemas_verdict_and_path(
    document: Any, path: tuple[str, ...] | None
) -> None:
    error = next(REFERENCE.iter_errors(document), None)
    assert (None if error is None else where(error)) == path
    assert COMPILED.first_error(document) == path


LENGTHS = [0, 1, 15, 16, 17, 39, 40, 41, 63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 512, 513]
LENGTHS += [1999, 2000, 2001, 8192, 8193]
long_strings = st.builds(
    lambda char, n: char * n,
    st.sampled_from(["a", "é", "😀", "\x00", "\ud800", "\t"]),
    st.sampled_from(LENGTHS),
)
odd_values = st.one_of(json_values, hostile_text, long_strings)


@st.composite
def extra_slots(draw: st.DrawFn) -> dict[str, Any]:
    """0 to 40 slots (the schema allows 32), some malformed."""
    slot = st.fixed_dictionaries(
        {"name": st.one_of(st.just("s"), odd_values)}, optional={"value": odd_values}
    )
    return draw(st.dictionaries(st.text(max_size=8), st.one_of(slot, odd_values), max_size=40))


@st.composite
def mutated_envelopes(draw: st.DrawFn) -> Any:
    """A real envelope with a few values dropped, retyped, lengthened or added."""
    document: Any = copy.deepcopy(FIXTURES[draw(st.sampled_from(FIXTURE_NAMES))])
    if draw(st.booleans()):
        kind = draw(st.sampled_from(["IntentRequest", "LaunchRequest", "Connections.Response"]))
        document["request"]["type"] = kind
    if "intent" in document["request"] and draw(st.booleans()):
        document["request"]["intent"]["slots"] = draw(extra_slots())
    for _ in range(draw(st.integers(0, 4))):
        paths = list(json_paths(document))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["drop", "replace", "replace", "add"]))
        if action == "drop":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(odd_values)
        elif isinstance(parent, dict):
            parent[draw(hostile_text)] = draw(odd_values)
    return document


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=mutated_envelopes())
def test_mutated_envelopes_get_jsonschemas_verdict(document: Any) -> None:
    assert_same_verdict(COMPILED, REFERENCE, document)


@settings(max_examples=300, deadline=None)
@given(
    document=st.one_of(
        json_values, st.dictionaries(st.sampled_from(["version", "context", "request"]), json_values)
    )
)
def test_any_json_gets_jsonschemas_verdict(document: Any) -> None:
    assert_same_verdict(COMPILED, REFERENCE, document)
