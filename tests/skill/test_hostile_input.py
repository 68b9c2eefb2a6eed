"""Hostile input at POST /alexa: whatever a client sends, the answer is never a 500.

Hypothesis posts random bytes, random JSON, byte-level damage and structural mutations of
the real request fixtures (dropped keys, wrong types, huge strings, lone surrogates, RTL
marks, NUL, emoji, deep nesting) and realistic intents from the interaction model with
hostile slot values, with verification off and on (then mostly signed correctly, so the
input gets past the signature check).  Each example is a short conversation with a new
household: up to three well-formed turns, so that hostile words also arrive mid-flow (in a
check-in step, say), then the hostile request.  Every answer must be one Amazon can act on:

* 400 or 413 with a JSON ``{"error": reason}``, or
* 200 with an Alexa response whose SSML is well-formed XML under Alexa's size limit,

and nothing may fail inside: the app runs with exceptions propagated (``app.testing``), and
no turn may end in the spoken apology (an ERROR log) or the verifier's catch-all.
"""

from __future__ import annotations

import copy
import json
import logging
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from dialogue import Event, intents
from skill.alexa.verification import AlexaRequestVerifier
from tests.conftest import AlexaReply, AlexaSession, load_fixture
from tests.dialogue.test_ssml_escaping import (
    HOSTILE_TEXTS,
    READ_BACK_PATHS,
    ReadBack,
    assert_read_back_safely,
)
from tests.skill.signing import CERT_URL, NOW, Clock, Pki, build_pki, signed_headers

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = {
    name: load_fixture(name) for name in ("launch_request", "intent_request", "session_ended_request")
}
STAMP = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
HOUSEHOLD = "amzn1.ask.account.FUZZHOUSEHOLD"
JSON = {"Content-Type": "application/json"}
MAX_SSML_CHARACTERS = 8000  # Alexa refuses longer output speech

_model = json.loads((ROOT / "interaction_models" / "en-US.json").read_text())["interactionModel"]
MODEL_INTENTS = [intent["name"] for intent in _model["languageModel"]["intents"]]
INTENT_SLOTS = {
    intent["name"]: [slot["name"] for slot in intent.get("slots", [])]
    for intent in _model["languageModel"]["intents"]
}
MODEL_SLOTS = sorted(
    {slot["name"] for intent in _model["languageModel"]["intents"] for slot in intent.get("slots", [])}
)
# Intents with slots carry user words, so the fuzzer picks them more often.
SLOT_INTENTS = [intent["name"] for intent in _model["languageModel"]["intents"] if intent.get("slots")]

ODD_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff",
    "x\udc80y",
    "\u200f\u202eevil\u202c",
    "\ufeff",
    "\u2028\u2029",
    "e\u0301\u0301\u0301",
    "😀",
    "👨‍👩‍👧‍👦",
    "🏳️‍🌈" * 50,
    "\x07\x1b[31m",
    "<",
    ">",
    "&",
    "&amp;",
    '"',
    "'",
    '<break time="10s"/>',
    '<audio src="https://evil"/>',
    "</speak>",
    "]]>",
    "<!DOCTYPE x [<!ENTITY e 'x'>]>&e;",
    "${jndi:ldap://evil}",
    "%s%s%n",
    "'; DROP TABLE households; --",
    "null",
    "NaN",
    "1e999",
    "faith",
    "growing up",
    "amzn1.ask.account.OTHER",
    "FAMILY",
    "word " * 400,
    "x" * 2001,
    "é" * 5000,
]

hostile_text = st.one_of(
    st.sampled_from(ODD_STRINGS),
    st.text(max_size=40),
    st.text(st.characters(categories=["Cs", "Cc", "Cf", "Zl", "Zp", "So", "Mn"]), max_size=20),
    st.builds(
        lambda word, n: word * n, st.sampled_from(["a", "love ", "😀", "\u200f"]), st.integers(1, 3000)
    ),
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300, max_value=10**310),
    st.floats(),
    hostile_text,
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(hostile_text, children, max_size=4),
    max_leaves=12,
)

