"""The pieces a flow is built from: a rule, the outcome of its action, and the turn it reads.

A flow is a table of `Rule(intent, action, steps, guard)`. The engine tries the current
flow's rules first (top to bottom), then every flow's entry rules, then the global rules,
and runs the first that matches. An action returns `Go(next_step, reply)`: the next step is
always explicit, and its Enum class names the flow the conversation moves to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum

from dialogue import intents
from dialogue.content import Content
from dialogue.model import Event, Reply
from dialogue.ports import Ports
from dialogue.speech import Speech
from dialogue.state import Household, Session, State


class Turn:
    """What an action sees: the event, the state it may change, the ports and the content."""

    def __init__(
        self,
        state: State,
        event: Event,
        ports: Ports,
        content: Content,
        step: Enum,
        offers: Mapping[str, Action],
    ) -> None:
        self.state = state
        self.event = event
        self.ports = ports
        self.content = content
        self.step = step
        self.offers = offers

    @property
    def household(self) -> Household:
        """The part of the state kept between conversations."""
        return self.state.household

    @property
    def session(self) -> Session:
        """The part of the state about this conversation."""
        return self.state.session

    def say(self, key: str, **values: str | Speech) -> Speech:
        """One variant of the content phrase `key`, filled with `values`."""
        return self.content.speak(key, self.ports.rng, **values)

    def say_first(self, keys: list[str], **values: str | Speech) -> Speech:
        """The first of several phrase keys that the content defines."""
        for key in keys:
            if self.content.has(key):
                return self.say(key, **values)
        raise KeyError(keys[-1])

    def for_step(self, prefix: str) -> Speech:
        """The phrase for the current flow and step: `prefix.flow.step`, `prefix.flow`, `prefix`."""
        flow, step = self.session.flow, self.session.step
        return self.say_first([f"{prefix}.{flow}.{step}", f"{prefix}.{flow}", prefix])


@dataclass(frozen=True)
class Go:
    """An action's outcome: the step to move to, the reply, and what a "yes" would start."""

    step: Enum
    reply: Reply
    offer: str | None = None


Action = Callable[[Turn], Go]
Guard = Callable[[Turn], bool]


@dataclass(frozen=True)
class Rule:
    """When `intent` arrives in one of `steps` (any, if empty) and `guard` holds, run `action`."""

    intent: str
    action: Action
    steps: tuple[Enum, ...] = ()
    guard: Guard | None = None

    def matches(self, turn: Turn, step: Enum | None) -> bool:
        """Whether this rule handles the turn's event at `step` (`intents.ANY` takes every intent)."""
        if self.intent != turn.event.intent and self.intent != intents.ANY:
            return False
        if self.steps and step not in self.steps:
            return False
        return self.guard is None or self.guard(turn)


@dataclass(frozen=True)
class Flow:
    """One exercise: its steps, its rules while inside it, and its entry rules from anywhere."""

    name: str
    steps: type[Enum]
    rules: tuple[Rule, ...] = ()
    entries: tuple[Rule, ...] = ()
    offers: tuple[tuple[str, Action], ...] = ()
    # Whether the state can still be in this flow's steps (a check-in under way, say); when it
    # cannot, the conversation is at the home menu instead.
    holds: Callable[[State], bool] | None = None
