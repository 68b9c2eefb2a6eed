"""The one state object the core reads and returns, versioned and serialised here only.

`Household` lives as long as the household uses the skill (deck positions, visits);
`Session` is what the current conversation is about and is reset when a new one starts.
The host stores the whole object keyed by household, so any worker can answer any request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any

STATE_VERSION = 2  # 2: a check-in's progress is one `CheckInProgress`, not four loose fields


class StateVersionError(ValueError):
    """Stored state written by a newer version of the skill."""


@dataclass
class CheckInProgress:
    """A check-in under way, all in one place: which it is and who is asked what.

    A place is `[topic, person]`: the topic's index in the walkthrough's order and the
    person's index in the household's names.
    """

    id: int  # the journal's id for this check-in
    asking: list[int] | None = None  # the place being asked; None once every place is done
    done: list[list[int]] = field(default_factory=list)  # places answered or skipped
    last: list[int] | None = None  # the last place answered, for "let me redo that"


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
    checkin: CheckInProgress | None = None  # the check-in under way, if any
    # timed exercises (see dialogue.effects): purpose -> {"kind", "id", "ends_at"} of what runs
    retention_days: int | None = None  # check-ins older than this are deleted without asking
    voices_only: bool = False  # read answers back only to voices the platform knows as ours
    alerts: dict[str, dict[str, str]] = field(default_factory=dict)
    pending: dict[str, Any] | None = None  # a request waiting for the user's permission
    appreciation: int | None = None  # the journal entry of a round not yet kept or let go
    # the daily question: when it was last offered or done (local dates), offers declined in a row
    daily_offered: str | None = None
    daily_done: str | None = None
    daily_declined: int = 0
    # the device's time zone as last fetched, and when (fetched again after a week)
    time_zone: str | None = None
    time_zone_at: str | None = None
    ritual_next: int = 0  # the connection ritual suggested next (they are heard in turn)
    deeper: dict[str, int] | None = None  # going deeper: {"set", "question"} to pick up at
    tried: list[str] = field(default_factory=list)  # exercises started (the greeting suggests others)


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
    seconds: int = 0  # the listening exercise's talking time, the same for both rounds
    entry: int | None = None  # the journal entry the daily question is writing to
    # the appreciation round: how many have given this round (0, 1, 2); the daily question: 1 when
    # the second name asked to go first
    given: int = 0
    came_from: str | None = None  # the flow the safe answer interrupted ("carry on" goes back there)
    # a daily read-back waiting for "yes, read it": {"person": a first name | None, "day": a date}
    daily_request: dict[str, str | None] | None = None
    last_speech: list[list[str | int]] | None = None  # never a household's own words (Reply.private)
    last_reprompt: list[list[str | int]] | None = None
    # what "repeat" reads again after a private reply, never the words: {"checkin": id, "topic":
    # index} or {"person": a first name | None, "topic": index | None}
    replay: dict[str, str | int | None] | None = None
    heard_name: str | None = None  # a name waiting for "did I get that right?"
    just_one: bool = False  # "just me" was said before any name: begin once the name is known
    unclear: int = 0  # non-answers in a row at the answer step (two move the check-in on)
    answered_at: str | None = None  # when the last answer was saved (a retry of it is not saved again)
    # [check-in id, topic, person] of the answer that just closed a check-in, so that "let me
    # redo that" can open it again
    finished: list[int] | None = None
    read_ok: bool = False  # someone agreed this session that answers may be read aloud
    read_request: dict[str, str | int | None] | None = None  # the read-back waiting for that yes
    # one check-in or answer waiting for "yes, delete" ({"topic"} alone: waiting for whose)
    delete_request: dict[str, str | int] | None = None
    playback_topic: int = 0  # which topic of a check-in is being read back
    playback_checkin: int | None = None
    leans: list[str] = field(default_factory=list)  # the intimacy quiz: kinds answered yes so far
    ritual: str | None = None  # the connection ritual just suggested


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
        household = vars(self.household)
        if self.household.checkin is not None:
            household = {**household, "checkin": vars(self.household.checkin)}
        data = {"household": household, "session": vars(self.session), "version": self.version}
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
        if version < 2:
            data = _from_version_1(data)
        household = Household(**_known(Household, data.get("household", {})))
        if isinstance(household.checkin, dict):
            household.checkin = CheckInProgress(**_known(CheckInProgress, household.checkin))
        return cls(household=household, session=Session(**_known(Session, data.get("session", {}))))


# Version 1 kept a check-in's progress as "topic:person" strings beside its id, and the
# check-in's steps all under one flow. Topics were named; version 2 counts them in this order.
_V1_TOPICS = ("appreciation", "working_well", "lacking", "unspoken", "wish")
_V1_STEPS = {
    "ask_name": "checkin_names",
    "confirm_name": "checkin_names",
    "playback": "checkin_readback",
    "ask_person": "checkin_readback",
    "confirm_read": "checkin_readback",
    "confirm_delete": "checkin_readback",
}


def _from_version_1(data: dict[str, Any]) -> dict[str, Any]:
    """A version 1 state as version 2: a household paused mid-check-in keeps its place."""
    household = dict(data.get("household", {}))
    session = dict(data.get("session", {}))
    checkin_id = household.pop("checkin_id", None)
    done = household.pop("checkin_done", None) or []
    current = household.pop("checkin_current", None)
    last = household.pop("checkin_last", None)
    if checkin_id is not None:
        household["checkin"] = {
            "id": checkin_id,
            "asking": _v1_place(current),
            "done": [place for key in done if (place := _v1_place(key)) is not None],
            "last": _v1_place(last),
        }
    if session.get("flow") == "checkin":
        session["flow"] = _V1_STEPS.get(str(session.get("step")), "checkin")
    return {**data, "household": household, "session": session}


def _v1_place(key: object) -> list[int] | None:
    """ "working_well:1" -> [1, 1]; anything unreadable is no place."""
    topic, _, person = str(key or "").partition(":")
    if topic not in _V1_TOPICS or not (person.isascii() and person.isdigit()):
        return None
    return [_V1_TOPICS.index(topic), int(person)]


def _known(kind: type, data: dict[str, Any]) -> dict[str, Any]:
    """Keep only fields the dataclass knows, so older or extra keys never break a load."""
    names = _FIELD_NAMES[kind]
    if names.issuperset(data):  # what this version wrote: nothing to drop
        return data
    return {key: value for key, value in data.items() if key in names}


_FIELD_NAMES: dict[type, frozenset[str]] = {
    kind: frozenset(item.name for item in fields(kind)) for kind in (Household, Session, CheckInProgress)
}
