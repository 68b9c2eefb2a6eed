"""Timers and reminders through POST /alexa: ask-sdk-core's real service clients, Amazon's API shape.

`responses` stands in for https://api.amazonalexa.com: each test asserts the HTTP body the
skill sent (duration, label, announcement, locale, recurrence) and what a person hears.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import pytest
import requests
import responses
from ask_sdk_model.services import ApiClientRequest

from dialogue import effects as fx
from dialogue import intents
from skill.alexa.services import AlexaEffects, TimeoutApiClient
from tests.conftest import AlexaReply, AlexaSession, load_fixture

API = "https://api.amazonalexa.com"
TIMERS = f"{API}/v1/alerts/timers"
REMINDERS = f"{API}/v1/alerts/reminders"
DEVICE = load_fixture("intent_request")["context"]["System"]["device"]["deviceId"]
TOKEN = load_fixture("intent_request")["context"]["System"]["apiAccessToken"]
TIME_ZONE = f"{API}/v2/devices/{DEVICE}/settings/System.timeZone"


def timer_created(timer_id: str = "timer-1", duration: str = "PT2H") -> dict[str, Any]:
    """Amazon's answer to a created timer."""
    return {
        "id": timer_id,
        "status": "ON",
        "duration": duration,
        "timerLabel": "Tech-free evening",
        "triggerTime": "2026-11-22T21:00:00Z",
        "createdTime": "2026-11-22T19:00:00Z",
        "updatedTime": "2026-11-22T19:00:00Z",
    }


def sent(api: responses.RequestsMock, method: str, url: str) -> list[dict[str, Any]]:
    """The JSON bodies the skill sent to one of Amazon's endpoints."""
    calls = [c for c in api.calls if c.request.method == method and str(c.request.url).split("?")[0] == url]
    return [json.loads(c.request.body) if c.request.body else {} for c in calls]


def test_a_tech_free_evening_for_two_hours_starts_an_announcing_timer(
    alexa: AlexaSession, amazon: responses.RequestsMock
) -> None:
    amazon.post(TIMERS, json=timer_created())
    reply = alexa.intent(intents.START_EVENING, duration="PT2H")
    assert reply.status == 200
    assert "phones" in reply.speech.lower() and "2 hours" in reply.speech and reply.ended
    [body] = sent(amazon, "POST", TIMERS)
    assert body["duration"] == "PT2H"
    assert body["timerLabel"] == "Tech-free evening"
    assert body["creationBehavior"] == {"displayExperience": {"visibility": "VISIBLE"}}
    operation = body["triggeringBehavior"]["operation"]
    assert operation["type"] == "ANNOUNCE"
    [announcement] = operation["textToAnnounce"]
    assert announcement["locale"] == "en-US" and "welcome back" in announcement["text"].lower()
    assert body["triggeringBehavior"]["notificationConfig"] == {"playAudible": True}
    assert amazon.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_the_bedtime_cuddle_timer_for_fifteen_minutes(
    alexa: AlexaSession, amazon: responses.RequestsMock
) -> None:
    amazon.post(TIMERS, json=timer_created("cuddle-1", "PT15M"))
    reply = alexa.intent(intents.CUDDLE, duration="PT15M")
    [body] = sent(amazon, "POST", TIMERS)
    assert body["duration"] == "PT15M" and body["timerLabel"] == "Bedtime cuddle"
    assert "sleep well" in body["triggeringBehavior"]["operation"]["textToAnnounce"][0]["text"].lower()
    assert "15 minutes" in reply.speech and reply.ended


def test_a_five_minute_hug_is_a_hug_timer(alexa: AlexaSession, amazon: responses.RequestsMock) -> None:
    amazon.post(TIMERS, json=timer_created("hug-1", "PT5M"))
    reply = alexa.intent(intents.HUG, duration="PT5M")
    [body] = sent(amazon, "POST", TIMERS)
    assert body["duration"] == "PT5M" and body["timerLabel"] == "Hug"
    assert "5 minutes" in reply.speech


