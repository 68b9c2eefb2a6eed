"""dialogue.jsonshape gives the verdicts jsonschema gives, for the envelope schema and in general.

The adapter checks envelopes with a schema compiled to closures; jsonschema's
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

from dialogue.jsonshape import CompiledSchema, SchemaCompileError, compile_schema
from tests.conftest import load_fixture
from tests.skill.test_hostile_input import hostile_text, json_paths, json_values

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "skill" / "alexa" / "envelope.schema.json").read_text())
REFERENCE = Draft202012Validator(SCHEMA)
COMPILED = compile_schema(SCHEMA)
FIXTURE_NAMES = [path.stem for path in sorted((ROOT / "tests" / "fixtures" / "alexa").glob("*.json"))]
FIXTURES = {name: load_fixture(name) for name in FIXTURE_NAMES}


def assert_same_validity(
    compiled: CompiledSchema, reference: Draft202012Validator, document: Any
) -> list[Any]:
    """Same validity, and the compiled first error is one jsonschema reports; its errors."""
    errors = list(reference.iter_errors(document))
    path = compiled.first_error(document)
    if not errors:
        assert path is None
        return errors
    assert path is not None, f"jsonschema: {errors[0].message}"
    assert path in {tuple(error.absolute_path) for error in errors}
    return errors


def assert_same_verdict(compiled: CompiledSchema, reference: Draft202012Validator, document: Any) -> None:
    """As assert_same_validity, and the first error is jsonschema's first where its order is fixed."""
    errors = assert_same_validity(compiled, reference, document)
    if errors and compiled.first_error(document) != tuple(errors[0].absolute_path):
        # Only jsonschema's set-ordered additionalProperties may put another error first.
        assert "additionalProperties" in errors[0].absolute_schema_path


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
    "request type with a newline": (_with("launch_request", ("request", "type"), "LaunchRequest\n"), None),
    "locale in lower case": (_with("launch_request", ("request", "locale"), "en-us"), ("request", "locale")),
    "locale then a newline": (_with("launch_request", ("request", "locale"), "en-US\n"), None),
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
    assert (None if error is None else tuple(error.absolute_path)) == path
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


# --------------------------------------------------------------------------- the compiler in general

# Every keyword the compiler knows, in unusual combinations.
GENERAL_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$comment": "a test of every supported keyword",
    "type": ["object", "array", "integer"],
    "required": ["a"],
    "properties": {
        "a": {"type": ["integer", "null", "boolean", "string"]},
        "b": {"type": "number", "description": "ignored"},
        "c": {"$ref": "#/$defs/word"},
        "d": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"x": {}, "y": {"type": "null"}},
        },
        "e": {"type": "string", "pattern": "^[a-z]+$", "minLength": 2},
        "f": {"const": "yes"},
        "g": {"type": "array"},
        "h": {"type": "array", "items": {"$ref": "#/$defs/word"}, "minItems": 1, "uniqueItems": True},
        "i": {"const": 1},  # 1.0 is 1, true is not
        "j": {"uniqueItems": True, "items": {"propertyNames": {"pattern": "^[a-z]*$", "maxLength": 2}}},
        "k": {"const": [None, {"x": False}]},
        "yes": {"uniqueItems": False, "minItems": 0, "propertyNames": {"const": "a"}},
    },
    "additionalProperties": {"$ref": "#/$defs/word"},
    "maxProperties": 6,
    "if": {"properties": {"a": {"const": "never"}}, "required": ["b"]},
    "then": {"required": ["c"]},
    "else": {"properties": {"a": {"type": ["integer", "null"]}}},
    "$defs": {"word": {"type": ["string", "null"], "maxLength": 3, "pattern": "^[^\\ud800-\\udfff]*$"}},
}
GENERAL = compile_schema(GENERAL_SCHEMA)
GENERAL_REFERENCE = Draft202012Validator(GENERAL_SCHEMA)
small_text = st.one_of(st.text(max_size=5), st.sampled_from(["yes", "ab", "abc\n", "\ud800", "😀😀😀"]))
general_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True), small_text),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(small_text, children, max_size=3),
    max_leaves=8,
)
general_documents = st.one_of(
    general_values,
    st.dictionaries(st.sampled_from(list("abcdefghijkz") + ["yes"]), general_values, max_size=8),
)


@settings(max_examples=1000, deadline=None)
@given(document=general_documents)
def test_every_keyword_has_jsonschemas_semantics(document: Any) -> None:
    assert_same_verdict(GENERAL, GENERAL_REFERENCE, document)


