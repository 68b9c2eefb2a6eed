"""The one state object the core reads and returns, versioned and serialised here only.

`Household` lives as long as the household uses the skill (deck positions, visits);
`Session` is what the current conversation is about and is reset when a new one starts.
The host stores the whole object keyed by household, so any worker can answer any request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any

STATE_VERSION = 1


class StateVersionError(ValueError):
    """Stored state written by a newer version of the skill."""


@dataclass
class Household:
    """What the skill remembers about a household between conversations."""

    visits: int = 0
    asked: dict[str, list[str]] = field(default_factory=dict)  # category -> question ids this cycle
    last_category: str | None = None
    last_question: str | None = None
    # the weekly check-in
    names: list[str] = field(default_factory=list)  # one or two first names, in speaking order
    voices: dict[str, int] = field(default_factory=dict)  # Alexa personId -> index in names
    checkin_id: int | None = None  # the check-in in progress, if any
    checkin_done: list[str] = field(default_factory=list)  # "topic:person" answered or skipped
    checkin_current: str | None = None  # "topic:person" being asked
    checkin_last: str | None = None  # the last answer saved, for "let me redo that"
    # timed exercises (see dialogue.effects): purpose -> {"kind", "id", "ends_at"} of what runs
    retention_days: int | None = None  # check-ins older than this are deleted without asking
    voices_only: bool = False  # read answers back only to voices the platform knows as ours
    alerts: dict[str, dict[str, str]] = field(default_factory=dict)
    pending: dict[str, Any] | None = None  # a request waiting for the user's permission


@dataclass
class Session:
    """Where the current conversation stands."""

    flow: str = "home"
    step: str = "menu"
    category: str | None = None  # None: any category
    question: str | None = None
    previous_question: str | None = None
    offer: str | None = None  # what a "yes" would start
    fallbacks: int = 0
    turn: int = 0
    nudges: list[int] = field(default_factory=list)
    last_speech: list[list[str | int]] | None = None  # never a household's own words (Reply.private)
    last_reprompt: list[list[str | int]] | None = None
    # what "repeat" reads again after a private reply, never the words: {"checkin": id, "topic":
    # index} or {"person": a first name | None, "topic": index | None}
    replay: dict[str, str | int | None] | None = None
    heard_name: str | None = None  # a name waiting for "did I get that right?"
    unclear: int = 0  # non-answers in a row at the answer step (two move the check-in on)
    read_ok: bool = False  # someone agreed this session that answers may be read aloud
    read_request: dict[str, str | int | None] | None = None  # the read-back waiting for that yes
    delete_request: dict[str, str | int] | None = None  # one check-in or answer waiting for "yes, delete"
    playback_topic: int = 0  # which topic of a check-in is being read back
    playback_checkin: int | None = None


@dataclass
class State:
    """Everything the core knows, in one typed, versioned object."""

    household: Household = field(default_factory=Household)
    session: Session = field(default_factory=Session)
    version: int = STATE_VERSION

    def to_json(self) -> str:
        """Serialise for the store."""
        # Every field is a JSON value, so the instances' own dicts serialise as they are
        # (dataclasses.asdict would deep-copy each one first: a third of a turn's CPU).
        data = {"household": vars(self.household), "session": vars(self.session), "version": self.version}
        return json.dumps(data, separators=(",", ":"), sort_keys=True)

    def copy(self) -> State:
        """An independent copy (a JSON round trip: faster than copy.deepcopy for this shape)."""
        return State.from_json(self.to_json())

    @classmethod
    def from_json(cls, text: str | None) -> State:
        """Load from the store; an empty value is a new household."""
        if not text:
            return cls()
        data: dict[str, Any] = json.loads(text)
        version = int(data.get("version", 0))
        if version > STATE_VERSION:
            raise StateVersionError(f"state version {version} is newer than {STATE_VERSION}")
        return cls(
            household=Household(**_known(Household, data.get("household", {}))),
            session=Session(**_known(Session, data.get("session", {}))),
        )


def _known(kind: type, data: dict[str, Any]) -> dict[str, Any]:
    """Keep only fields the dataclass knows, so older or extra keys never break a load."""
    names = _FIELD_NAMES[kind]
    if names.issuperset(data):  # what this version wrote: nothing to drop
        return data
    return {key: value for key, value in data.items() if key in names}


_FIELD_NAMES: dict[type, frozenset[str]] = {
    kind: frozenset(item.name for item in fields(kind)) for kind in (Household, Session)
}
