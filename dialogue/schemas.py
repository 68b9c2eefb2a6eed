"""JSON Schemas compiled once with fastjsonschema, and where a document first breaks one.

The content files and Alexa's request envelopes are checked this way; jsonschema stays the
reference in the tests (the same verdicts) and explains a content file that fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import fastjsonschema

Path = tuple[str, ...]


class Schema:
    """A JSON Schema compiled once; checking a document costs a call of generated code."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self._check = fastjsonschema.compile(dict(schema))

    def first_error(self, document: object) -> Path | None:
        """Where `document` first breaks the schema ("request", "intent", …), or None if it holds."""
        try:
            self._check(document)
        except fastjsonschema.JsonSchemaValueException as error:
            return tuple(str(part) for part in error.path[1:])  # path[0] is fastjsonschema's "data"
        return None