def test_a_twenty_second_hug_needs_no_call_to_amazon(
    alexa: AlexaSession, amazon: responses.RequestsMock
) -> None:
    reply = alexa.intent(intents.HUG)
    assert len(amazon.calls) == 0
    breaks = [int(ms) for ms in re.findall(r'<break time="(\d+)ms"/>', reply.ssml)]
    assert max(breaks) <= 10_000 and sum(breaks) >= 20_000
    assert reply.ssml.count("<audio ") == 2 and reply.reprompt and not reply.ended


def test_until_ten_uses_the_devices_time_zone(
    alexa: AlexaSession, amazon: responses.RequestsMock, fixed_clock: datetime
) -> None:
    amazon.get(TIME_ZONE, json="America/Los_Angeles")  # 19:00 UTC is 11:00 there
    amazon.post(TIMERS, json=timer_created(duration="PT11H"))
    alexa.intent(intents.START_EVENING, until="22:00")
    [body] = sent(amazon, "POST", TIMERS)
    assert body["duration"] == "PT11H"


def test_until_a_time_without_the_time_zone_asks_for_a_length_and_sets_nothing(
    alexa: AlexaSession, amazon: responses.RequestsMock
) -> None:
    amazon.get(TIME_ZONE, status=500, json={"code": "INTERNAL_ERROR", "message": "sorry"})
    reply = alexa.intent(intents.START_EVENING, until="22:00")
    assert reply.status == 200 and "how long" in reply.speech.lower()
    assert sent(amazon, "POST", TIMERS) == [] and reply.reprompt and not reply.ended


def test_an_evening_longer_than_a_timer_becomes_a_reminder_at_the_local_end_time(
    alexa: AlexaSession, amazon: responses.RequestsMock, fixed_clock: datetime
) -> None:
    amazon.get(TIME_ZONE, json="Europe/Berlin")
    amazon.post(REMINDERS, json={"alertToken": "reminder-1", "status": "ON", "version": "1"})
    reply = alexa.intent(intents.START_EVENING, duration="P2D")
    assert reply.status == 200 and "48 hours" in reply.speech
    [body] = sent(amazon, "POST", REMINDERS)
    assert body["trigger"] == {
        "type": "SCHEDULED_ABSOLUTE",
        "scheduledTime": "2026-11-24T20:00:00",
        "timeZoneId": "Europe/Berlin",
    }
    [spoken] = body["alertInfo"]["spokenInfo"]["content"]
    assert spoken["locale"] == "en-US" and "welcome back" in spoken["text"].lower()
    assert body["pushNotification"] == {"status": "ENABLED"}
    assert sent(amazon, "POST", TIMERS) == []


def test_a_weekly_reminder_for_the_check_in_sends_an_rfc5545_rule(amazon: responses.RequestsMock) -> None:
    amazon.post(REMINDERS, json={"alertToken": "weekly-1", "status": "ON"})
    effect = fx.ScheduleReminder(
        at=datetime(2026, 11, 29, 20, 0),
        text="It's time for your weekly check-in.",
        purpose="checkin",
        time_zone="Europe/Berlin",
        recurrence=fx.Recurrence("WEEKLY", ("SU",)),
    )
    outcome = AlexaEffects(load_fixture("intent_request"), TimeoutApiClient()).carry_out(effect)
    assert outcome is not None and outcome.intent == intents.EFFECT_DONE
    assert dict(outcome.data) == {"purpose": "checkin", "effect": "ScheduleReminder", "id": "weekly-1"}
    [body] = sent(amazon, "POST", REMINDERS)
    assert body["trigger"] == {
        "type": "SCHEDULED_ABSOLUTE",
        "timeZoneId": "Europe/Berlin",
        "recurrence": {
            "startDateTime": "2026-11-29T20:00:00",
            "recurrenceRules": ["FREQ=WEEKLY;BYDAY=SU;BYHOUR=20;BYMINUTE=0;BYSECOND=0;INTERVAL=1"],
        },
    }
    assert body["alertInfo"]["spokenInfo"]["content"] == [
        {"locale": "en-US", "text": "It's time for your weekly check-in."}
    ]


