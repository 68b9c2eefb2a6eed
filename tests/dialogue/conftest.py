"""A pure conversation driver: events in, replies out, no Flask, Alexa or database."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from dialogue import Event, Ports, Reply, Slot, State, respond, to_text


class Talk:
    """One household talking to the core, one event at a time, across sessions."""

    def __init__(self, seed: int = 7) -> None:
        self.state = State()
        self.ports = Ports(rng=random.Random(seed), clock=lambda: datetime(2026, 11, 22, 19, 0, tzinfo=UTC))
        self.new_session = True
        self.reply: Reply | None = None

    def say(self, intent: str, **slots: str | Slot) -> Reply:
        filled = {k: v if isinstance(v, Slot) else Slot(value=v) for k, v in slots.items()}
        event = Event(intent=intent, slots=filled, new_session=self.new_session)
        self.state, self.reply = respond(self.state, event, self.ports)
        self.new_session = self.reply.end_session
        return self.reply

    def open(self) -> Reply:
        self.new_session = True
        return self.say("@Launch")

    def end_session(self) -> None:
        self.new_session = True

    @property
    def text(self) -> str:
        assert self.reply is not None
        return to_text(self.reply.speech)

    @property
    def reprompt(self) -> str:
        assert self.reply is not None and self.reply.reprompt is not None
        return to_text(self.reply.reprompt)


@pytest.fixture
def talk() -> Talk:
    return Talk()
