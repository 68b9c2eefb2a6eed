"""Browser ⇄ dialogue: a JSON turn becomes an Event, a Reply becomes JSON for the page.

A turn names its browser session (`session_id`, the household), optionally its `locale`
(en-US, en-GB, en-CA, en-AU or en-IN) and one of: `launch: true`, an `utterance` (typed or
recognised text, understood with the one grammar by `skill.nlu`, in the context of where
the household's conversation stands, inside the turn), or an `intent` with `slots` (what
Alexa's NLU would have sent). An `elicit` echoed from the last reply is accepted and
ignored: the household's stored step already says that an answer or a name is being
asked for. Built-in slot values are converted to Amazon's formats (`skill.nlu.values`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dialogue import Event, Reply, Slot, State, intents, to_ssml, to_text
from dialogue.speech import Pause, Say, Speech
from skill.errors import BadRequest
from skill.nlu import FALLBACK, recognizer_for
from skill.nlu import values as builtin
from skill.nlu.grammar import locales, models_dir

LOCALE = "en-US"
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_UTTERANCE = 500
MAX_NAME = 100
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# "open heart to heart", "alexa, ask heart to heart for a question about family"
_INVOCATION = re.compile(
    r"^(?:(?:hi|hey|hello|g'day|ok|okay|um|so) )*(?:alexa )?(?:(?:please|can you|could you) )?"
    r"(?:open|start|launch|ask|tell) heart to heart(?: (?:(?:for|to|and|about|if|whether) )?(.+))?$"
)


@dataclass(frozen=True)
class TurnRequest:
    """One checked turn from the page."""

    session_id: str
    launch: bool = False
    utterance: str | None = None
    intent: str | None = None
    slots: Mapping[str, str] = field(default_factory=dict)
    time_zone: str | None = None
    locale: str = "en-US"


@dataclass(frozen=True)
class Heard:
    """What the turn was understood as: the event for the core and whether it opens the skill."""

    event: Event
    opens: bool  # a launch or a one-shot "ask heart to heart for …": always a new session
    miss: str | None = None  # "fallback" or "near_miss" when the words were not understood outright


def session_id_of(body: Any) -> str:
    """The checked browser session id of a request body."""
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    session_id = body.get("session_id")
    if not isinstance(session_id, str) or not SESSION_ID.fullmatch(session_id):
        raise BadRequest("session_id must be 16 to 64 characters: letters, digits, '-' or '_'")
    return session_id


def parse_turn(body: Any) -> TurnRequest:
    """Check a /web/turn body; BadRequest says what is wrong with it."""
    session_id = session_id_of(body)
    launch = body.get("launch", False)
    utterance = body.get("utterance")
    intent = body.get("intent")
    if not isinstance(launch, bool):
        raise BadRequest("launch must be true or false")
    given = [
        name for name, value in (("launch", launch), ("utterance", utterance), ("intent", intent)) if value
    ]
    if len(given) != 1:
        raise BadRequest("give exactly one of: launch (true), utterance (text), intent (a name)")
    if utterance is not None:
        utterance = checked_text(utterance, "utterance", MAX_UTTERANCE)
        if not utterance.strip():
            raise BadRequest("utterance is empty")
    if intent is not None:
        intent = checked_text(intent, "intent", MAX_NAME)
    slots = body.get("slots") or {}
    if not isinstance(slots, dict) or (slots and intent is None):
        raise BadRequest("slots must be an object of slot name to text, and only with an intent")
    checked_slots = {
        checked_text(name, "slot name", MAX_NAME): checked_text(value, f"slot {name}", MAX_UTTERANCE)
        for name, value in slots.items()
        if value is not None
    }
    request = TurnRequest(
        session_id=session_id,
        launch=launch,
        utterance=utterance,
        intent=intent,
        slots=checked_slots,
        time_zone=checked_time_zone(body.get("time_zone")),
        locale=_locale(body.get("locale")),
    )
    _check_elicit(body.get("elicit"))
    return request


def _check_elicit(value: Any) -> None:
    """An echoed `elicit` must have the shape the page was given (its content is not needed)."""
    if value is None:
        return
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) for k in ("intent", "slot")):
        raise BadRequest("elicit must be null or an object with intent and slot")


def checked_text(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise BadRequest(f"{what} must be text")
    if len(value) > limit:
        raise BadRequest(f"{what} is longer than {limit} characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:  # a lone surrogate ("\ud800") is no text anyone said
        raise BadRequest(f"{what} is not valid text") from error
    return _CONTROL.sub(" ", value)


def _locale(value: Any) -> str:
    if value is None or value == "":
        return LOCALE
    if not isinstance(value, str) or value not in locales():
        raise BadRequest(f"locale must be one of {', '.join(sorted(locales()))}")
    return value


def checked_time_zone(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise BadRequest("time_zone must be an IANA time zone name such as Europe/Berlin")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise BadRequest("time_zone must be an IANA time zone name such as Europe/Berlin") from error
    return value


@cache
def slot_types(locale: str = LOCALE) -> dict[str, dict[str, str]]:
    """Intent name -> slot name -> slot type, from the interaction model."""
    model = json.loads((models_dir() / f"{locale}.json").read_text(encoding="utf-8"))
    language = model["interactionModel"]["languageModel"]
    return {
        intent["name"]: {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        for intent in language["intents"]
    }


def understand(turn: TurnRequest, state: State) -> Heard:
    """The dialogue event for a checked turn, in the household's state (new_session is the caller's)."""
    if turn.launch:
        return Heard(Event(intents.LAUNCH, locale=turn.locale), opens=True)
    if turn.intent is not None:
        return Heard(_intent_event(turn.intent, turn.slots, turn.locale), opens=False)
    text = str(turn.utterance)
    invocation = _INVOCATION.match(_plain(text))
    if invocation is not None:
        if invocation.group(1) is None:
            return Heard(Event(intents.LAUNCH, locale=turn.locale), opens=True)
        text = invocation.group(1)
    # A one-shot request ("ask heart to heart for a question") opens a new session at home.
    where = "home.menu" if invocation is not None else f"{state.session.flow}.{state.session.step}"
    found = recognizer_for(turn.locale).understand(text, where)
    miss = None if found.how == "grammar" else found.how
    return Heard(
        Event(found.intent, dict(found.slots), locale=turn.locale), opens=invocation is not None, miss=miss
    )


def _plain(text: str) -> str:
    """Lower case, apostrophes kept, other punctuation gone, single spaces."""
    text = text.lower().replace("\u2019", "'")
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text).split())


def _intent_event(name: str, heard: Mapping[str, str], locale: str) -> Event:
    """An intent as Alexa would send it: unknown names are the fallback, slot values resolved."""
    types = slot_types()
    if name not in types:
        return Event(FALLBACK, locale=locale)
    recognizer = recognizer_for(locale)
    slots: dict[str, Slot] = {}
    for slot_name, words in heard.items():
        slot_type = types[name].get(slot_name)
        if slot_type is None or not words.strip():
            continue
        if slot_type.startswith("AMAZON."):
            slots[slot_name] = Slot(builtin.resolve(slot_type, words) or words)
            continue
        # a custom type: resolved to its id through the grammar list's alternatives, as Alexa would
        slots[slot_name] = Slot(words, recognizer.resolve(slot_name, words))
    return Event(name, slots, locale=locale)


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
