"""The kinds of intimacy, their quiz and connection rituals through POST /alexa (against Amazon's
Reminders API shape) and through /web/turn, typed the way people talk."""

from __future__ import annotations

from datetime import datetime

import responses
from flask import Flask

from tests.conftest import AlexaSession
from tests.skill.test_checkin_reminders import reminder_created
from tests.skill.test_safety import web
from tests.skill.test_timers import REMINDERS, TIME_ZONE, sent


def test_a_ritual_idea_on_alexa_gets_a_weekly_reminder_on_the_day_they_say_and_can_be_stopped(
    alexa: AlexaSession, amazon: responses.RequestsMock, fixed_clock: datetime
) -> None:
    amazon.get(TIME_ZONE, json="Europe/London")
    amazon.post(REMINDERS, json=reminder_created("ritual-1"))
    alexa.launch()
    idea = alexa.intent("RitualIntent")
    assert "a glass of wine, or a cup of tea" in idea.speech and not idea.ended
    assert idea.speech.endswith("Shall I remind you, or would you like another idea?")
    done = alexa.intent("RitualReminderIntent", day="friday", time="07:00")
    assert "I'll remind you every Friday at 7 PM." in done.speech and done.ended
    [body] = sent(amazon, "POST", REMINDERS)
    assert body["trigger"]["recurrence"]["recurrenceRules"] == [
        "FREQ=WEEKLY;BYDAY=FR;BYHOUR=19;BYMINUTE=0;BYSECOND=0;INTERVAL=1"
    ]
    assert body["trigger"]["timeZoneId"] == "Europe/London"
    spoken = body["alertInfo"]["spokenInfo"]["content"][0]["text"]
    assert spoken == "Time for a glass of something together, before anything else."

    amazon.delete(f"{REMINDERS}/ritual-1", status=200)
    alexa.launch()
    stopped = alexa.intent("StopRitualRemindersIntent")
    assert "I've stopped your ritual reminders" in stopped.speech
    deleted = [c.request.url for c in amazon.calls if c.request.method == "DELETE"]
    assert deleted == [f"{REMINDERS}/ritual-1"]


def test_what_is_spiritual_intimacy_on_alexa_leads_to_a_spirituality_question(
    alexa: AlexaSession, fixed_clock: datetime
) -> None:
    alexa.launch()
    told = alexa.intent("IntimacyKindIntent", kind=("spiritual", "SPIRITUAL"))
    assert "Spiritual intimacy is sharing what gives your life meaning" in told.speech
    asked = alexa.intent("AMAZON.YesIntent")
    assert "spirituality" in asked.speech.lower() and not asked.ended


def test_the_quiz_on_alexa_names_the_kinds_answered_yes(alexa: AlexaSession, fixed_clock: datetime) -> None:
    alexa.launch()
    first = alexa.intent("IntimacyQuizIntent")
    assert first.speech.endswith("Yes or no?") and not first.ended
    for answer in ("Yes", "No", "No", "No", "Yes", "No"):
        reply = alexa.intent(f"AMAZON.{answer}Intent")
    assert "You lean towards emotional and social intimacy." in reply.speech
    assert (
        "An appreciation round is a good way to practise emotional intimacy. Shall we do one?" in reply.speech
    )


def test_typed_in_the_browser_the_way_people_talk(checkin_app: Flask) -> None:
    client = checkin_app.test_client()
    session = "web-intimacy-household-01"
    web(client, session, "")
    kinds = web(client, session, "um so what kinds of intimacy are there")
    assert "six kinds of intimacy" in kinds["speech_text"]
    assert "spiritual" in kinds["suggestions"], "the kinds are offered as chips"
    told = web(client, session, "the physical one")
    assert "Physical intimacy is closeness through touch" in told["speech_text"]
    quiz = web(client, session, "okay which kind of intimacy do we lean towards")
    assert quiz["speech_text"].endswith("Yes or no?")
    for said in ("yeah definitely", "not really", "hmm skip", "mostly yes", "nah", "no"):
        reply = web(client, session, said)
    assert "You lean towards emotional and intellectual intimacy." in reply["speech_text"]

    idea = web(client, session, "any ideas for a little ritual we could do")
    assert "Here's one:" in idea["speech_text"]
    assert "another idea" in idea["suggestions"]
    other = web(client, session, "nah something else")
    assert "Here's one:" in other["speech_text"] and other["speech_text"] != idea["speech_text"]
    assert "a brunch date at the weekend" in other["speech_text"]
    done = web(client, session, "can you remind us every sunday at eleven")
    assert "I'll remind you every Sunday at 11 AM." in done["speech_text"]
    (effect,) = done["effects"]
    assert (effect["type"], effect["purpose"], effect["rrule"]) == (
        "reminder",
        "ritual.brunch",
        "FREQ=WEEKLY;INTERVAL=1;BYDAY=SU",
    )
    assert effect["at"].endswith("T11:00:00")
    ics = client.get(effect["calendar_url"])
    assert ics.status_code == 200 and "RRULE:FREQ=WEEKLY" in ics.get_data(as_text=True)
