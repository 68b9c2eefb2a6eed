"""Browser ⇄ dialogue: a JSON turn becomes an Event, a Reply becomes JSON for the page.

A turn names its browser session (`session_id`, the household) and one of: `launch: true`,
an `utterance` (typed or recognised text, matched to an intent with the interaction
model's own samples by `skill.nlu`), or an `intent` with `slots` (what Alexa's NLU would
have sent). Like Alexa's dialog manager, the page echoes the last reply's `elicit`, and
words that match no intent then fill that slot ("the long walk on Sunday" as a check-in
answer). Built-in slot values are converted to Amazon's formats (`skill.web.slots`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dialogue import Event, Reply, Slot, intents, to_ssml, to_text
from dialogue.speech import Pause, Say, Speech
from skill.nlu import FALLBACK, load_model, matcher_for, normalise
from skill.web import slots as builtin

LOCALE = "en-US"
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_UTTERANCE = 500
MAX_NAME = 100
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# "open heart to heart", "alexa, ask heart to heart for a question about family"
_INVOCATION = re.compile(
    r"^(?:alexa )?(?:open|start|launch|ask|tell) heart to heart(?: (?:for|to|and|about) (.+))?$"
)


class BadInput(ValueError):
    """A turn the endpoint refuses (HTTP 400, 413 when too large); `reason` is safe to return and to log."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class TurnRequest:
    """One checked turn from the page."""

    session_id: str
    launch: bool = False
    utterance: str | None = None
    intent: str | None = None
    slots: Mapping[str, str] = field(default_factory=dict)
    elicit: tuple[str, str] | None = None
    time_zone: str | None = None


@dataclass(frozen=True)
class Heard:
    """What the turn was understood as: the event for the core and whether it opens the skill."""

    event: Event
    opens: bool  # a launch or a one-shot "ask heart to heart for …": always a new session


def session_id_of(body: Any) -> str:
    """The checked browser session id of a request body."""
    if not isinstance(body, dict):
        raise BadInput("request body must be a JSON object")
    session_id = body.get("session_id")
    if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
        raise BadInput("session_id must be 16 to 64 characters: letters, digits, '-' or '_'")
    return session_id


def parse_turn(body: Any) -> TurnRequest:
    """Check a /web/turn body; BadInput says what is wrong with it."""
    session_id = session_id_of(body)
    launch = body.get("launch", False)
    utterance = body.get("utterance")
    intent = body.get("intent")
    if not isinstance(launch, bool):
        raise BadInput("launch must be true or false")
    given = [
        name for name, value in (("launch", launch), ("utterance", utterance), ("intent", intent)) if value
    ]
    if len(given) != 1:
        raise BadInput("give exactly one of: launch (true), utterance (text), intent (a name)")
    if utterance is not None:
        utterance = _text(utterance, "utterance", MAX_UTTERANCE)
        if not utterance.strip():
            raise BadInput("utterance is empty")
    if intent is not None:
        intent = _text(intent, "intent", MAX_NAME)
    slots = body.get("slots") or {}
    if not isinstance(slots, dict) or (slots and intent is None):
        raise BadInput("slots must be an object of slot name to text, and only with an intent")
    checked_slots = {
        _text(name, "slot name", MAX_NAME): _text(value, f"slot {name}", MAX_UTTERANCE)
        for name, value in slots.items()
        if value is not None
    }
    return TurnRequest(
        session_id=session_id,
        launch=launch,
        utterance=utterance,
        intent=intent,
        slots=checked_slots,
        elicit=_elicit(body.get("elicit")),
        time_zone=_time_zone(body.get("time_zone")),
    )


def _text(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise BadInput(f"{what} must be text")
    if len(value) > limit:
        raise BadInput(f"{what} is longer than {limit} characters")
    return _CONTROL.sub(" ", value)


def _elicit(value: Any) -> tuple[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadInput("elicit must be null or an object with intent and slot")
    intent, slot = value.get("intent"), value.get("slot")
    if not isinstance(intent, str) or not isinstance(slot, str):
        raise BadInput("elicit must be null or an object with intent and slot")
    if slot not in slot_types().get(intent, {}):
        return None  # not a slot the model has: nothing to fill, as Alexa would ignore it
    return intent, slot


def _time_zone(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise BadInput("time_zone must be an IANA time zone name such as Europe/Berlin")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise BadInput("time_zone must be an IANA time zone name such as Europe/Berlin") from error
    return value


@cache
def slot_types(locale: str = LOCALE) -> dict[str, dict[str, str]]:
    """Intent name -> slot name -> slot type, from the interaction model."""
    language = load_model(locale)["interactionModel"]["languageModel"]
    return {
        intent["name"]: {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        for intent in language["intents"]
    }


def understand(turn: TurnRequest) -> Heard:
    """The dialogue event for a checked turn (new_session is decided by the caller)."""
    if turn.launch:
        return Heard(Event(intents.LAUNCH, locale=LOCALE), opens=True)
    if turn.intent is not None:
        return Heard(_intent_event(turn.intent, turn.slots), opens=False)
    text = str(turn.utterance)
    invocation = _INVOCATION.match(normalise(text))
    if invocation is not None:
        if invocation.group(1) is None:
            return Heard(Event(intents.LAUNCH, locale=LOCALE), opens=True)
        text = invocation.group(1)
    match = matcher_for(LOCALE).match(text)
    if match.intent == FALLBACK and turn.elicit is not None and invocation is None:
        # Alexa fills an elicited slot with whatever is said next; so does the page.
        intent, slot = turn.elicit
        return Heard(Event(intent, {slot: Slot(" ".join(text.split()))}, locale=LOCALE), opens=False)
    heard = {name: words for name, (words, _resolved) in match.slots.items()}
    return Heard(_intent_event(match.intent, heard), opens=invocation is not None)


def _intent_event(name: str, heard: Mapping[str, str]) -> Event:
    """An intent as Alexa would send it: unknown names are the fallback, slot values resolved."""
    types = slot_types()
    if name not in types:
        return Event(FALLBACK, locale=LOCALE)
    values = matcher_for(LOCALE).values
    slots: dict[str, Slot] = {}
    for slot_name, words in heard.items():
        slot_type = types[name].get(slot_name)
        if slot_type is None or not words.strip():
            continue
        if slot_type in values:  # a custom type: resolve to its id through the synonyms
            slots[slot_name] = Slot(words, values[slot_type].get(normalise(words)))
        else:
            slots[slot_name] = Slot(builtin.resolve(slot_type, words))
    return Event(name, slots, locale=LOCALE)


def segments(speech: Speech) -> list[dict[str, str | int]]:
    """Speech as the page plays it: words to say, pauses to keep, sounds to ring."""
    out: list[dict[str, str | int]] = []
    for part in speech:
        if isinstance(part, Say):
            words = to_text((part,))
            if words:
                out.append({"say": words})
        elif isinstance(part, Pause):
            out.append({"pause": part.ms})
        else:
            out.append({"sound": part.src})
    return out


def reply_json(reply: Reply) -> dict[str, Any]:
    """The reply fields of the /web/turn answer (see skill.web)."""
    listens = reply.listens
    return {
        "speech_ssml": to_ssml(reply.speech) if reply.speech else "",
        "speech_text": to_text(reply.speech),
        "segments": segments(reply.speech),
        "reprompt_text": to_text(reply.reprompt) if listens and reply.reprompt else None,
        "card": {"title": reply.card.title, "text": reply.card.text} if reply.card else None,
        "end_session": reply.end_session or not listens,
        "elicit": {"intent": reply.elicit[0], "slot": reply.elicit[1]} if reply.elicit and listens else None,
    }
