"""Signed requests end to end: POST /alexa with verification on, as Amazon sends them.

The app is built by `create_app` with a verifier whose only trust root is the throwaway PKI
of tests.skill.signing and whose clock is fixed; `responses` serves the chain where Amazon
would.  Each test checks what Amazon or a person would notice: the status, the JSON reason
of a refusal, the speech, and what the logs say.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient

from skill.alexa.verification import AlexaRequestVerifier
from tests.conftest import AlexaReply, load_fixture
from tests.skill.signing import CERT_URL, NOW, Clock, Pki, build_pki, make_leaf, signed_headers

HOUSEHOLD = "amzn1.ask.account.SIGNEDHOUSEHOLD"
SECRET = "my secret answer 12345"


@pytest.fixture(scope="module")
def pki() -> Pki:
    return build_pki()


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def signed_app(make_app: Any, sqlite_url: str, pki: Pki, clock: Clock, rsps: responses.RequestsMock) -> Flask:
    verifier = AlexaRequestVerifier(trust_roots=[pki.root], clock=clock)
    app: Flask = make_app(
        {"DATABASE_URL": sqlite_url, "ALEXA_VERIFY_SIGNATURES": True, "ALEXA_VERIFIER": verifier}
    )
    return app


@pytest.fixture
def client(signed_app: Flask) -> FlaskClient:
    return signed_app.test_client()


def stamp(offset: timedelta = timedelta(0)) -> str:
    return (NOW + offset).strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope(fixture: str = "launch_request", age: timedelta = timedelta(0)) -> dict[str, Any]:
    """A real Alexa request fixture for our household, sent `age` before the verifier's clock."""
    document = copy.deepcopy(load_fixture(fixture))
    document["session"]["user"]["userId"] = HOUSEHOLD
    document["context"]["System"]["user"]["userId"] = HOUSEHOLD
    document["request"]["timestamp"] = stamp(-age)
    return document


def question_about(category: str) -> dict[str, Any]:
    """AskQuestionIntent with an unresolved category slot (read back when it names no category)."""
    document = envelope("intent_request")
    slot = document["request"]["intent"]["slots"]["category"]
    slot["value"] = category
    del slot["slotValue"]
    slot["resolutions"]["resolutionsPerAuthority"][0]["status"]["code"] = "ER_SUCCESS_NO_MATCH"
    del slot["resolutions"]["resolutionsPerAuthority"][0]["values"]
    return document


def skill_event(kind: str, age: timedelta) -> dict[str, Any]:
    """A skill event as Amazon sends it: no session, event times beside the timestamp."""
    document = envelope("launch_request")
    del document["session"]
    document["request"] = {
        "type": kind,
        "requestId": "amzn1.echo-api.request.skill-event",
        "timestamp": stamp(-age),
        "eventCreationTime": stamp(-age),
        "eventPublishingTime": stamp(-age),
    }
    return document


def post(
    client: FlaskClient, document: dict[str, Any], key: Any = None, headers: dict[str, str] | None = None
) -> AlexaReply:
    """POST a document signed by `key` (the Alexa leaf key by default), or with `headers` as given."""
    body = json.dumps(document).encode()
    if headers is None:
        headers = signed_headers(body, key if key is not None else build_pki().leaf_key)
    result = client.post("/alexa", data=body, headers=headers, content_type="application/json")
    assert result.mimetype == "application/json"
    return AlexaReply(result.status_code, result.get_json())


# --------------------------------------------------------------------------- accepted


def test_a_signed_launch_request_is_greeted(client: FlaskClient, rsps: responses.RequestsMock) -> None:
    reply = post(client, envelope())
    assert reply.status == 200
    assert "Welcome to Heart to Heart" in reply.speech
    assert not reply.ended and reply.reprompt
    assert [call.request.url for call in rsps.calls] == [CERT_URL]


def test_a_second_request_does_not_download_the_chain_again(
    client: FlaskClient, rsps: responses.RequestsMock, clock: Clock
) -> None:
    assert post(client, envelope()).status == 200
    clock.advance(timedelta(hours=3))
    later = question_about("family")
    later["request"]["timestamp"] = stamp(timedelta(hours=3))
    reply = post(client, later)
    assert reply.status == 200 and reply.card is not None
    assert len(rsps.calls) == 1