DEEP = "\x00deep\x00"  # stands for a deeply nested value, spliced in after json.dumps


def encode(document: Any, ascii_only: bool, depth: int) -> bytes:
    """JSON as a client might send it: \\u escapes or raw UTF-8, lone surrogates included."""
    text = json.dumps(document, ensure_ascii=ascii_only)
    deep = "[" * depth + "]" * depth
    text = text.replace(json.dumps(DEEP, ensure_ascii=ascii_only), deep)
    return text.encode("utf-8", "surrogatepass")


def json_paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key/index path inside a JSON document, parents before children."""
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from json_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from json_paths(value, (*prefix, index))


def _parent(document: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        document = document[key]
    return document


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of several strategies, picked in proportion to its weight."""
    return st.sampled_from([s for weight, s in choices for _ in range(weight)]).flatmap(lambda s: s)


def fresh(name: str) -> dict[str, Any]:
    """A real request fixture for the fuzzed household, stamped with the verifier clock's time."""
    envelope = copy.deepcopy(FIXTURES[name])
    envelope["request"]["timestamp"] = STAMP
    envelope["session"]["user"]["userId"] = envelope["context"]["System"]["user"]["userId"] = HOUSEHOLD
    return envelope


def for_household(body: bytes, household: str) -> bytes:
    """The same bytes, for another household (each example talks to a new one)."""
    return body.replace(HOUSEHOLD.encode(), household.encode())


@st.composite
def mutated_fixtures(draw: st.DrawFn) -> Any:
    """A real envelope with a few keys dropped, retyped, replaced or added."""
    envelope: Any = fresh(draw(st.sampled_from(sorted(FIXTURES))))
    for _ in range(draw(st.integers(1, 4))):
        paths = list(json_paths(envelope))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(envelope, path)
        action = draw(st.sampled_from(["drop", "replace", "replace", "text", "deep", "add"]))
        if action == "drop":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(json_values)
        elif action == "text":
            parent[path[-1]] = draw(hostile_text)
        elif action == "deep":
            parent[path[-1]] = DEEP
        elif isinstance(parent, dict):
            parent[draw(hostile_text)] = draw(json_values)
    return envelope


@st.composite
def hostile_intents(draw: st.DrawFn) -> dict[str, Any]:
    """A well-formed IntentRequest for an intent the model has, with hostile slot values."""
    envelope = fresh("intent_request")
    envelope["session"]["new"] = draw(st.booleans())
    intent = envelope["request"]["intent"]
    template = intent["slots"]["category"]
    intent["name"] = draw(weighted((4, st.sampled_from(SLOT_INTENTS)), (1, st.sampled_from(MODEL_INTENTS))))
    intent["slots"] = {}
    # Alexa sends the intent's own slots; now and then a client adds others.
    foreign = draw(st.one_of(st.just([]), st.lists(st.sampled_from(MODEL_SLOTS), min_size=1, max_size=2)))
    for name in dict.fromkeys(INTENT_SLOTS[intent["name"]] + foreign):
        slot = copy.deepcopy(template)
        slot["name"] = name
        slot["value"] = draw(weighted((4, hostile_text), (1, st.none())))
        authority = slot["resolutions"]["resolutionsPerAuthority"][0]
        authority["status"]["code"] = draw(
            st.sampled_from(["ER_SUCCESS_MATCH", "ER_SUCCESS_NO_MATCH", "ER_ERROR_TIMEOUT"])
        )
        authority["values"][0]["value"]["id"] = draw(
            st.one_of(st.sampled_from(["FAMILY", "US"]), hostile_text)
        )
        if draw(st.booleans()):
            del slot["slotValue"]
        intent["slots"][name] = slot
    return envelope


def _damage(data: bytes, position: int, cut: int, insert: bytes) -> bytes:
    position = position % (len(data) + 1)
    return data[:position] + insert + data[position + cut :]


