"""A small JSON Schema compiler: a schema becomes nested Python checks, once.

`jsonschema` walks a schema anew for every document (resolving, evolving validators,
building error objects): about a millisecond per Alexa envelope, and ~80 ms of cold start
just to import it. The schemas here (skill/alexa/envelope.schema.json and the content
schemas in dialogue/content/) use a handful of keywords, so `compile_schema` turns each into
plain closures once and a check costs microseconds. The schema files stay the single
statement of what is accepted; tests/skill/test_shape.py and tests/dialogue/test_content_shape.py
prove the verdicts equal `jsonschema.Draft202012Validator`'s. Standard library only: both the
dialogue core and the Alexa adapter use it.

Supported, with Draft 2020-12 semantics: ``type`` (one or a list), ``required``,
``properties``, ``additionalProperties`` (a schema or a boolean), ``propertyNames``,
``maxProperties``, ``items`` (a schema), ``minItems``, ``uniqueItems``,
``minLength``/``maxLength`` (code points, as ``len``), ``pattern`` (``re.search``, unanchored
unless the pattern anchors itself), ``const`` (any JSON value, compared as jsonschema does:
``1 == 1.0`` but ``1 != true``), ``if`` with ``then``/``else``, and ``$ref`` to
``#/$defs/<name>``; the annotations ``$schema``, ``$id``, ``$comment``, ``title``,
``description`` and ``$defs``. Any other keyword is refused when the schema is compiled, so
a schema cannot outgrow the compiler unnoticed; so are boolean subschemas
(``additionalProperties: false`` is fine), whose errors jsonschema reports without a path.

A check returns None for a valid document or the JSON path of the first error, found in the
order jsonschema reports errors: a subschema's keywords in the order the schema lists them,
``properties`` in the schema's order, ``items`` in the array's. A missing required property
is an error of the object that lacks it (its path, not the property's), and so is a bad
property name, as in jsonschema. Where jsonschema's order is not fixed (it visits additional
properties in set order), this takes the document's order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Final

__all__ = ["CompiledSchema", "SchemaCompileError", "ShapeError", "compile_schema"]

Path = tuple[str | int, ...]
Check = Callable[[Any], Path | None]

DRAFT_2020_12: Final = "https://json-schema.org/draft/2020-12/schema"
_ANNOTATIONS: Final = frozenset({"$schema", "$id", "$comment", "title", "description", "$defs"})
_DEFS_PREFIX: Final = "#/$defs/"
_HERE: Final[Path] = ()  # the error is the checked value itself
_ABSENT: Final = object()


class SchemaCompileError(ValueError):
    """The schema uses something this compiler does not implement."""


@dataclass(frozen=True, slots=True)
class ShapeError:
    """Where a document first breaks the schema (jsonschema's ``absolute_path``)."""

    absolute_path: Path


def _is_integer(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# JSON Schema's types as Python's json module reads them; bool is not a number.
_TYPE_TESTS: Final[dict[str, Callable[[object], bool]]] = {
    "string": lambda value: isinstance(value, str),
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "integer": _is_integer,
    "number": _is_number,
}
# The same tests as plain isinstance classes where one exists (faster than a call).
_TYPE_CLASSES: Final[dict[str, type]] = {
    "string": str,
    "object": dict,
    "array": list,
    "boolean": bool,
    "null": type(None),
}


class CompiledSchema:
    """A schema compiled to closures; `first_error` is the whole check."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        """Compile `schema`; raise SchemaCompileError for anything unsupported."""
        self._root = schema
        self._refs: dict[str, Check] = {}
        self._compiling: set[str] = set()
        self._check = self._compile(schema, "#")

    def first_error(self, instance: object) -> Path | None:
        """None if `instance` is valid, else the JSON path of its first error."""
        return self._check(instance)

    def is_valid(self, instance: object) -> bool:
        """Whether `instance` satisfies the schema."""
        return self._check(instance) is None

    def iter_errors(self, instance: object) -> Iterator[ShapeError]:
        """The first error, if any, in the shape of jsonschema's API (``absolute_path``)."""
        path = self._check(instance)
        if path is not None:
            yield ShapeError(path)

    # ------------------------------------------------------------------ compiling

    def _compile(self, schema: object, where: str) -> Check:
        if not isinstance(schema, Mapping):
            # Boolean subschemas too: jsonschema reports a false one without its own path.
            raise SchemaCompileError(f"{where}: a schema must be an object")
        if schema.get("$schema", DRAFT_2020_12) != DRAFT_2020_12:
            raise SchemaCompileError(f"{where}: only Draft 2020-12 is supported")
        checks: list[Check] = []
        for keyword, value in schema.items():
            at = f"{where}/{keyword}"
            if keyword in _ANNOTATIONS:
                continue
            if keyword in ("then", "else"):
                if "if" not in schema:
                    raise SchemaCompileError(f"{at}: without 'if'")
                continue  # compiled with "if", at the place of "if" (as jsonschema reports them)
            compile_keyword = self._KEYWORDS.get(keyword)
            if compile_keyword is None:
                raise SchemaCompileError(f"{at}: keyword not supported")
            check = compile_keyword(self, value, schema, at)
            if check is not None:
                checks.append(check)
        return _first_of(checks)

    def _type(self, value: object, _schema: Mapping[str, Any], at: str) -> Check:
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names or any(name not in _TYPE_TESTS for name in names):
            raise SchemaCompileError(f"{at}: unknown type {value!r}")
        if all(name in _TYPE_CLASSES for name in names):
            classes = tuple(_TYPE_CLASSES[name] for name in names)

            def check_class(instance: object) -> Path | None:
                return None if isinstance(instance, classes) else _HERE

            return check_class
        tests = tuple(_TYPE_TESTS[name] for name in names)

        def check_type(instance: object) -> Path | None:
            return None if any(test(instance) for test in tests) else _HERE

        return check_type

    def _required(self, value: object, _schema: Mapping[str, Any], at: str) -> Check:
        names = _string_list(value, at)

        def check_required(instance: object) -> Path | None:
            if isinstance(instance, dict):
                for name in names:
                    if name not in instance:
                        return _HERE
            return None

        return check_required

    def _properties(self, value: object, _schema: Mapping[str, Any], at: str) -> Check:
        if not isinstance(value, Mapping):
            raise SchemaCompileError(f"{at}: must be an object")
        members = tuple((name, self._compile(sub, f"{at}/{name}")) for name, sub in value.items())

        def check_properties(instance: object) -> Path | None:
            if isinstance(instance, dict):
                for name, check in members:
                    member = instance.get(name, _ABSENT)
                    if member is not _ABSENT:
                        path = check(member)
                        if path is not None:
                            return (name, *path)
            return None

        return check_properties

    def _additional_properties(self, value: object, schema: Mapping[str, Any], at: str) -> Check | None:
        declared = frozenset(schema.get("properties", ()))
        if value is True:
            return None
        if value is False:

            def check_no_extras(instance: object) -> Path | None:
                if isinstance(instance, dict) and not declared.issuperset(instance):
                    return _HERE
                return None

            return check_no_extras
        check = self._compile(value, at)

        def check_extras(instance: object) -> Path | None:
            if isinstance(instance, dict):
                for name, member in instance.items():
                    if name not in declared:
                        path = check(member)
                        if path is not None:
                            return (name, *path)
            return None

        return check_extras

    def _property_names(self, value: object, _schema: Mapping[str, Any], at: str) -> Check:
        check = self._compile(value, at)

        def check_property_names(instance: object) -> Path | None:
            # A bad name is an error of the object: jsonschema descends into the name without a path.
            if isinstance(instance, dict):
                for name in instance:
                    path = check(name)
                    if path is not None:
                        return path
            return None

        return check_property_names

    def _max_properties(self, value: object, _schema: Mapping[str, Any], at: str) -> Check:
        limit = _count(value, at)

        def check_max_properties(instance: object) -> Path | None:
            return _HERE if isinstance(instance, dict) and len(instance) > limit else None

        return check_max_properties

    def _items(self, value: object, _schema: Mapping[str, Any], at: str) -> Check:
        # Only the schema form: without prefixItems (not supported) it applies to every item.
        check = self._compile(value, at)

        def check_items(instance: object) -> Path | None:
            if isinstance(instance, list):
                for index, item in enumerate(instance):
                    path = check(item)
                    if path is not None:
                        return (index, *path)
            return None

        return check_items

    def _min_items(self, value: object, _schema: Mapping[str, Any], at: str) -> Check:
        limit = _count(value, at)

        def check_min_items(instance: object) -> Path | None:
            return _HERE if isinstance(instance, list) and len(instance) < limit else None

        return check_min_items

    def _unique_items(self, value: object, _schema: Mapping[str, Any], at: str) -> Check | None:
        if not isinstance(value, bool):
            raise SchemaCompileError(f"{at}: must be a boolean")
        if not value:
            return None

        def check_unique_items(instance: object) -> Path | None:
            return _HERE if isinstance(instance, list) and not _all_unique(instance) else None

        return check_unique_items

    def _min_length(self, value: object, _schema: Mapping[str, Any], at: str) -> Check:
        limit = _count(value, at)

        def check_min_length(instance: object) -> Path | None:
            return _HERE if isinstance(instance, str) and len(instance) < limit else None

        return check_min_length

    def _max_length(self, value: object, _schema: Mapping[str, Any], at: str) -> Check:
        limit = _count(value, at)

        def check_max_length(instance: object) -> Path | None:
            return _HERE if isinstance(instance, str) and len(instance) > limit else None

        return check_max_length

    def _pattern(self, value: object, _schema: Mapping[str, Any], at: str) -> Check:
        if not isinstance(value, str):
            raise SchemaCompileError(f"{at}: must be a string")
        search = re.compile(value).search  # jsonschema: re.search, so "$" also matches before a final "\n"

        def check_pattern(instance: object) -> Path | None:
            return _HERE if isinstance(instance, str) and search(instance) is None else None

        return check_pattern

    def _const(self, value: object, _schema: Mapping[str, Any], at: str) -> Check:
        if not _is_json(value):
            raise SchemaCompileError(f"{at}: must be a JSON value")
        if isinstance(value, str):
            # A string constant equals only that string: the common case, without the walk.

            def check_string_const(instance: object) -> Path | None:
                return None if isinstance(instance, str) and instance == value else _HERE

            return check_string_const

        def check_const(instance: object) -> Path | None:
            return None if _json_equal(instance, value) else _HERE

        return check_const

    def _if(self, value: object, schema: Mapping[str, Any], at: str) -> Check | None:
        condition = self._compile(value, at)
        parent = at.rsplit("/", 1)[0]
        then = self._compile(schema["then"], parent + "/then") if "then" in schema else None
        otherwise = self._compile(schema["else"], parent + "/else") if "else" in schema else None
        if then is None and otherwise is None:
            return None

        def check_if(instance: object) -> Path | None:
            branch = then if condition(instance) is None else otherwise
            return branch(instance) if branch is not None else None

        return check_if

    def _ref(self, value: object, _schema: Mapping[str, Any], at: str) -> Check:
        if not isinstance(value, str) or not value.startswith(_DEFS_PREFIX):
            raise SchemaCompileError(f"{at}: only references to {_DEFS_PREFIX}<name> are supported")
        cached = self._refs.get(value)
        if cached is not None:
            return cached
        name = value[len(_DEFS_PREFIX) :]
        definitions = self._root.get("$defs")
        if not isinstance(definitions, Mapping) or name not in definitions:
            raise SchemaCompileError(f"{at}: {value} is not defined")
        if value in self._compiling:
            raise SchemaCompileError(f"{at}: recursive references are not supported")
        self._compiling.add(value)
        check = self._compile(definitions[name], value)
        self._compiling.discard(value)
        self._refs[value] = check
        return check

    _KEYWORDS: Final[dict[str, Callable[..., Check | None]]] = {
        "type": _type,
        "required": _required,
        "properties": _properties,
        "additionalProperties": _additional_properties,
        "propertyNames": _property_names,
        "maxProperties": _max_properties,
        "items": _items,
        "minItems": _min_items,
        "uniqueItems": _unique_items,
        "minLength": _min_length,
        "maxLength": _max_length,
        "pattern": _pattern,
        "const": _const,
        "if": _if,
        "$ref": _ref,
    }


def compile_schema(schema: Mapping[str, Any]) -> CompiledSchema:
    """Compile `schema` once; raise SchemaCompileError if it uses anything unsupported."""
    return CompiledSchema(schema)


def _always_valid(_instance: object) -> Path | None:
    return None


def _first_of(checks: Sequence[Check]) -> Check:
    """One check running `checks` in order, stopping at the first error."""
    if not checks:
        return _always_valid
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks

        def check_two(instance: object) -> Path | None:
            path = first(instance)
            return path if path is not None else second(instance)

        return check_two
    ordered = tuple(checks)

    def check_all(instance: object) -> Path | None:
        for check in ordered:
            path = check(instance)
            if path is not None:
                return path
        return None

    return check_all


def _string_list(value: object, at: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise SchemaCompileError(f"{at}: must be a list of strings")
    return tuple(value)


def _count(value: object, at: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise SchemaCompileError(f"{at}: must be a non-negative integer")
    return value


# ----------------------------------------------------------------------- JSON equality
# `const` and `uniqueItems` compare as jsonschema does (jsonschema._utils.equal and uniq),
# so that the verdicts agree even where JSON's and Python's equality part: true and 1 differ
# (also inside arrays and objects), 1 and 1.0 do not, and a value is equal to itself even
# when it is a NaN.


class _Bool:
    """Stands in for true or false so that they equal no number (jsonschema's `unbool`)."""

    __slots__ = ()


_TRUE: Final = _Bool()
_FALSE: Final = _Bool()


def _unbool(value: object) -> object:
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    return value


def _json_equal(one: object, two: object) -> bool:
    """JSON Schema equality of two JSON values."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return one == two
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(_json_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, dict) and isinstance(two, dict):
        return len(one) == len(two) and all(
            key in two and _json_equal(member, two[key]) for key, member in one.items()
        )
    return _unbool(one) == _unbool(two)


def _all_unique(items: list[Any]) -> bool:
    """Whether no two items are equal, decided as jsonschema's `uniq` decides it.

    Like jsonschema, first sort (Python's order) and compare neighbours; if the items do not
    sort (objects, booleans among numbers, mixed types), compare every pair. The shortcut
    inherits jsonschema's blind spots (a NaN or a nested boolean can keep equal items apart
    in the sorted order); mirroring them keeps the two verdicts the same.
    """
    try:
        ordered: list[Any] = sorted(_unbool(item) for item in items)
    except TypeError:
        seen: list[object] = []
        for item in items:
            value = _unbool(item)
            if any(_json_equal(earlier, value) for earlier in seen):
                return False
            seen.append(value)
        return True
    return not any(_json_equal(a, b) for a, b in pairwise(ordered))


def _is_json(value: object) -> bool:
    """Whether `value` is a JSON document as json.loads builds one."""
    if value is None or isinstance(value, str | int | float):  # bool is an int
        return True
    if isinstance(value, list):
        return all(_is_json(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and _is_json(member) for key, member in value.items())
    return False