def test_a_skill_disabled_event_30_minutes_old_is_accepted_without_speech(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    reply = post(client, skill_event("AlexaSkillEvent.SkillDisabled", timedelta(minutes=30)))
    assert reply.status == 200
    assert "outputSpeech" not in reply.response
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_skill_events_older_than_an_hour_are_refused(client: FlaskClient) -> None:
    reply = post(client, skill_event("AlexaSkillEvent.SkillDisabled", timedelta(minutes=61)))
    assert reply.status == 400
    assert reply.body == {"error": "request timestamp is too old"}


@pytest.mark.parametrize(
    "request_body",
    [
        {"type": "Display.ElementSelected", "token": "question-card"},
        {"type": "Messaging.MessageReceived", "message": {"note": "from the companion app"}},
        {"type": "Alexa.Presentation.APL.UserEvent", "arguments": ["tapped"]},
        {"type": "Connections.Response", "name": "Buy", "status": {"code": "200", "message": "OK"}},
        {"type": "Heart.FutureRequest"},  # a type newer than the SDK's model
    ],
    ids=lambda body: str(body["type"]),
)
def test_request_types_the_skill_does_not_handle_get_an_empty_response(
    client: FlaskClient, caplog: pytest.LogCaptureFixture, request_body: dict[str, Any]
) -> None:
    caplog.set_level(logging.INFO)
    document = envelope()
    document["request"] = {
        **request_body,
        "requestId": "amzn1.echo-api.request.unhandled",
        "timestamp": stamp(),
        "locale": "en-US",
    }
    reply = post(client, document)
    assert reply.status == 200
    assert reply.body["version"] == "1.0"
    assert reply.response == {}
    lines = [(r.levelno, r.getMessage()) for r in caplog.records if "not handled" in r.getMessage()]
    assert lines == [(logging.INFO, f"alexa request type not handled: {request_body['type']}")]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("kind", ["AlexaSkillEvent.SkillEnabled", "AlexaSkillEvent.SkillPermissionAccepted"])
def test_other_skill_events_get_an_empty_response(client: FlaskClient, kind: str) -> None:
    reply = post(client, skill_event(kind, timedelta(minutes=5)))
    assert reply.status == 200
    assert reply.response == {}


# --------------------------------------------------------------------------- refused


def _tampered(client: FlaskClient) -> AlexaReply:
    document = envelope()
    body = json.dumps(document).encode()
    headers = signed_headers(body, build_pki().leaf_key)
    document["context"]["System"]["user"]["userId"] = "amzn1.ask.account.SOMEONEELSE"
    return post(client, document, headers=headers)


def _without(header: str) -> Callable[[FlaskClient], AlexaReply]:
    def send(client: FlaskClient) -> AlexaReply:
        document = envelope()
        headers = signed_headers(json.dumps(document).encode(), build_pki().leaf_key)
        del headers[header]
        return post(client, document, headers=headers)

    return send


def _from(url: str) -> Callable[[FlaskClient], AlexaReply]:
    def send(client: FlaskClient) -> AlexaReply:
        document = envelope()
        return post(
            client, document, headers=signed_headers(json.dumps(document).encode(), build_pki().leaf_key, url)
        )

    return send


def _legacy_sha1_header_only(client: FlaskClient) -> AlexaReply:
    document = envelope()
    headers = signed_headers(json.dumps(document).encode(), build_pki().leaf_key)
    headers["Signature"] = headers.pop("Signature-256")
    return post(client, document, headers=headers)


REFUSALS: dict[str, tuple[Callable[[FlaskClient], AlexaReply], str]] = {
    "tampered body": (_tampered, "signature does not match the body"),
    "signed with another key": (
        lambda client: post(client, envelope(), key=build_pki().other_key),
        "signature does not match the body",
    ),
    "no SignatureCertChainUrl": (_without("SignatureCertChainUrl"), "missing SignatureCertChainUrl header"),
    "no Signature-256": (_without("Signature-256"), "missing Signature-256 header"),
    "only the SHA-1 Signature": (_legacy_sha1_header_only, "SHA-1 Signature is not accepted"),
    "no signature headers at all": (
        lambda client: post(client, envelope(), headers={}),
        "missing SignatureCertChainUrl header",
    ),
    "certificate on another host": (
        _from("https://evil.example/echo.api/echo-api-cert.pem"),
        "signature certificate URL: host must be s3.amazonaws.com",
    ),
    "certificate over http": (
        _from("http://s3.amazonaws.com/echo.api/echo-api-cert.pem"),
        "signature certificate URL: scheme must be https",
    ),
    "certificate outside /echo.api/": (
        _from("https://s3.amazonaws.com/echo.api/../evil/cert.pem"),
        "signature certificate URL: path must start with /echo.api/",
    ),
    "certificate URL on another port": (
        _from("https://s3.amazonaws.com:8443/echo.api/echo-api-cert.pem"),
        "signature certificate URL: port must be 443",
    ),
    "timestamp 151 seconds old": (
        lambda client: post(client, envelope(age=timedelta(seconds=151))),
        "request timestamp is too old",
    ),
    "launch request 30 minutes old": (
        lambda client: post(client, envelope(age=timedelta(minutes=30))),
        "request timestamp is too old",
    ),
    "timestamp from the future": (
        lambda client: post(client, envelope(age=timedelta(seconds=-200))),
        "request timestamp is in the future",
    ),
}


@pytest.mark.parametrize(("send", "reason"), list(REFUSALS.values()), ids=list(REFUSALS))
def test_requests_that_fail_verification_get_400_with_a_reason_and_change_nothing(
    client: FlaskClient,
    caplog: pytest.LogCaptureFixture,
    send: Callable[[FlaskClient], AlexaReply],
    reason: str,
) -> None:
    caplog.set_level(logging.INFO)
    refused = send(client)
    assert refused.status == 400
    assert refused.body == {"error": refused.body["error"]}
    assert reason in refused.body["error"]
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert refusals == [f"alexa request refused: {refused.body['error']} (LaunchRequest)"]
    # The refused request never reached the conversation: the household is still new.
    assert "Welcome to Heart to Heart" in post(client, envelope()).speech


def test_verification_on_refuses_an_unknown_skill_even_when_signed(
    make_app: Any, sqlite_url: str, pki: Pki
) -> None:
    with responses.RequestsMock() as mock:
        mock.get(CERT_URL, body=pki.chain_pem)
        verifier = AlexaRequestVerifier(trust_roots=[pki.root], clock=Clock(NOW))
        app = make_app(
            {
                "DATABASE_URL": sqlite_url,
                "ALEXA_VERIFIER": verifier,
                "ALEXA_SKILL_IDS": "amzn1.ask.skill.someone-else",
            }
        )
        reply = post(app.test_client(), envelope())
    assert reply.status == 400
    assert reply.body == {"error": "application id is not allowed"}


def test_without_an_injected_verifier_the_real_roots_and_clock_decide(
    make_app: Any, sqlite_url: str, pki: Pki, rsps: responses.RequestsMock
) -> None:
    # A chain valid today and correctly signed, but from a CA that certifi does not hold.
    now = datetime.now(UTC)
    leaf = make_leaf(
        pki.leaf_key, pki.issuer, not_before=now - timedelta(days=1), not_after=now + timedelta(days=30)
    )
    rsps.replace(responses.GET, CERT_URL, body=pki.chain_with_leaf(leaf))
    app = make_app({"DATABASE_URL": sqlite_url})
    document = envelope()
    document["request"]["timestamp"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    reply = post(app.test_client(), document)
    assert reply.status == 400
    assert reply.body == {"error": "signature certificate chain: does not lead to a trusted root"}
    assert len(rsps.calls) == 1


# --------------------------------------------------------------------------- logs


def test_what_a_user_said_never_reaches_the_logs(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)

    heard = post(client, question_about(SECRET))
    assert heard.status == 200 and SECRET in heard.speech  # the success path read it back

    forged = post(client, question_about(SECRET), key=build_pki().other_key)
    stale = question_about(SECRET)
    stale["request"]["timestamp"] = stamp(-timedelta(minutes=10))
    unreadable = question_about(SECRET + "\x00")
    odd_key = question_about("\x00")
    slots = odd_key["request"]["intent"]["slots"]
    slots[SECRET] = slots.pop("category")
    for document, key in ((stale, None), (unreadable, None), (odd_key, None)):
        assert post(client, document, key=key).status == 400
    assert forged.status == 400

    assert any("alexa request refused" in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        assert SECRET not in record.getMessage()
        assert SECRET not in repr(record.args)
    assert SECRET not in caplog.text