def _lookalike(value: Any) -> Any:
    """`value` with booleans as integers and integers as floats: equal in Python, not all in JSON."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return float(value)
    if isinstance(value, list):
        return [_lookalike(item) for item in value]
    if isinstance(value, dict):
        return {key: _lookalike(member) for key, member in value.items()}
    return value


@st.composite
def arrays_with_lookalikes(draw: st.DrawFn) -> list[Any]:
    """A few values, perhaps with one repeated: itself, a copy, or a lookalike."""
    items = draw(st.lists(general_values, max_size=5))
    if items and draw(st.booleans()):
        original = draw(st.sampled_from(items))
        again = draw(st.sampled_from([original, copy.deepcopy(original), _lookalike(original)]))
        items.insert(draw(st.integers(0, len(items))), again)
    return items


UNIQUE_SCHEMA: dict[str, Any] = {"uniqueItems": True}


@settings(max_examples=1000, deadline=None)
@given(items=arrays_with_lookalikes())
def test_unique_items_and_const_compare_as_jsonschema_does(items: list[Any]) -> None:
    # NaN, true against 1, 1 against 1.0, nested and unsortable values: the verdicts agree.
    assert_same_verdict(compile_schema(UNIQUE_SCHEMA), Draft202012Validator(UNIQUE_SCHEMA), items)
    if items:
        schema = {"const": items[0]}
        for document in (items[-1], copy.deepcopy(items[0]), _lookalike(items[0])):
            assert_same_verdict(compile_schema(schema), Draft202012Validator(schema), document)


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ({"a": 1}, None),
        ({"a": 1.0}, None),  # an integral float is an integer
        ({"a": None, "c": "abc"}, None),
        ({"a": "never", "b": 1}, ()),  # the then branch
        ({"a": "never", "b": 1, "c": "x"}, None),
        ({"a": "other"}, ("a",)),  # the else branch
        ({"a": 1, "e": "ab\n"}, None),  # re.search: "$" matches before a final newline
        ({"a": 1, "e": "a"}, ("e",)),
        ({"a": 1, "c": "😀😀😀"}, None),  # maxLength counts code points
        ({"a": 1, "c": "abcd"}, ("c",)),
        ({"a": 1, "d": {"x": 1}}, None),
        ({"a": 1, "d": {"y": 1}}, ("d", "y")),
        ({"a": 1, "d": {"z": 1}}, ("d",)),
        ({"a": 1, "f": "no"}, ("f",)),
        ({"a": 1, "z": "long"}, ("z",)),
        ({"a": False, "b": 1}, ("a",)),  # the else branch: booleans not allowed there
        ({"a": 1, "h": ["ab", None]}, None),
        ({"a": 1, "h": []}, ("h",)),  # minItems
        ({"a": 1, "h": ["ab", "abcd"]}, ("h", 1)),  # items: the item's path
        ({"a": 1, "h": ["ab", "ab"]}, ("h",)),  # uniqueItems
        ({"a": 1, "h": [1]}, ("h", 0)),
        ({"a": 1, "i": 1.0}, None),  # const: 1.0 is the integer 1 ...
        ({"a": 1, "i": True}, ("i",)),  # ... but true is not
        ({"a": 1, "j": [1, True, 1.0]}, ("j",)),  # 1 and 1.0 are the same item, true another
        ({"a": 1, "j": [0, False, [0], [False], {"x": 0}, {"x": False}]}, None),
        ({"a": 1, "j": [{"x": 0}, {"x": 0.0}]}, ("j",)),
        # jsonschema's blind spots, mirrored: sorted, the equal items are not neighbours.
        ({"a": 1, "j": [[True], [1], [True]]}, None),
        ({"a": 1, "j": [1.0, float("nan"), 1.0]}, None),
        ({"a": 1, "j": json.loads("[NaN, NaN]")}, ("j",)),  # one NaN object, equal to itself
        ({"a": 1, "j": [{"ab": 1}, {"abc": 1}]}, ("j", 1)),  # propertyNames: the object's path
        ({"a": 1, "j": [{"A": 1}]}, ("j", 0)),
        ({"a": 1, "k": [None, {"x": False}]}, None),
        ({"a": 1, "k": [None, {"x": 0}]}, ("k",)),
        ({"a": 1, "yes": {"a": 1, "b": 2}}, ("yes",)),
        ({"a": 1, "yes": [1, 1]}, None),  # uniqueItems: false checks nothing
        ({}, ()),
        ("text", ()),
        (7, None),
    ],
)
def test_keyword_examples(document: Any, path: tuple[str, ...] | None) -> None:
    error = next(GENERAL_REFERENCE.iter_errors(document), None)
    assert (None if error is None else tuple(error.absolute_path)) == path
    assert GENERAL.first_error(document) == path


@pytest.mark.parametrize(
    ("schema", "complaint"),
    [
        ({"type": "object", "minProperties": 1}, "minProperties"),
        ({"patternProperties": {"^x": {}}}, "patternProperties"),
        ({"prefixItems": [{"type": "string"}]}, "prefixItems"),
        ({"maxItems": 3}, "maxItems"),
        ({"items": False}, "must be an object"),
        ({"propertyNames": True}, "must be an object"),
        ({"uniqueItems": 1}, "must be a boolean"),
        ({"minItems": -1}, "non-negative"),
        ({"const": (1, 2)}, "JSON value"),
        ({"const": {1: "a"}}, "JSON value"),
        ({"format": "date-time"}, "format"),
        ({"anyOf": [{"type": "string"}]}, "anyOf"),
        ({"$ref": "https://example.com/other.json"}, "only references"),
        ({"$ref": "#/$defs/missing"}, "not defined"),
        (
            {"$ref": "#/$defs/loop", "$defs": {"loop": {"properties": {"x": {"$ref": "#/$defs/loop"}}}}},
            "recursive",
        ),
        ({"type": "text"}, "unknown type"),
        ({"maxLength": -1}, "non-negative"),
        ({"then": {}}, "without 'if'"),
        ({"$schema": "http://json-schema.org/draft-07/schema#"}, "Draft 2020-12"),
        ({"properties": {"a": {"typo": "string"}}}, "typo"),
        ([], "must be an object"),
        ({"properties": {"a": False}}, "must be an object"),
    ],
)
def test_what_it_cannot_check_is_refused_when_compiled(schema: Any, complaint: str) -> None:
    with pytest.raises(SchemaCompileError, match=re.escape(complaint)):
        compile_schema(schema)


def test_the_lambda_handler_can_still_ask_for_errors_as_jsonschema_does() -> None:
    # deploy/lambda_function.py calls endpoint.shape.iter_errors(event).
    document = _with("intent_request", ("request", "intent"), drop=True)
    [error] = list(COMPILED.iter_errors(document))
    assert error.absolute_path == ("request",)
    assert list(COMPILED.iter_errors(FIXTURES["intent_request"])) == []
