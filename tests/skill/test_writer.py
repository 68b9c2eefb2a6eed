"""skill.alexa.writer writes exactly what ask-sdk-core's serializer writes.

`DefaultSerializer.serialize` is the reference: for every response the skill gives in a
conversation that touches every kind of reply (speech, reprompt, card, Dialog.ElicitSlot,
Connections.SendRequest AskFor, the consent card, the spoken apology), and for models built
to reach every branch (enums, datetimes, Decimals, tuples, nested dicts and lists, unset
fields), the fast writer's data equals the SDK's, key order included.
"""

from __future__ import annotations

import decimal
import json
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import pytest
import responses
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import Intent, IntentConfirmationStatus, ResponseEnvelope, Slot, SlotConfirmationStatus
from ask_sdk_model.dialog import ElicitSlotDirective
from ask_sdk_model.interfaces.connections import SendRequestDirective
from ask_sdk_model.response import Response
from ask_sdk_model.services.reminder_management import (
    AlertInfo,
    PushNotification,
    PushNotificationStatus,
    ReminderRequest,
    SpokenInfo,
    SpokenText,
    Trigger,
    TriggerType,
)
from ask_sdk_model.ui import (
    AskForPermissionsConsentCard,
    Image,
    PlainTextOutputSpeech,
    Reprompt,
    SimpleCard,
    SsmlOutputSpeech,
    StandardCard,
)
from flask import Flask

from dialogue import intents
from skill.alexa.writer import ResponseWriter
from tests.conftest import AlexaSession
from tests.skill.test_permissions import UNAUTHORIZED
from tests.skill.test_timers import TIMERS

SDK = DefaultSerializer()


class Mood(Enum):
    """An enum whose values are not its names (the SDK's own enums all use their names)."""

    GLAD = "glad-value"


def assert_written_as_the_sdk_writes(value: Any) -> None:
    fast = ResponseWriter().write(value)
    expected = SDK.serialize(value)
    assert fast == expected
    assert repr(fast) == repr(expected)  # same keys in the same order, same types


BUILT = {
    "empty response": ResponseEnvelope(version="1.0", response=Response()),
    "speech, reprompt, card": ResponseEnvelope(
        version="1.0",
        response=Response(
            output_speech=SsmlOutputSpeech(ssml="<speak>Hi &amp; welcome</speak>"),
            reprompt=Reprompt(output_speech=PlainTextOutputSpeech(text="Still there?")),
            card=StandardCard(title="T", text="x", image=Image(small_image_url="https://a/b.png")),
            should_end_session=False,
        ),
        session_attributes={"nested": [1, 2.5, {"deep": None}], "flag": True},
        user_agent="ask-python/1.19",
    ),
    "elicit slot with enums": ResponseEnvelope(
        version="1.0",
        response=Response(
            directives=[
                ElicitSlotDirective(
                    updated_intent=Intent(
                        name="AnswerIntent",
                        confirmation_status=IntentConfirmationStatus.NONE,
                        slots={
                            "answer": Slot(name="answer", confirmation_status=SlotConfirmationStatus.DENIED)
                        },
                    ),
                    slot_to_elicit="answer",
                )
            ],
            card=SimpleCard(title="Check-in", content="What went well?"),
        ),
    ),
    "AskFor with a payload dict and the consent card": ResponseEnvelope(
        version="1.0",
        response=Response(
            directives=[
                SendRequestDirective(
                    name="AskFor",
                    payload={
                        "@type": "AskForPermissionsConsentRequest",
                        "permissionScopes": [{"permissionScope": "alexa::alerts:timers:skill:readwrite"}],
                    },
                    token="evening",
                )
            ],
            card=AskForPermissionsConsentCard(permissions=["alexa::alerts:reminders:skill:readwrite"]),
        ),
    ),
    "datetimes, dates, Decimals and tuples": {
        "reminder": ReminderRequest(
            request_time=datetime(2026, 11, 22, 19, 0, tzinfo=UTC),
            trigger=Trigger(object_type=TriggerType.SCHEDULED_ABSOLUTE, time_zone_id="Europe/London"),
            alert_info=AlertInfo(
                spoken_info=SpokenInfo(content=[SpokenText(locale="en-GB", text="Check-in")])
            ),
            push_notification=PushNotification(status=PushNotificationStatus.ENABLED),
        ),
        "day": date(2026, 11, 22),
        "whole": decimal.Decimal("3"),
        "part": decimal.Decimal("2.5"),
        "pair": ("a", SimpleCard(title="t")),
        "bytes": b"raw",
        "mood": [Mood.GLAD],
    },
}


@pytest.mark.parametrize("name", list(BUILT))
def test_built_models_are_written_as_the_sdk_writes_them(name: str) -> None:
    assert_written_as_the_sdk_writes(BUILT[name])


def test_an_object_that_is_not_a_model_fails_as_in_the_sdk() -> None:
    with pytest.raises(AttributeError):
        SDK.serialize(object())
    with pytest.raises(AttributeError):
        ResponseWriter().write(object())


def test_every_response_of_a_conversation_is_written_as_the_sdk_writes_it(
    app: Flask, alexa: AlexaSession, amazon: responses.RequestsMock
) -> None:
    endpoint = app.extensions["alexa"]
    real = endpoint.writer
    seen: list[str] = []

    class Checking(ResponseWriter):
        def write(self, value: Any) -> Any:
            fast = real.write(value)
            assert fast == SDK.serialize(value)
            seen.append(json.dumps(fast))
            return fast

    endpoint.writer = Checking()
    amazon.post(TIMERS, status=401, json=UNAUTHORIZED)
    alexa.launch()
    alexa.intent("AskQuestionIntent", category=("family", "FAMILY"))
    alexa.intent(intents.NEXT)
    alexa.intent(intents.REPEAT)
    alexa.intent("RememberWhenIntent")
    alexa.intent(intents.HUG)
    alexa.intent(intents.START_EVENING, duration="PT2H")  # 401: AskFor
    alexa.post(alexa._envelope("connections_response"))  # refused: the consent card
    alexa.intent(intents.START_CHECKIN)
    alexa.intent("NameIntent", name="Sam")
    alexa.intent(intents.YES)
    alexa.intent("NameIntent", name="Alex")
    alexa.intent(intents.YES)
    alexa.intent("AnswerIntent", answer="the way you listened")
    alexa.intent(intents.STOP)
    conversation = app.extensions["conversation"]
    conversation.turn = None  # a fault inside the turn: the spoken apology
    alexa.launch()
    kinds = "".join(seen)
    for part in ('"ssml"', '"reprompt"', '"card"', "Dialog.ElicitSlot", "Connections.SendRequest", "AskFor"):
        assert part in kinds
    assert len(seen) == 16
