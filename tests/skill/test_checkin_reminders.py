"""The weekly check-in reminder through POST /alexa, against Amazon's Reminders API shape."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import responses
from flask import Flask

from tests.conftest import AlexaSession
from tests.skill.test_permissions import UNAUTHORIZED, answer_permission
from tests.skill.test_timers import REMINDERS, TIME_ZONE, permission_reply, sent

REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"


def reminder_created(token: str) -> dict[str, Any]:
    return {"alertToken": token, "status": "ON", "version": "1", "createdTime": "2026-11-22T19:00:00.000Z"}


def test_remind_us_every_sunday_at_eight_creates_a_weekly_reminder(
    alexa: AlexaSession, amazon: responses.RequestsMock, fixed_clock: datetime
) -> None:
    amazon.get(TIME_ZONE, json="Europe/London")
    amazon.post(REMINDERS, json=reminder_created("weekly-1"))
    reply = alexa.intent("ScheduleCheckInIntent", day="sunday", time="08:00")
    assert reply.status == 200 and "Sunday at 8 PM" in reply.speech and reply.ended
    [body] = sent(amazon, "POST", REMINDERS)
    trigger = body["trigger"]
    assert trigger["type"] == "SCHEDULED_ABSOLUTE"
    assert trigger["timeZoneId"] == "Europe/London"
    assert trigger["recurrence"]["startDateTime"] == "2026-11-22T20:00:00"  # 19:00 UTC is 19:00 in London
    assert trigger["recurrence"]["recurrenceRules"] == [
        "FREQ=WEEKLY;BYDAY=SU;BYHOUR=20;BYMINUTE=0;BYSECOND=0;INTERVAL=1"
    ]
    spoken = body["alertInfo"]["spokenInfo"]["content"][0]
    assert spoken["locale"] == "en-US" and "weekly check-in" in spoken["text"]


def test_changing_the_day_replaces_the_reminder_and_keeps_the_time(
    app: Flask, alexa: AlexaSession, amazon: responses.RequestsMock, fixed_clock: datetime
) -> None:
    amazon.get(TIME_ZONE, json="America/New_York")
    amazon.post(REMINDERS, json=reminder_created("weekly-1"))
    alexa.intent("ScheduleCheckInIntent", day="sunday", time="19:30")
    amazon.replace(responses.POST, REMINDERS, json=reminder_created("weekly-2"))
    amazon.delete(f"{REMINDERS}/weekly-1", status=200)
    reply = alexa.intent("ScheduleCheckInIntent", day="saturday")
    assert "Saturday at 7:30 PM" in reply.speech
    deleted = [c.request.url for c in amazon.calls if c.request.method == "DELETE"]
    assert deleted == [f"{REMINDERS}/weekly-1"]
    bodies = sent(amazon, "POST", REMINDERS)
    assert bodies[-1]["trigger"]["recurrence"]["recurrenceRules"][0].startswith(
        "FREQ=WEEKLY;BYDAY=SA;BYHOUR=19;BYMINUTE=30"
    )

    amazon.delete(f"{REMINDERS}/weekly-2", status=200)
    stopped = alexa.intent("StopCheckInRemindersIntent")
    assert "no more" in stopped.speech.lower()
    deleted = [c.request.url for c in amazon.calls if c.request.method == "DELETE"]
    assert deleted[-1] == f"{REMINDERS}/weekly-2"
    again = alexa.intent("StopCheckInRemindersIntent")
    assert "no check-in reminder" in again.speech.lower()


def test_the_reminder_permission_is_asked_for_and_the_schedule_is_not_lost(
    make_app: Any, sqlite_url: str, amazon: responses.RequestsMock
) -> None:
    config = {"DATABASE_URL": sqlite_url, "ALEXA_VERIFY_SIGNATURES": False}
    first, second = make_app(config), make_app(config)
    household = "amzn1.ask.account.REMINDME"
    amazon.get(TIME_ZONE, json="Europe/Berlin")
    amazon.post(REMINDERS, status=401, json=UNAUTHORIZED)
    asked = AlexaSession(first.test_client(), household).intent(
        "ScheduleCheckInIntent", day="friday", time="21:00"
    )
    directive = permission_reply(asked)
    assert directive["payload"]["permissionScopes"][0]["permissionScope"] == REMINDERS_SCOPE
    assert "remind you every week" not in asked.speech.lower()

    amazon.replace(responses.POST, REMINDERS, json=reminder_created("weekly-9"))
    accepted = answer_permission(AlexaSession(second.test_client(), household), "ACCEPTED")
    assert "Friday at 9 PM" in accepted.speech
    bodies = sent(amazon, "POST", REMINDERS)
    assert bodies[-1]["trigger"]["recurrence"]["recurrenceRules"][0].startswith(
        "FREQ=WEEKLY;BYDAY=FR;BYHOUR=21"
    )


def test_a_finished_check_in_offers_the_reminder_and_yes_sets_it(
    alexa: AlexaSession, amazon: responses.RequestsMock, fixed_clock: datetime
) -> None:
    amazon.get(TIME_ZONE, json="Europe/London")
    amazon.post(REMINDERS, json=reminder_created("weekly-1"))
    alexa.launch()
    alexa.intent("StartCheckInIntent")
    alexa.intent("NameIntent", name="jo")
    alexa.intent("AMAZON.YesIntent")
    alexa.intent("JustMeIntent")
    for index in range(5):
        reply = alexa.intent("AnswerIntent", answer=f"thought {index}")
    assert "remind you every week, on Sunday at 8 PM" in reply.speech and not reply.ended
    done = alexa.intent("AMAZON.YesIntent")
    assert "Sunday at 8 PM" in done.speech
    assert len(sent(amazon, "POST", REMINDERS)) == 1


def test_a_reminder_is_asked_for_refused_and_failed_in_reminder_words(
    make_app: Any, sqlite_url: str, amazon: responses.RequestsMock
) -> None:
    app = make_app({"DATABASE_URL": sqlite_url, "ALEXA_VERIFY_SIGNATURES": False})
    household = "amzn1.ask.account.REMINDERWORDS"
    amazon.get(TIME_ZONE, json="Europe/Berlin")
    amazon.post(REMINDERS, status=401, json=UNAUTHORIZED)
    asked = AlexaSession(app.test_client(), household).intent("ScheduleCheckInIntent", day="friday")
    assert "reminder" in asked.speech.lower() and "timer" not in asked.speech.lower()
    session = AlexaSession(app.test_client(), household)
    envelope = session._envelope("connections_response")
    envelope["request"]["payload"].update(status="DENIED", permissionScope=REMINDERS_SCOPE)
    refused = session.post(envelope)
    assert "no reminder then" in refused.speech.lower()
    assert "timer" not in refused.speech.lower() and "hug" not in refused.speech.lower()

    amazon.replace(responses.POST, REMINDERS, status=503, json={"code": "DOWN"})
    failed = AlexaSession(app.test_client(), household).intent("ScheduleCheckInIntent", day="monday")
    assert "weekly reminder" in failed.speech.lower()
    assert "timer" not in failed.speech.lower() and "hug" not in failed.speech.lower()
