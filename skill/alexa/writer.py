"""ask_sdk_model objects into JSON-ready data, as ask-sdk-core's serializer makes them, faster.

`DefaultSerializer.serialize` works out every model's keys anew on each call (it merges the
class's ``attribute_map`` with its ``deserialized_types``, in place, then walks them) and
tests every value against a chain of types. `ResponseWriter` does the same walk with each
class's (attribute, JSON key) pairs worked out once, so the response of every turn costs a
few dict builds. What it produces is the SDK's own result, value for value:

- None, and model attributes that are None, are left out;
- text, numbers, booleans and bytes are kept as they are;
- lists and tuples are written item by item, dicts value by value (keys as they are);
- datetimes and dates become ISO 8601 text, enums their value, Decimals an int or a float;
- a model becomes a dict keyed by its ``attribute_map`` (the attribute's own name where the
  map has none), in ``deserialized_types`` order;
- any other object is written like a model if it declares ``deserialized_types`` (and
  fails, as in the SDK, if it does not).

tests/skill/test_writer.py holds it to the SDK on every response the skill can give.
"""

from __future__ import annotations

import decimal
from datetime import date, datetime
from enum import Enum
from typing import Any, Final

__all__ = ["ResponseWriter"]

# The SDK's PRIMITIVE_TYPES: kept as they are.
_PRIMITIVE: Final = (float, bool, bytes, str, int)
_EXACT_PRIMITIVE: Final = frozenset({str, int, bool, float, bytes})


class ResponseWriter:
    """Serializes ask-sdk models like `DefaultSerializer.serialize`; thread-safe."""

    def __init__(self) -> None:
        self._models: dict[type, tuple[tuple[str, str], ...]] = {}

    def write(self, value: Any) -> Any:
        """`value` as JSON-ready data (dicts, lists, text, numbers), as the SDK writes it."""
        kind = type(value)
        if value is None or kind in _EXACT_PRIMITIVE:
            return value
        pairs = self._models.get(kind)
        if pairs is not None:
            return self._write_model(value, pairs)
        if isinstance(value, _PRIMITIVE):
            return value
        if isinstance(value, list):
            return [self.write(item) for item in value]
        if isinstance(value, tuple):
            return tuple(self.write(item) for item in value)
        if isinstance(value, (datetime, date)):
            return value.isoformat()
        if isinstance(value, Enum):
            return value.value
        if isinstance(value, decimal.Decimal):
            return int(value) if value % 1 == 0 else float(value)
        if isinstance(value, dict):
            return {key: self.write(item) for key, item in value.items()}
        return self._write_model(value, self._pairs(kind, value))

    def _write_model(self, model: Any, pairs: tuple[tuple[str, str], ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for attribute, key in pairs:
            item = getattr(model, attribute)
            if item is not None:
                out[key] = self.write(item)
        return out

    def _pairs(self, kind: type, model: Any) -> tuple[tuple[str, str], ...]:
        """(attribute, JSON key) in ``deserialized_types`` order, worked out once per class."""
        names: dict[str, str] = getattr(model, "attribute_map", {})
        # Two attributes on one key: the later one that is set wins, in the SDK and here.
        pairs = tuple((attribute, names.get(attribute, attribute)) for attribute in model.deserialized_types)
        self._models[kind] = pairs
        return pairs
