"""Alexa request envelopes into ask_sdk_model objects, without the SDK's reflective walk.

ask-sdk-core's `DefaultSerializer.deserialize` re-parses the JSON and, for every value,
re-reads the model's type strings with regular expressions, imports the class by name and
hands timestamps to dateutil: most of a millisecond per envelope. `EnvelopeReader` builds the
same objects from the already-parsed envelope with readers compiled once per model class
from the same metadata the SDK uses (``deserialized_types``, ``attribute_map``, the
discriminator maps), so every part of the envelope is read, including the parts the skill
never looks at (viewports, supported interfaces, …), and the result equals the SDK's.

It reads the request types that carry the traffic (`FAST_REQUEST_TYPES`) and only values it
can take exactly as the SDK would: a JSON object where a model belongs, a string where a
string belongs, an enum's own value, a timestamp in Alexa's ISO 8601 form, and so on.
Anything else (another request type, a number where text belongs, an unknown enum value, a
timestamp dateutil might read differently) makes `read` return None, and the caller uses the
SDK's deserializer, which then gives its usual answer or its usual error. So the fast path
changes speed, never what a request means or whether it is refused.
"""

from __future__ import annotations

import enum
import importlib
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from ask_sdk_model import RequestEnvelope

__all__ = ["FAST_REQUEST_TYPES", "EnvelopeReader"]

FAST_REQUEST_TYPES: Final = frozenset({"LaunchRequest", "IntentRequest", "SessionEndedRequest"})

Read = Callable[[Any], Any]

_ENVELOPE_TYPE: Final = "ask_sdk_model.request_envelope.RequestEnvelope"
# Alexa's timestamps ("2026-11-22T19:02:31Z", sometimes with a fraction or an offset). For
# these datetime.fromisoformat and dateutil (the SDK's parser) agree; other forms go to the SDK.
_TIMESTAMP: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)
_LIST: Final = re.compile(r"list\[(.*)\]")
_DICT: Final = re.compile(r"dict\(([^,]*), (.*)\)")


class _Declined(Exception):
    """The fast reader does not take this value; the SDK's deserializer decides."""


# What a reader raises for a value it does not take: its own refusal, or what Python raises
# for odd input (an unhashable discriminator, a timestamp out of range, a key setattr refuses)
# or for a model class the SDK names but cannot import (then the SDK fails on it too).
_DECLINES: Final = (
    _Declined,
    ArithmeticError,
    AttributeError,
    ImportError,
    LookupError,
    TypeError,
    ValueError,
)


