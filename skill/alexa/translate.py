"""Alexa ⇄ dialogue: a checked request envelope (a dict) becomes an Event, a Reply becomes the
response dict. The same shape as the web adapter: JSON in, JSON out, no SDK models between.

The envelope has passed envelope.schema.json, so the keys read here are there and typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from dialogue import Event, Reply, Slot, to_ssml
from dialogue.effects import AskPermission, ConsentCard
from skill.storage import HouseholdKey

PLATFORM = "alexa"
_MATCH = "ER_SUCCESS_MATCH"

Envelope = Mapping[str, Any]


def household_of(envelope: Envelope) -> HouseholdKey:
    """The household: the Alexa account that enabled the skill."""
    return HouseholdKey(PLATFORM, str(envelope["context"]["System"]["user"]["userId"]))


def event_from(envelope: Envelope, intent: str) -> Event:
    """The dialogue event for this request, with slots, session start and recognised voice."""
    request = envelope["request"]
    session = envelope.get("session")
    person = envelope["context"]["System"].get("person") or {}
    slots: dict[str, Slot] = {}
    for name, slot in ((request.get("intent") or {}).get("slots") or {}).items():
        if isinstance(slot, Mapping):
            slots[name] = Slot(value=slot.get("value"), resolved_id=_resolved_id(slot))
    return Event(
        intent=intent,
        slots=slots,
        new_session=bool(session.get("new")) if isinstance(session, Mapping) else True,
        person_id=person.get("personId") if isinstance(person, Mapping) else None,
        locale=str(request.get("locale") or "en-US"),
    )


def _resolved_id(slot: Mapping[str, Any]) -> str | None:
    """The first id an authority matched ("ER_SUCCESS_MATCH"), as Alexa resolves a slot value."""
    resolutions = slot.get("resolutions")
    authorities = resolutions.get("resolutionsPerAuthority") if isinstance(resolutions, Mapping) else None
    for authority in authorities if isinstance(authorities, list) else []:
        status = authority.get("status") if isinstance(authority, Mapping) else None
        if not isinstance(status, Mapping) or status.get("code") != _MATCH:
            continue
        for wrapper in authority.get("values") or []:
            value = wrapper.get("value") if isinstance(wrapper, Mapping) else None
            resolved = value.get("id") if isinstance(value, Mapping) else None
            if isinstance(resolved, str) and resolved:
                return resolved
    return None


def permission_event(envelope: Envelope, intent: str) -> Event:
    """The event for a Connections.Response to AskFor: the user's answer to a permission prompt."""
    request = envelope["request"]
    payload = request.get("payload") if isinstance(request.get("payload"), Mapping) else {}
    status = request.get("status") if isinstance(request.get("status"), Mapping) else {}
    data = {
        "status": str(payload.get("status", "NOT_ANSWERED")),
        "scope": str(payload.get("permissionScope", "")),
        "token": str(request.get("token") or ""),
        "code": str(status.get("code") or ""),
    }
    return replace(event_from(envelope, intent), data=data)


def response_from(envelope: Envelope, reply: Reply) -> dict[str, Any]:
    """The Alexa response for a reply: SSML speech, reprompt, card, directives, end of session."""
    # A permission prompt takes the conversation over: then no reprompt and no shouldEndSession.
    handing_over = any(isinstance(effect, AskPermission) for effect in reply.effects)
    response: dict[str, Any] = {}
    if reply.speech:
        response["outputSpeech"] = _ssml(reply.speech)
    if reply.listens and reply.reprompt is not None and not handing_over:
        response["reprompt"] = {"outputSpeech": _ssml(reply.reprompt)}
    if reply.card is not None:
        response["card"] = {"type": "Simple", "title": reply.card.title, "content": reply.card.text}
    directives: list[dict[str, Any]] = []
    if reply.elicit is not None and reply.listens and envelope["request"]["type"] == "IntentRequest":
        # Alexa accepts Dialog directives only in answer to an IntentRequest.
        intent_name, slot = reply.elicit
        updated = {"name": intent_name, "confirmationStatus": "NONE", "slots": {}}
        directives.append({"type": "Dialog.ElicitSlot", "updatedIntent": updated, "slotToElicit": slot})
    for effect in reply.effects:
        if isinstance(effect, AskPermission):
            payload = {
                "@type": "AskForPermissionsConsentRequest",
                "@version": "2",
                "permissionScopes": [{"permissionScope": effect.scope, "consentLevel": "ACCOUNT"}],
            }
            send = {
                "type": "Connections.SendRequest",
                "name": "AskFor",
                "payload": payload,
                "token": effect.token,
            }
            directives.append(send)
        elif isinstance(effect, ConsentCard):
            response["card"] = {"type": "AskForPermissionsConsent", "permissions": [effect.scope]}
    if directives:
        response["directives"] = directives
    if not handing_over:
        response["shouldEndSession"] = reply.end_session or not reply.listens
    return {"version": "1.0", "response": response}


def _ssml(speech: Any) -> dict[str, str]:
    return {"type": "SSML", "ssml": to_ssml(speech)}
