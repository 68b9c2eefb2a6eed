"""The host side of a turn, shared by every platform adapter.

Load the household's state, run the dialogue core, store the new state, all in one
transaction that holds the household's row; the reply is returned only once it is stored.

Nothing slow happens while a lock is held. The reply's effects (Amazon's Timers and
Reminders) are carried out after that transaction has committed, one at a time, and each
outcome is applied to the household's state *as it is then* (another turn may have run in
between) in a second short transaction. The device's time zone (Amazon's Settings API) is
fetched outside too: a turn that needs it and does not have it yet is rolled back, the zone
is fetched, and the turn runs again.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dialogue import Effect, Event, Ports, Reply, State, respond
from dialogue.content import Content, load_content
from dialogue.ports import utc_now
from skill.storage import HouseholdKey, Store

_MAX_EFFECTS = 8  # effects carried out per turn, outcomes' own effects included


class EffectHost(Protocol):
    """What a platform adapter offers a turn: its time zone, and a way to carry out effects."""

    def time_zone(self) -> str | None:
        """The device's IANA time zone name, or None when unknown."""
        ...

    def carry_out(self, effect: Effect) -> Event | None:
        """Do one effect; the outcome event for the core, or None when there is nothing to report."""
        ...


# One generator per process rather than a new Random() per turn: seeding one from the OS
# (2.5 KB of os.urandom) cost more than the rest of the core's randomness. Reseeded in every
# forked child, so gunicorn's workers do not repeat each other's choices.
_PROCESS_RANDOM = random.Random()
os.register_at_fork(after_in_child=_PROCESS_RANDOM.seed)


def process_random() -> random.Random:
    """The process's random generator (the dialogue only needs variety, not secrecy)."""
    return _PROCESS_RANDOM


class Understanding(Protocol):
    """Words understood inside the turn, once the household's state says where it stands.

    Returns the event for the core, and the kind of miss to count for that place ("fallback"
    or "near_miss"), or None when the words were understood outright.
    """

    def __call__(self, state: State) -> tuple[Event, str | None]:
        """The event for these words in this state, and the miss to count."""
        ...


@dataclass(frozen=True)
class Exchange:
    """One turn as it went: what was heard, what was said back, and the state it left."""

    event: Event
    reply: Reply
    state: State


class Conversation:
    """Runs dialogue turns for any platform against the store."""

    def __init__(
        self,
        store: Store,
        content: Content | None = None,
        clock: Callable[[], datetime] = utc_now,
        rng: Callable[[], random.Random] = process_random,
    ) -> None:
        self.store = store
        self.content = content or load_content()
        self.clock = clock
        self.rng = rng

    def apology(self) -> Reply:
        """What every adapter says for a fault inside a turn: sorry, out loud, and listening."""
        rng = random.Random()
        return Reply(self.content.speak("error.apology", rng), reprompt=self.content.speak("reprompt", rng))

    def turn(self, key: HouseholdKey, event: Event, host: EffectHost | None = None) -> Reply:
        """Handle one event for one household and return what to say."""
        return self.exchange(key, event, host).reply

    def exchange(
        self, key: HouseholdKey, heard: Event | Understanding, host: EffectHost | None = None
    ) -> Exchange:
        """Handle one event (or words to understand in context) for one household.

        With a `host`, the reply's effects are carried out once the turn is stored, and each
        outcome goes back into the core (see dialogue.effects): an outcome that speaks
        replaces the reply; a silent one only updates the household. Words are understood
        after the state is loaded, so the recogniser knows the step, and a miss is counted
        for that step (never the words) in the same transaction.
        """
        zone = _Zone(host)
        while True:
            try:
                event, state, reply = self._turn(key, heard, zone)
                break
            except _ZoneNeeded:
                zone.fetch()  # outside the transaction, which has rolled back; then again
        if host is not None:
            state, reply = self._carry_out(key, state, reply, host, zone)
        return Exchange(event, reply, state)

    def _turn(
        self, key: HouseholdKey, heard: Event | Understanding, zone: _Zone
    ) -> tuple[Event, State, Reply]:
        with self.store.turn(key) as record:
            state = State.from_json(record.state)
            if isinstance(heard, Event):
                event = heard
            else:
                where = f"{state.session.flow}.{state.session.step}"
                event, miss = heard(state)
                if miss is not None:
                    record.misses.append((where, miss))
            ports = Ports(self.rng(), self.clock, journal=record.journal, time_zone=zone.known)
            new_state, reply = respond(state, event, ports, self.content, handed_over=True)
            record.state = new_state.to_json()
        return event, new_state, reply

    def _carry_out(
        self, key: HouseholdKey, state: State, reply: Reply, host: EffectHost, zone: _Zone
    ) -> tuple[State, Reply]:
        """Each effect with no lock held; its outcome applied to the household as it is now."""
        queue = list(reply.effects)
        for _ in range(_MAX_EFFECTS):
            if not queue:
                break
            outcome = host.carry_out(queue.pop(0))
            if outcome is None:
                continue
            with self.store.turn(key) as record:
                current = State.from_json(record.state)
                ports = Ports(self.rng(), self.clock, journal=record.journal, time_zone=zone.known_or_none)
                after, follow = respond(current, outcome, ports, self.content)
                if follow.speech:
                    reply = follow
                    queue = list(follow.effects)
                else:  # silent: the household is updated, the conversation stays where it is now
                    after.session = current.session
                    queue.extend(follow.effects)
                record.state = after.to_json()
            state = after
        return state, reply


class _ZoneNeeded(Exception):
    """The turn needs the device's time zone, which is fetched outside the transaction."""


class _Zone:
    """The device's time zone for one request: asked of the host only when a turn needs it."""

    def __init__(self, host: EffectHost | None) -> None:
        self.host = host
        self.fetched = False
        self.name: str | None = None

    def fetch(self) -> None:
        assert self.host is not None
        self.name = self.host.time_zone()
        self.fetched = True

    def known(self) -> str | None:
        """The zone for the core; raises _ZoneNeeded the first time, while it is not fetched."""
        if self.host is None or self.fetched:
            return self.name
        raise _ZoneNeeded

    def known_or_none(self) -> str | None:
        """The zone if fetched (an outcome never waits for it)."""
        return self.name
