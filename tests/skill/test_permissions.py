"""The permission flow end to end through POST /alexa: 401 -> AskFor -> Connections.Response -> outcome."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from flask import Flask

from dialogue import intents
from tests.conftest import AlexaReply, AlexaSession
from tests.skill.test_timers import TIMERS, permission_reply, sent, timer_created

TIMERS_SCOPE = "alexa::alerts:timers:skill:readwrite"
UNAUTHORIZED = {"code": "UNAUTHORIZED", "message": "Request is not authorized."}


def answer_permission(alexa: AlexaSession, status: str) -> AlexaReply:
    """Alexa's Connections.Response after asking the user, in Amazon's own shape."""
    envelope = alexa._envelope("connections_response")
    envelope["request"]["payload"]["status"] = status
    return alexa.post(envelope)


def test_a_missing_timer_permission_is_asked_for_by_voice_then_the_evening_starts(
    make_app: Any, sqlite_url: str, amazon: responses.RequestsMock
) -> None:
    config = {"DATABASE_URL": sqlite_url, "ALEXA_VERIFY_SIGNATURES": False}
    first, second = make_app(config), make_app(config)
    household = "amzn1.ask.account.PERMISSIONHOUSE"
    amazon.post(TIMERS, status=401, json=UNAUTHORIZED)
    asked = AlexaSession(first.test_client(), household).intent(intents.START_EVENING, duration="PT2H")

    assert asked.status == 200
    assert "permission" in asked.speech.lower() and "started" not in asked.speech.lower()
    directive = permission_reply(asked)
    assert directive == {
        "type": "Connections.SendRequest",
        "name": "AskFor",
        "payload": {
            "@type": "AskForPermissionsConsentRequest",
            "@version": "2",
            "permissionScopes": [{"permissionScope": TIMERS_SCOPE, "consentLevel": "ACCOUNT"}],
        },
        "token": "evening",
    }
    assert "reprompt" not in asked.response and "shouldEndSession" not in asked.response

    # The answer arrives at another worker: the request was kept in the household's state.
    amazon.replace(responses.POST, TIMERS, json=timer_created("timer-7"))
    accepted = answer_permission(AlexaSession(second.test_client(), household), "ACCEPTED")
    assert accepted.status == 200
    assert "starts now" in accepted.speech.lower() or "started" in accepted.speech.lower()
    bodies = sent(amazon, "POST", TIMERS)
    assert len(bodies) == 2 and bodies[0]["timerLabel"] == bodies[1]["timerLabel"] == "Tech-free evening"
    assert bodies[1]["duration"] in ("PT2H", "PT1H59M59S", "PT1H59M58S")

    left = AlexaSession(first.test_client(), household).intent(intents.EVENING_TIME_LEFT)
    assert "tech-free evening" in left.speech and "no tech-free" not in left.speech


@pytest.mark.parametrize("status", ["DENIED", "NOT_ANSWERED"])
def test_a_refused_permission_says_what_they_can_do_and_sends_the_consent_card(
    alexa: AlexaSession, amazon: responses.RequestsMock, status: str
) -> None:
    amazon.post(TIMERS, status=403, json={"code": "FORBIDDEN", "message": "no"})
    alexa.intent(intents.CUDDLE, duration="PT15M")
    refused = answer_permission(alexa, status)
    assert refused.status == 200
    assert "hug" in refused.speech.lower() and "alexa app" in refused.speech.lower()
    assert refused.card == {"type": "AskForPermissionsConsent", "permissions": [TIMERS_SCOPE]}
    assert refused.reprompt and not refused.ended
    assert len(sent(amazon, "POST", TIMERS)) == 1  # nothing retried without permission
    hug = alexa.intent(intents.YES)
    assert hug.ssml.count('<break time="10000ms"/>') == 2


def test_permission_refused_again_after_accepting_does_not_loop(
    alexa: AlexaSession, amazon: responses.RequestsMock
) -> None:
    amazon.post(TIMERS, status=401, json=UNAUTHORIZED)
    alexa.intent(intents.START_EVENING)
    reply = answer_permission(alexa, "ACCEPTED")
    assert reply.status == 200
    assert "directives" not in reply.response or not any(
        d["type"] == "Connections.SendRequest" for d in reply.response["directives"]
    )
    assert reply.card is not None and reply.card["type"] == "AskForPermissionsConsent"


def test_a_connections_response_with_nothing_pending_is_answered_kindly(
    alexa: AlexaSession, app: Flask
) -> None:
    reply = answer_permission(alexa, "ACCEPTED")
    assert reply.status == 200 and reply.speech and reply.reprompt