class EnvelopeReader:
    """Builds `RequestEnvelope`s for `FAST_REQUEST_TYPES`; thread-safe (readers are compiled once)."""

    def __init__(self) -> None:
        # Keyed by the SDK's type strings; filled on first use, so start-up imports nothing more.
        self._readers: dict[str, Read] = {}
        self._concrete: dict[str, Read] = {}

    def read(self, envelope: dict[str, Any]) -> RequestEnvelope | None:
        """The envelope as the SDK would deserialize it, or None: then ask the SDK."""
        request = envelope.get("request")
        kind = request.get("type") if isinstance(request, dict) else None
        if not isinstance(kind, str) or kind not in FAST_REQUEST_TYPES:
            return None
        try:
            built: RequestEnvelope = self._reader(_ENVELOPE_TYPE)(envelope)
        except _DECLINES:
            return None
        return built

    # ------------------------------------------------------------------ compiling

    def _reader(self, type_name: str) -> Read:
        """The reader for a type string as the SDK's ``deserialized_types`` write it."""
        reader = self._readers.get(type_name)
        if reader is None:
            reader = self._readers[type_name] = self._compile(type_name)
        return reader

    def _compile(self, type_name: str) -> Read:
        # The SDK's own grammar: "list[T]", "dict(str, T)", a native name or a class path.
        if type_name.startswith("list["):
            match = _LIST.fullmatch(type_name)
            if match is None or "," in match.group(1):
                return _decline  # lists of mixed types: none in the request models
            return _list_of(self._reader(match.group(1).strip()))
        if type_name.startswith("dict("):
            match = _DICT.fullmatch(type_name)
            if match is None:
                return _decline
            return _dict_of(self._reader(match.group(2)))
        native = _NATIVE.get(type_name)
        if native is not None:
            return native
        cls = _load(type_name)
        if isinstance(cls, type) and issubclass(cls, enum.Enum):
            return _enum(cls)
        if not hasattr(cls, "deserialized_types"):
            return _decline
        if hasattr(cls, "get_real_child_model"):
            return self._discriminated(cls)
        return self._model(type_name)

    def _discriminated(self, base: Any) -> Read:
        """An abstract model: the payload's discriminator picks the class, as the SDK does."""
        key: str = base.json_discriminator_key
        classes: dict[str, str] = base.discriminator_value_class_map

        def read_discriminated(payload: Any) -> Any:
            if payload is None:
                return None
            if type(payload) is not dict:
                raise _Declined
            class_name = classes.get(payload.get(key))  # type: ignore[arg-type]
            if class_name is None:
                raise _Declined
            return self._model(class_name)(payload)

        return read_discriminated

    def _model(self, class_name: str) -> Read:
        """The reader for one concrete model class (no discriminator lookup: the SDK does one)."""
        reader = self._concrete.get(class_name)
        if reader is None:
            reader = self._concrete[class_name] = self._compile_model(_load(class_name))
        return reader

    def _compile_model(self, cls: Any) -> Read:
        """Instantiate with defaults, set each present field, then the payload's other keys raw.

        That is the SDK's order: unknown keys become attributes too, after the known ones.
        Fields are compiled on first use, so models that nest themselves need no special case.
        """
        fields: dict[str, tuple[str, Read]] | None = None

        def read_model(payload: Any) -> Any:
            nonlocal fields
            if payload is None:
                return None
            if type(payload) is not dict:
                raise _Declined
            if fields is None:
                fields = self._fields(cls)
            built = cls()
            extras: list[str] | None = None
            for key, value in payload.items():
                field = fields.get(key)
                if field is None:
                    if extras is None:
                        extras = []
                    extras.append(key)
                else:
                    setattr(built, field[0], field[1](value))
            if extras is not None:
                for key in extras:
                    setattr(built, key, payload[key])
            return built

        return read_model

    def _fields(self, cls: Any) -> dict[str, tuple[str, Read]]:
        """JSON key -> (attribute, reader) for a model class."""
        names: dict[str, str] = getattr(cls, "attribute_map", {})
        fields = {
            names.get(attribute, attribute): (attribute, self._reader(type_name))
            for attribute, type_name in cls.deserialized_types.items()
        }
        if len(fields) != len(cls.deserialized_types):
            # Two attributes on one JSON key: the SDK's result would depend on its loop order.
            return {name: (attribute, _decline) for name, (attribute, _) in fields.items()}
        return fields


def _load(class_path: str) -> Any:
    module, _, name = class_path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _decline(payload: Any) -> Any:
    if payload is None:
        return None
    raise _Declined


def _read_str(payload: Any) -> Any:
    if payload is None or type(payload) is str:
        return payload
    raise _Declined  # the SDK would make text of it: str(5), str({...}); let it


def _read_bool(payload: Any) -> Any:
    if payload is None or type(payload) is bool:
        return payload
    raise _Declined


def _read_int(payload: Any) -> Any:
    if payload is None or type(payload) is int:
        return payload
    raise _Declined


def _read_float(payload: Any) -> Any:
    if payload is None or type(payload) is float:
        return payload
    if type(payload) is int:
        return float(payload)  # as the SDK does: "dpi": 213 becomes 213.0
    raise _Declined


def _read_object(payload: Any) -> Any:
    return payload


def _read_datetime(payload: Any) -> Any:
    if payload is None:
        return None
    if type(payload) is str and _TIMESTAMP.fullmatch(payload):
        return datetime.fromisoformat(payload)  # Python 3.11+ reads "Z"
    raise _Declined


_NATIVE: Final[dict[str, Read]] = {
    "str": _read_str,
    "bool": _read_bool,
    "int": _read_int,
    "long": _read_int,
    "float": _read_float,
    "object": _read_object,
    "datetime": _read_datetime,
    "date": _decline,  # no request field has one
}


def _enum(cls: type[enum.Enum]) -> Read:
    members = {member.value: member for member in cls}

    def read_enum(payload: Any) -> Any:
        if payload is None:
            return None
        member = members.get(payload)
        if member is None:
            raise _Declined
        return member

    return read_enum


def _list_of(read_item: Read) -> Read:
    def read_list(payload: Any) -> Any:
        if payload is None:
            return None
        if type(payload) is not list:
            raise _Declined  # the SDK would iterate a string's characters or a dict's keys
        return [read_item(item) for item in payload]

    return read_list


def _dict_of(read_value: Read) -> Read:
    def read_dict(payload: Any) -> Any:
        if payload is None:
            return None
        if type(payload) is not dict:
            raise _Declined
        return {key: read_value(value) for key, value in payload.items()}

    return read_dict
