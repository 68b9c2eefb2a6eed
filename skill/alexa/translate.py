"""Alexa ⇄ dialogue: a request envelope becomes an Event, a Reply becomes an Alexa response."""

from __future__ import annotations

from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from dialogue import Event, Reply, Slot, to_ssml
from skill.storage import HouseholdKey

PLATFORM = "alexa"
_MATCH = "ER_SUCCESS_MATCH"


def _system(handler_input: HandlerInput) -> Any:
    # The envelope schema has already required context.System and its user.
    return handler_input.request_envelope.context.system  # type: ignore[union-attr]


def household_of(handler_input: HandlerInput) -> HouseholdKey:
    """The household: the Alexa account that enabled the skill."""
    return HouseholdKey(PLATFORM, str(_system(handler_input).user.user_id))


def event_from(handler_input: HandlerInput, intent: str) -> Event:
    """The dialogue event for this request, with slots, session start and recognised voice."""
    envelope = handler_input.request_envelope
    session = envelope.session
    person = getattr(_system(handler_input), "person", None)
    slots: dict[str, Slot] = {}
    request_intent = getattr(envelope.request, "intent", None)
    for name, slot in ((request_intent.slots if request_intent else None) or {}).items():
        slots[name] = Slot(value=slot.value, resolved_id=_resolved_id(slot))
    return Event(
        intent=intent,
        slots=slots,
        new_session=bool(session.new) if session is not None else True,
        person_id=getattr(person, "person_id", None),
        locale=getattr(envelope.request, "locale", None) or "en-US",
    )


def _resolved_id(slot: Any) -> str | None:
    resolutions = getattr(slot, "resolutions", None)
    for authority in getattr(resolutions, "resolutions_per_authority", None) or []:
        status = getattr(getattr(authority, "status", None), "code", None)
        if getattr(status, "value", status) == _MATCH and authority.values:
            return str(authority.values[0].value.id)
    return None


def response_from(handler_input: HandlerInput, reply: Reply) -> Response:
    """The Alexa response for a reply: SSML speech, reprompt, card, end of session."""
    builder = handler_input.response_builder
    if reply.speech:
        builder.speak(to_ssml(reply.speech))
    if reply.listens and reply.reprompt is not None:
        builder.ask(to_ssml(reply.reprompt))
    if reply.card is not None:
        builder.set_card(SimpleCard(title=reply.card.title, content=reply.card.text))
    builder.set_should_end_session(reply.end_session or not reply.listens)
    return builder.response
