"""Alexa ⇄ dialogue: a request envelope becomes an Event, a Reply becomes an Alexa response."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Intent, IntentConfirmationStatus, Response
from ask_sdk_model.dialog import ElicitSlotDirective
from ask_sdk_model.interfaces.connections import SendRequestDirective
from ask_sdk_model.ui import AskForPermissionsConsentCard, SimpleCard

from dialogue import Event, Reply, Slot, to_ssml
from dialogue.effects import AskPermission, ConsentCard
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
        if getattr(status, "value", status) != _MATCH:
            continue
        for wrapper in getattr(authority, "values", None) or []:
            resolved = getattr(getattr(wrapper, "value", None), "id", None)
            if isinstance(resolved, str) and resolved:
                return resolved
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
    if reply.elicit is not None and reply.listens and _is_intent_request(handler_input):
        # Alexa accepts Dialog directives only in answer to an IntentRequest.
        intent_name, slot = reply.elicit
        updated = Intent(name=intent_name, confirmation_status=IntentConfirmationStatus.NONE, slots={})
        builder.add_directive(ElicitSlotDirective(updated_intent=updated, slot_to_elicit=slot))
    if not _add_permission_directives(builder, reply):
        builder.set_should_end_session(reply.end_session or not reply.listens)
    return builder.response


def _is_intent_request(handler_input: HandlerInput) -> bool:
    return getattr(handler_input.request_envelope.request, "object_type", None) == "IntentRequest"


def permission_event(handler_input: HandlerInput, intent: str) -> Event:
    """The dialogue event for a Connections.Response to AskFor: the user's answer to a permission prompt."""
    request = handler_input.request_envelope.request
    payload = getattr(request, "payload", None) or {}
    status = getattr(request, "status", None)
    data = {
        "status": str(payload.get("status", "NOT_ANSWERED")),
        "scope": str(payload.get("permissionScope", "")),
        "token": str(getattr(request, "token", "") or ""),
        "code": str(getattr(status, "code", "") or ""),
    }
    return replace(event_from(handler_input, intent), data=data)


def _add_permission_directives(builder: Any, reply: Reply) -> bool:
    """AskPermission becomes Connections.SendRequest AskFor, ConsentCard the consent card.

    True when the response hands the conversation to Alexa's permission prompt: then it
    must carry no reprompt and leave shouldEndSession unset.
    """
    handing_over = False
    for effect in reply.effects:
        if isinstance(effect, AskPermission):
            payload: dict[str, object] = {
                "@type": "AskForPermissionsConsentRequest",
                "@version": "2",
                "permissionScopes": [{"permissionScope": effect.scope, "consentLevel": "ACCOUNT"}],
            }
            builder.add_directive(SendRequestDirective(name="AskFor", payload=payload, token=effect.token))
            handing_over = True
        elif isinstance(effect, ConsentCard):
            builder.set_card(AskForPermissionsConsentCard(permissions=[effect.scope]))
    return handing_over
