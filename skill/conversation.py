"""The host side of a turn, shared by every platform adapter.

Load the household's state, run the dialogue core, store the new state, all in one
transaction that holds the household's row; the reply is returned only once it is stored.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime

from dialogue import Event, Ports, Reply, State, respond
from dialogue.content import Content, load_content
from skill.storage import HouseholdKey, Store


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Conversation:
    """Runs dialogue turns for any platform against the store."""

    def __init__(
        self,
        store: Store,
        content: Content | None = None,
        clock: Callable[[], datetime] = _utc_now,
        rng: Callable[[], random.Random] = random.Random,
    ) -> None:
        self.store = store
        self.content = content or load_content()
        self.clock = clock
        self.rng = rng

    def turn(self, key: HouseholdKey, event: Event) -> Reply:
        """Handle one event for one household and return what to say."""
        with self.store.turn(key) as record:
            state = State.from_json(record.state)
            new_state, reply = respond(state, event, Ports(self.rng(), self.clock), self.content)
            record.state = new_state.to_json()
        return reply