documents = weighted((5, hostile_intents()), (3, mutated_fixtures()), (1, json_values))
json_bodies = st.builds(encode, documents, st.booleans(), st.integers(1, 100_000))
bodies = weighted(
    (12, json_bodies),
    (1, st.binary(max_size=2000)),
    (1, st.builds(_damage, json_bodies, st.integers(0, 10_000), st.integers(0, 50), st.binary(max_size=8))),
    (
        1,
        st.builds(
            lambda n: b'{"version": "1.0", "request": ' + b"[" * n + b"]" * n + b"}", st.integers(1, 70_000)
        ),
    ),
    (1, st.builds(lambda n: b'{"version": "' + b"a" * n + b'"}', st.integers(100_000, 140_000))),
)

header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=300
)
odd_content_types = st.one_of(
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "application/json; charset=utf-16",
            "Application/JSON",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "",
        ]
    ),
    header_text,
)
content_types = weighted((6, st.just("application/json")), (1, odd_content_types))

extra_headers = st.dictionaries(
    st.sampled_from(["SignatureCertChainUrl", "Signature-256", "Signature", "Content-Encoding", "Accept"]),
    st.one_of(header_text, st.just(CERT_URL)),
    max_size=3,
)


@pytest.fixture
def rsps(pki: Pki) -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(CERT_URL, body=pki.chain_pem)
        yield mock


@pytest.fixture(scope="module")
def pki() -> Pki:
    return build_pki()


def _client(app: Flask) -> FlaskClient:
    app.testing = True  # PROPAGATE_EXCEPTIONS: an exception in a view fails the test
    return app.test_client()


@pytest.fixture
def open_client(make_app: Any, sqlite_url: str, rsps: responses.RequestsMock) -> FlaskClient:
    # rsps: any call to Amazon's APIs (timers, reminders) fails at once instead of reaching the network.
    return _client(make_app({"DATABASE_URL": sqlite_url, "ALEXA_VERIFY_SIGNATURES": False}))


@pytest.fixture
def verified_client(make_app: Any, sqlite_url: str, pki: Pki, rsps: responses.RequestsMock) -> FlaskClient:
    verifier = AlexaRequestVerifier(trust_roots=[pki.root], clock=Clock(NOW))
    config = {"DATABASE_URL": sqlite_url, "ALEXA_VERIFY_SIGNATURES": True, "ALEXA_VERIFIER": verifier}
    return _client(make_app(config))


def assert_well_formed_ssml(ssml: str) -> None:
    assert len(ssml) < MAX_SSML_CHARACTERS
    root = ET.fromstring(ssml)
    assert root.tag == "speak"


