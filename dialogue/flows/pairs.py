"""Two people taking turns (the listening exercise, the appreciation round): who is who this
round, and a line with their names or, without names, its `.roles` wording."""

from __future__ import annotations

from collections.abc import Mapping

from dialogue.rules import Turn
from dialogue.speech import Speech


def in_turn(turn: Turn, round_number: int) -> tuple[str, str] | None:
    """The check-in's first two names, the first named first on even rounds; None without two."""
    names = turn.household.names
    if len(names) < 2:
        return None
    first, second = names[0], names[1]
    return (first, second) if round_number % 2 == 0 else (second, first)


def say_named(turn: Turn, key: str, people: Mapping[str, str], **values: str) -> Speech:
    """The phrase with the people's names, or its `.roles` wording when they are not known."""
    if not people and turn.content.has(f"{key}.roles"):
        return turn.say(f"{key}.roles", **values)
    return turn.say(key, **people, **values)