def test_cancel_and_how_long_is_left_across_requests_and_two_app_instances(
    make_app: Any, sqlite_url: str, amazon: responses.RequestsMock
) -> None:
    config = {"DATABASE_URL": sqlite_url, "ALEXA_VERIFY_SIGNATURES": False}
    first, second = make_app(config), make_app(config)
    household = "amzn1.ask.account.EVENINGHOUSE"
    amazon.post(TIMERS, json=timer_created("timer-42"))
    amazon.delete(f"{TIMERS}/timer-42")
    AlexaSession(first.test_client(), household).intent(intents.START_EVENING, duration="PT2H")

    left = AlexaSession(second.test_client(), household).intent(intents.EVENING_TIME_LEFT)
    assert "2 hours" in left.speech and "tech-free evening" in left.speech and left.ended

    ended = AlexaSession(second.test_client(), household).intent(intents.END_EVENING)
    assert "welcome back" in ended.speech.lower() and ended.reprompt
    assert len(sent(amazon, "DELETE", f"{TIMERS}/timer-42")) == 1
    assert amazon.calls[-1].request.headers["Authorization"] == f"Bearer {TOKEN}"

    after = AlexaSession(first.test_client(), household).intent(intents.EVENING_TIME_LEFT)
    assert "no tech-free evening" in after.speech.lower()


FAULTS = [
    (429, None, "busy"),
    (500, None, "couldn't reach"),
    (503, None, "couldn't reach"),
    (504, None, "offline"),
    (None, requests.exceptions.ReadTimeout("read timed out"), "too long"),
    (None, requests.exceptions.ConnectionError("no route"), "couldn't reach"),
]


@pytest.mark.parametrize(("status", "error", "words"), FAULTS)
def test_each_fault_from_amazon_is_an_honest_spoken_answer(
    alexa: AlexaSession,
    amazon: responses.RequestsMock,
    status: int | None,
    error: Exception | None,
    words: str,
) -> None:
    if error is not None:
        amazon.post(TIMERS, body=error)
    else:
        amazon.post(TIMERS, status=status, json={"code": "ERROR", "message": "something went wrong"})
    reply = alexa.intent(intents.START_EVENING, duration="PT2H")
    assert reply.status == 200
    assert words in reply.speech.lower() and "started" not in reply.speech.lower()
    assert reply.reprompt and not reply.ended
    assert "outputSpeech" in reply.response
    left = alexa.intent(intents.EVENING_TIME_LEFT)
    assert "no tech-free evening" in left.speech.lower()  # nothing is recorded as running


def test_an_unreadable_answer_from_amazon_is_not_a_crash(
    alexa: AlexaSession, amazon: responses.RequestsMock
) -> None:
    amazon.post(TIMERS, status=500, body="<html>bad gateway</html>", content_type="text/html")
    reply = alexa.intent(intents.CUDDLE)
    assert reply.status == 200 and "sorry" in reply.speech.lower()


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_the_timeout_is_short_and_applies_to_every_call(amazon: responses.RequestsMock, method: str) -> None:
    amazon.add(method, TIMERS, json={})
    client = TimeoutApiClient(timeout=1.5)
    request = ApiClientRequest(method=method, url=TIMERS, headers=[("Content-type", "application/json")])
    assert client.invoke(request).status_code == 200
    assert getattr(amazon.calls[-1].request, "req_kwargs")["timeout"] == 1.5  # noqa: B009 - responses' own


def permission_reply(reply: AlexaReply) -> dict[str, Any]:
    """The one Connections.SendRequest directive of a reply."""
    [directive] = [d for d in reply.response.get("directives", []) if d["type"] == "Connections.SendRequest"]
    return dict(directive)