def post_and_check(
    client: FlaskClient, body: bytes, headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> tuple[int, dict[str, Any]]:
    """POST one hostile request; assert the answer is one Amazon can act on; return it."""
    caplog.clear()
    result = client.post("/alexa", data=body, headers=headers)
    assert result.status_code in (200, 400, 413), result.get_data()[:300]
    assert result.mimetype == "application/json"
    payload = json.loads(result.get_data())
    if result.status_code == 200:
        response = payload["response"]
        for holder in (response, response.get("reprompt", {})):
            if "outputSpeech" in holder:
                assert_well_formed_ssml(holder["outputSpeech"]["ssml"])
    else:
        assert isinstance(payload["error"], str) and 0 < len(payload["error"]) <= 200
    faults = [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.ERROR or record.getMessage().startswith("unexpected")
    ]
    assert faults == []
    return result.status_code, payload


def _headers(content_type: str, extra: dict[str, str]) -> dict[str, str]:
    headers = dict(extra)
    if content_type:
        headers["Content-Type"] = content_type
    return headers


FUZZ = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


# A few well-formed turns first, so hostile words also arrive mid-flow (a check-in step, …).
lead_ins = st.lists(weighted((1, st.just(fresh("launch_request"))), (3, hostile_intents())), max_size=3)


@FUZZ
@given(lead_in=lead_ins, body=bodies, content_type=content_types, extra=extra_headers)
def test_verification_off_never_answers_500(
    open_client: FlaskClient,
    caplog: pytest.LogCaptureFixture,
    lead_in: list[dict[str, Any]],
    body: bytes,
    content_type: str,
    extra: dict[str, str],
) -> None:
    household = f"amzn1.ask.account.FUZZ{uuid.uuid4().hex}"
    for turn in lead_in:
        post_and_check(open_client, for_household(encode(turn, True, 1), household), JSON, caplog)
    body = for_household(body, household)
    status, payload = post_and_check(open_client, body, _headers(content_type, extra), caplog)
    event(f"HTTP {status}: {payload.get('error', 'answered')}"[:60])


@FUZZ
@given(
    lead_in=lead_ins,
    body=bodies,
    content_type=content_types,
    extra=extra_headers,
    signing=st.sampled_from(["signed", "signed", "signed", "other key", "as sent"]),
)
def test_verification_on_never_answers_500(
    verified_client: FlaskClient,
    pki: Pki,
    caplog: pytest.LogCaptureFixture,
    lead_in: list[dict[str, Any]],
    body: bytes,
    content_type: str,
    extra: dict[str, str],
    signing: str,
) -> None:
    household = f"amzn1.ask.account.FUZZ{uuid.uuid4().hex}"
    for turn in lead_in:
        raw = for_household(encode(turn, True, 1), household)
        post_and_check(verified_client, raw, {**JSON, **signed_headers(raw, pki.leaf_key)}, caplog)
    body = for_household(body, household)
    headers = _headers(content_type, extra)
    if signing != "as sent":
        headers.update(signed_headers(body, pki.leaf_key if signing == "signed" else pki.other_key))
    status, payload = post_and_check(verified_client, body, headers, caplog)
    event(f"HTTP {status}: {payload.get('error', 'answered')}"[:60])
    if signing != "signed":
        assert status != 200


# --------------------------------------------------------------------------- named cases

NOT_JSON = "request body is not valid JSON"
TOO_DEEP = "request body is nested too deeply"
NAMED_BODIES = {
    "JSON nested 60,000 deep": (b"[" * 60_000 + b"]" * 60_000, TOO_DEEP),
    "a request nested 50,000 deep": (
        b'{"version":"1.0","request":' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        TOO_DEEP,
    ),
    "a lone surrogate as raw bytes": (b'{"version":"1.0","x":"\xed\xa0\x80"}', NOT_JSON),
    "Latin-1 bytes": ('{"version":"1.0","x":"caf\u00e9"}'.encode("latin-1"), NOT_JSON),
    "UTF-16 JSON": (json.dumps(FIXTURES["launch_request"]).encode("utf-16"), NOT_JSON),
    "a number with 5,000 digits": (b'{"version": 1' + b"0" * 5000 + b"}", NOT_JSON),
    "NaN where a boolean belongs": (
        json.dumps(FIXTURES["launch_request"]).replace('"new": true', '"new": NaN').encode(),
        "not an Alexa request envelope: session/new is missing or malformed",
    ),
}


@pytest.mark.parametrize(("body", "reason"), list(NAMED_BODIES.values()), ids=list(NAMED_BODIES))
def test_bodies_that_break_naive_parsers_get_400_with_a_reason(
    open_client: FlaskClient, caplog: pytest.LogCaptureFixture, body: bytes, reason: str
) -> None:
    assert post_and_check(open_client, body, JSON, caplog) == (400, {"error": reason})


def _nested(levels: int) -> dict[str, Any]:
    node: dict[str, Any] = {}
    for _ in range(levels):
        node = {"inner": node}
    return node


@pytest.mark.parametrize(("levels", "status"), [(61, 200), (62, 400)])
def test_json_may_nest_64_deep_and_no_deeper(
    open_client: FlaskClient, caplog: pytest.LogCaptureFixture, levels: int, status: int
) -> None:
    envelope = fresh("launch_request")
    envelope["session"]["attributes"] = _nested(levels)  # envelope > session > attributes > ...
    result, payload = post_and_check(open_client, encode(envelope, True, 1), JSON, caplog)
    assert result == status
    assert status == 200 or payload == {"error": TOO_DEEP}


def _category_request(value: str) -> bytes:
    """AskQuestionIntent whose category slot holds `value`, unresolved (so it is read back)."""
    envelope = fresh("intent_request")
    slot = envelope["request"]["intent"]["slots"]["category"]
    slot["value"] = value
    del slot["resolutions"], slot["slotValue"]
    return encode(envelope, True, 1)


@pytest.mark.parametrize("value", ["\x00", "a\x00b", "\ud800", "x\udc80y", "\x07\x1b[31m", "\x0c", "\ufffe"])
def test_characters_ssml_cannot_carry_are_refused_in_a_slot(
    open_client: FlaskClient, caplog: pytest.LogCaptureFixture, value: str
) -> None:
    result = open_client.post("/alexa", data=_category_request(value), content_type="application/json")
    assert result.status_code == 400
    assert result.get_json() == {
        "error": "not an Alexa request envelope: request/intent/slots/category/value is missing or malformed"
    }


@pytest.mark.parametrize("value", ["\udf10", "amzn1.ask.account.\ud800", "a\x00b", "\x7f", "\uffff"])
@pytest.mark.parametrize(
    "where",
    [
        ("session", "user", "userId"),
        ("context", "System", "user", "userId"),
        ("context", "System", "person", "personId"),
    ],
)
def test_ids_a_database_cannot_store_are_refused(
    open_client: FlaskClient, caplog: pytest.LogCaptureFixture, value: str, where: tuple[str, ...]
) -> None:
    """A user or person id the store would choke on (the fuzzer found a lone surrogate) is a 400."""
    envelope = fresh("intent_request")
    envelope["context"]["System"]["person"] = {"personId": "amzn1.ask.person.OK"}
    _parent(envelope, where)[where[-1]] = value
    status, payload = post_and_check(
        open_client, encode(envelope, True, 1), {"Content-Type": "application/json"}, caplog
    )
    assert status == 400
    assert payload == {"error": f"not an Alexa request envelope: {'/'.join(where)} is missing or malformed"}


@pytest.mark.parametrize(
    "value",
    [
        "\u200f\u202eevil\u202c",  # RTL marks and overrides
        "😀 👨‍👩‍👧‍👦 🏳️‍🌈",
        "e\u0301\u0301 cafe\u0301",  # combining accents
        "tab\there",
        "\u00a0non\u00a0breaking\u00a0",
        "\ue000 private use",
        "\x7f\x85 C1 controls",
        "مرحبا",
        "家族",
    ],
)
def test_odd_but_speakable_words_are_read_back_in_well_formed_ssml(
    open_client: FlaskClient, caplog: pytest.LogCaptureFixture, value: str
) -> None:
    headers = {"Content-Type": "application/json"}
    status, payload = post_and_check(open_client, _category_request(value), headers, caplog)
    assert status == 200
    assert_read_back_safely(payload["response"]["outputSpeech"]["ssml"], value)


# --------------------------------------------------------------------------- read-back over the wire


def _play(alexa: AlexaSession, event: Event) -> AlexaReply:
    if event.intent == intents.LAUNCH:
        return alexa.launch()
    slots = {name: (slot.value or "", slot.resolved_id) for name, slot in event.slots.items()}
    return alexa.intent(event.intent, **slots)


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
@pytest.mark.parametrize("path", READ_BACK_PATHS, ids=lambda path: path.name)
def test_markup_a_user_said_is_spoken_not_obeyed_over_the_wire(
    open_client: FlaskClient, path: ReadBack, text: str
) -> None:
    alexa = AlexaSession(open_client)
    for step in path.setup:
        assert _play(alexa, step).status == 200
    reply = _play(alexa, path.carrier(text))
    for step in path.then:
        assert reply.status == 200
        reply = _play(alexa, step)
    assert reply.status == 200
    assert_read_back_safely(reply.ssml, path.spoken(text))
    if reply.response.get("reprompt"):
        ET.fromstring(reply.response["reprompt"]["outputSpeech"]["ssml"])
