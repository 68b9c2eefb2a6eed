"""skill.alexa.reader builds exactly what ask-sdk-core's deserializer builds, or declines.

The SDK's `DefaultSerializer.deserialize` is the reference. For every envelope the fast
reader takes, its `RequestEnvelope` must equal the SDK's (the models compare every
attribute, the raw extras included) and serialize to the same JSON; for every envelope the
SDK cannot read, the fast reader must decline, so that POST /alexa answers as it did before:
"request envelope could not be read" exactly where the SDK fails.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.alexa.reader import FAST_REQUEST_TYPES, EnvelopeReader
from tests.conftest import load_fixture
from tests.skill.test_hostile_input import hostile_text, json_paths

SERIALIZER = DefaultSerializer()
READER = EnvelopeReader()
ALL_FIXTURES = [
    "launch_request",
    "intent_request",
    "session_ended_request",
    "connections_response",
    "skill_disabled_event",
]
FAST_FIXTURES = ["launch_request", "intent_request", "session_ended_request"]


def sdk_read(document: Any) -> RequestEnvelope | None:
    """What ask-sdk-core makes of the document; None where it raises."""
    try:
        envelope: RequestEnvelope = SERIALIZER.deserialize(json.dumps(document), RequestEnvelope)
    except Exception:
        return None
    return envelope


def assert_reads_as_the_sdk_does(document: dict[str, Any], must_read: bool) -> None:
    # Both read the same text, as at POST /alexa (where a "\ud800\udc00" pair becomes one character).
    text = json.dumps(document)
    expected = sdk_read(document)
    fast = READER.read(json.loads(text))
    if must_read:
        assert fast is not None, "the fast reader declined a well-formed envelope"
    if expected is None:
        assert fast is None, "the fast reader read what the SDK refuses"
    elif fast is not None:
        assert fast == expected
        assert SERIALIZER.serialize(fast) == SERIALIZER.serialize(expected)


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_every_fixture_reads_as_the_sdk_reads_it(name: str) -> None:
    document = load_fixture(name)
    fast = READER.read(document)
    if document["request"]["type"] not in FAST_REQUEST_TYPES:
        assert fast is None  # the SDK's deserializer reads every other request type
        return
    assert fast is not None
    expected = sdk_read(document)
    assert fast == expected
    assert SERIALIZER.serialize(fast) == SERIALIZER.serialize(expected)


def test_what_the_skill_reads_is_there() -> None:
    document = load_fixture("intent_request")
    document["context"]["System"]["person"] = {"personId": "amzn1.ask.person.X", "accessToken": "t"}
    document["context"]["System"]["user"]["permissions"] = {"consentToken": "consent"}
    envelope = READER.read(document)
    assert envelope is not None
    system = envelope.context.system  # type: ignore[union-attr]
    assert system.user.user_id == "amzn1.ask.account.AF2JMEXAMPLEUSERIDHOUSEHOLDONE"
    assert system.user.permissions.consent_token == "consent"
    assert system.person.person_id == "amzn1.ask.person.X"
    assert system.device.device_id == "amzn1.ask.device.AEXAMPLEDEVICEID"
    assert system.api_endpoint == "https://api.amazonalexa.com"
    assert system.api_access_token.startswith("eyJ")
    assert system.application.application_id.startswith("amzn1.ask.skill.")
    request = envelope.request
    assert request.object_type == "IntentRequest" and request.locale == "en-US"
    assert request.timestamp == datetime(2026, 11, 22, 19, 2, 31, tzinfo=UTC)
    assert request.dialog_state.value == "STARTED"  # type: ignore[attr-defined]
    slot = request.intent.slots["category"]  # type: ignore[attr-defined]
    assert slot.value == "growing up"
    [authority] = slot.resolutions.resolutions_per_authority
    assert authority.status.code.value == "ER_SUCCESS_MATCH"
    assert authority.values[0].value.id == "FAMILY"
    assert envelope.session.new is False  # type: ignore[union-attr]


# --------------------------------------------------------------------------- generated envelopes

words = st.one_of(st.text(max_size=12), hostile_text)
# JSON a client might put anywhere; no NaN, which equals nothing (not even itself).
plain_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), words),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(words, children, max_size=3),
    max_leaves=6,
)


@st.composite
def alexa_timestamps(draw: st.DrawFn) -> str:
    """Timestamps as Alexa writes them: UTC "Z", now and then a fraction or an offset."""
    when = draw(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
    text = when.isoformat(timespec="seconds")
    if draw(st.booleans()):
        text += "." + str(when.microsecond).zfill(6)[: draw(st.integers(1, 6))]
    zone = draw(st.sampled_from(["Z", "Z", "", "offset"]))
    if zone == "offset":
        minutes = draw(st.integers(-23 * 60 - 59, 23 * 60 + 59))
        sign = "-" if minutes < 0 else "+"
        text += f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    else:
        text += zone
    return text


def resolution(draw: st.DrawFn) -> dict[str, Any]:
    code = draw(st.sampled_from(["ER_SUCCESS_MATCH", "ER_SUCCESS_NO_MATCH", "ER_ERROR_TIMEOUT"]))
    authority: dict[str, Any] = {
        "authority": "amzn1.er-authority.echo-sdk.X.Category",
        "status": {"code": code},
    }
    if code == "ER_SUCCESS_MATCH" or draw(st.booleans()):
        ids = draw(st.lists(words, max_size=3))
        authority["values"] = [{"value": {"name": draw(words), "id": value}} for value in ids]
    return authority


@st.composite
def slots(draw: st.DrawFn, name: str) -> dict[str, Any]:
    slot: dict[str, Any] = {
        "name": name,
        "confirmationStatus": draw(st.sampled_from(["NONE", "CONFIRMED", "DENIED"])),
    }
    if draw(st.booleans()):
        slot["value"] = draw(st.one_of(st.none(), words))
    if draw(st.booleans()):
        slot["source"] = "USER"
    if draw(st.booleans()):
        slot["resolutions"] = {
            "resolutionsPerAuthority": [resolution(draw) for _ in range(draw(st.integers(0, 2)))]
        }
    kind = draw(st.sampled_from(["none", "Simple", "List"]))
    if kind == "Simple":
        slot["slotValue"] = {"type": "Simple", "value": draw(words)}
    elif kind == "List":
        values = [{"type": "Simple", "value": draw(words)} for _ in range(draw(st.integers(0, 2)))]
        slot["slotValue"] = {"type": "List", "values": values}
    return slot


# Unknown keys the SDK keeps as raw attributes, some named like the models' own attributes.
EXTRA_KEYS = [
    "foo",
    "shouldLinkResultBeReturned",
    "request_id",
    "object_type",
    "session_id",
    "user_id",
    "slot_value",
]


def _dicts(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        return [node] + [inner for value in node.values() for inner in _dicts(value)]
    if isinstance(node, list):
        return [inner for value in node for inner in _dicts(value)]
    return []


@st.composite
def well_formed_envelopes(draw: st.DrawFn) -> dict[str, Any]:
    """Launch, intent and session-ended requests as Alexa sends them, in all their variety."""
    envelope: dict[str, Any] = copy.deepcopy(load_fixture(draw(st.sampled_from(FAST_FIXTURES))))
    request = envelope["request"]
    request["timestamp"] = draw(alexa_timestamps())
    envelope["session"]["new"] = draw(st.booleans())
    envelope["session"]["attributes"] = draw(st.dictionaries(words, plain_json, max_size=2))
    system = envelope["context"]["System"]
    if draw(st.booleans()):
        system["person"] = {"personId": draw(words), "accessToken": draw(words)}
    if draw(st.booleans()):
        system["user"]["permissions"] = {"consentToken": draw(words)}
    if draw(st.booleans()):
        system.pop("apiAccessToken", None)
    if request["type"] == "IntentRequest":
        intent = request["intent"]
        intent["confirmationStatus"] = draw(st.sampled_from(["NONE", "CONFIRMED", "DENIED"]))
        if draw(st.booleans()):
            request["dialogState"] = draw(st.sampled_from(["STARTED", "IN_PROGRESS", "COMPLETED"]))
        else:
            request.pop("dialogState", None)
        names = draw(
            st.lists(st.sampled_from(["category", "answer", "name", "duration"]), unique=True, max_size=3)
        )
        intent["slots"] = {name: draw(slots(name)) for name in names}
    elif request["type"] == "SessionEndedRequest":
        request["reason"] = draw(st.sampled_from(["USER_INITIATED", "ERROR", "EXCEEDED_MAX_REPROMPTS"]))
        if draw(st.booleans()):
            request["error"] = {"type": "INVALID_RESPONSE", "message": draw(words)}
    # Maps of slots and of session attributes hold no model's keys: no extras there.
    maps = [envelope["session"]["attributes"], request.get("intent", {}).get("slots")]
    models = [node for node in _dicts(envelope) if not any(node is other for other in maps)]
    for _ in range(draw(st.integers(0, 3))):
        target = draw(st.sampled_from(models))
        target.setdefault(draw(st.sampled_from(EXTRA_KEYS)), draw(plain_json))
    return envelope


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(envelope=well_formed_envelopes())
def test_well_formed_envelopes_are_read_fast_and_as_the_sdk_reads_them(envelope: dict[str, Any]) -> None:
    assert_reads_as_the_sdk_does(envelope, must_read=True)


ODD_VALUES = [
    "BOGUS",
    "",
    5,
    -1,
    2.5,
    10**400,
    True,
    None,
    [],
    ["x"],
    {},
    {"type": "Other"},
    "yesterday",
    "22 Nov 2026 19:02",
    "2026-11-22T19:02:31Z\n",
    "2026-02-30T10:00:00Z",
    "2026-11-22T19:02:31+24:00",
    "2026-11-22 19:02:31Z",
    "20261122T190231Z",
    "2026-11-22T19:02:31.1234567Z",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(envelope=well_formed_envelopes(), data=st.data())
def test_odd_values_are_declined_unless_read_exactly_as_the_sdk_reads_them(
    envelope: dict[str, Any], data: st.DataObject
) -> None:
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(list(json_paths(envelope))))
        parent: Any = envelope
        for key in path[:-1]:
            parent = parent[key]
        # A copy: ODD_VALUES' lists and dicts must not be shared, nor end up inside themselves.
        parent[path[-1]] = copy.deepcopy(data.draw(st.one_of(st.sampled_from(ODD_VALUES), plain_json)))
    assert_reads_as_the_sdk_does(envelope, must_read=False)


@pytest.mark.parametrize(
    "stamp",
    ["2026-11-22T19:02:31Z", "2026-11-22T19:02:31.5Z", "2026-11-22T19:02:31+05:30", "2026-11-22T19:02:31"],
)
def test_timestamps_in_alexas_form_equal_dateutils_reading(stamp: str) -> None:
    envelope = load_fixture("launch_request")
    envelope["request"]["timestamp"] = stamp
    assert_reads_as_the_sdk_does(envelope, must_read=True)


def test_utc_and_offsets_keep_their_instant() -> None:
    envelope = load_fixture("launch_request")
    envelope["request"]["timestamp"] = "2026-11-22T20:32:31+01:30"
    read = READER.read(envelope)
    assert read is not None
    assert read.request.timestamp == datetime(2026, 11, 22, 19, 2, 31, tzinfo=UTC)
    assert read.request.timestamp.utcoffset() == timedelta(hours=1, minutes=30)
    assert read.request.timestamp.tzinfo == timezone(timedelta(hours=1, minutes=30))


# --------------------------------------------------------------------------- over the wire

REQUEST_UNREADABLE = {"error": "request envelope could not be read"}


def _changed(fixture: str, path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    envelope = load_fixture(fixture)
    node: Any = envelope
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return envelope


CATEGORY = ("request", "intent", "slots", "category")
ODD_ENVELOPES = {
    "unknown dialog state": _changed("intent_request", ("request", "dialogState"), "BOGUS"),
    "numeric intent confirmation": _changed("intent_request", ("request", "intent", "confirmationStatus"), 5),
    "unknown slot confirmation": _changed("intent_request", (*CATEGORY, "confirmationStatus"), "MAYBE"),
    "unknown resolution status": _changed(
        "intent_request", (*CATEGORY, "resolutions", "resolutionsPerAuthority", 0, "status", "code"), "NOPE"
    ),
    "resolutions as text": _changed(
        "intent_request", (*CATEGORY, "resolutions", "resolutionsPerAuthority"), "x"
    ),
    "slot value of an unknown type": _changed("intent_request", (*CATEGORY, "slotValue", "type"), "Other"),
    "a timestamp in words": _changed("intent_request", ("request", "timestamp"), "yesterday"),
    "a timestamp dateutil reads": _changed("intent_request", ("request", "timestamp"), "22 Nov 2026 19:02"),
    "a 30th of February": _changed("intent_request", ("request", "timestamp"), "2026-02-30T10:00:00Z"),
    "supported interfaces as text": _changed(
        "launch_request", ("context", "System", "device", "supportedInterfaces"), "x"
    ),
    "unknown viewport mode": _changed("launch_request", ("context", "Viewport", "mode"), "NOPE"),
    "unknown session-end reason": _changed("session_ended_request", ("request", "reason"), "BORED"),
    "an attribute named __class__": _changed("launch_request", ("request", "__class__"), "x"),
}


@pytest.mark.parametrize("envelope", list(ODD_ENVELOPES.values()), ids=list(ODD_ENVELOPES))
def test_the_endpoint_refuses_exactly_what_the_sdk_cannot_read(
    client: FlaskClient, envelope: dict[str, Any]
) -> None:
    result = client.post("/alexa", json=envelope)
    if sdk_read(envelope) is None:
        assert (result.status_code, result.get_json()) == (400, REQUEST_UNREADABLE)
    else:
        assert result.status_code == 200
