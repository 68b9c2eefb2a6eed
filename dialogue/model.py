"""What goes into the dialogue core and what comes out of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from dialogue.speech import Speech


@dataclass(frozen=True)
class Slot:
    """One slot as heard: the words, and the id the platform resolved them to (if any)."""

    value: str | None = None
    resolved_id: str | None = None


_NO_SLOTS: Mapping[str, Slot] = MappingProxyType({})


@dataclass(frozen=True)
class Event:
    """One thing a person said or did, already translated from the platform's request."""

    intent: str
    slots: Mapping[str, Slot] = field(default_factory=lambda: _NO_SLOTS)
    new_session: bool = False
    person_id: str | None = None
    locale: str = "en-US"
    # Non-intent request details the host passes on (a permission answer, a skill event, …).
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def slot(self, name: str) -> Slot:
        """The named slot, or an empty one when it was not filled."""
        return self.slots.get(name) or Slot()


@dataclass(frozen=True)
class Card:
    """A simple card for screens and the companion app."""

    title: str
    text: str


@dataclass(frozen=True)
class Effect:
    """Something the host must carry out after the reply (start a timer, …)."""


@dataclass(frozen=True)
class Reply:
    """What to say, what to ask again if nobody answers, and what else to do."""

    speech: Speech
    reprompt: Speech | None = None
    card: Card | None = None
    end_session: bool = False
    effects: tuple[Effect, ...] = ()
    elicit: tuple[str, str] | None = None  # (intent, slot): the next words fill this slot
    # The speech holds words a household said (answers read back): it is never kept in the
    # state for "repeat"; the flow keeps what to read again instead (Session.replay).
    private: bool = False

    @property
    def listens(self) -> bool:
        """Whether the device keeps listening for an answer."""
        return not self.end_session and self.reprompt is not None
