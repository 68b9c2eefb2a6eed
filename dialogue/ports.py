"""What the host hands the core: a clock, randomness, and the household's check-in journal."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol


@dataclass(frozen=True)
class Answer:
    """One spoken check-in answer, as the journal keeps it."""

    checkin_id: int
    topic: str
    person: int
    text: str
    said_at: datetime
    person_id: str | None = None
    # who said it, as the household named them then: a later change of names never moves an
    # answer to someone else (kept encrypted with the text; None for answers from before)
    name: str | None = None


@dataclass(frozen=True)
class CheckInRecord:
    """One check-in: when it started, whether it finished, and its answers."""

    id: int
    started_at: datetime
    completed_at: datetime | None
    answers: tuple[Answer, ...]


class Journal(Protocol):
    """The household's check-ins, already scoped to that household by the host.

    `save_answer` returns only once the answer is durable (or raises): the core says
    "saved" only after it returns.
    """

    def start_checkin(self, now: datetime) -> int:
        """Open a new check-in; returns its id."""
        ...

    def save_answer(self, answer: Answer) -> None:
        """Store an answer, replacing an earlier one for the same check-in, topic and person."""
        ...

    def remove_answer(self, checkin_id: int, topic: str, person: int) -> None:
        """Forget one answer (to record it again)."""
        ...

    def complete_checkin(self, checkin_id: int, now: datetime) -> None:
        """Mark a check-in finished."""
        ...

    def reopen_checkin(self, checkin_id: int) -> None:
        """Mark a finished check-in under way again (its last answer is being redone)."""
        ...

    def recent(self, limit: int) -> Sequence[CheckInRecord]:
        """The newest check-ins that have answers, newest first."""
        ...

    def delete_all(self) -> int:
        """Delete every check-in and answer of the household; returns how many answers went."""
        ...

    def delete_checkin(self, checkin_id: int) -> int:
        """Delete one check-in and its answers; returns how many answers went."""
        ...

    def delete_before(self, cutoff: datetime) -> Sequence[int]:
        """Delete the check-ins started before `cutoff`, with their answers; returns their ids."""
        ...


def utc_now() -> datetime:
    """The time now, in UTC: every host's clock unless a test stops it."""
    return datetime.now(UTC)


def _no_time_zone() -> str | None:
    return None


@dataclass
class Ports:
    """The outside world as the core sees it; tests pass a seeded rng and a fixed clock."""

    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], datetime] = utc_now
    journal: Journal | None = None  # None: a host that keeps no check-in answers
    # the device's IANA time zone, asked only when needed; None: unknown (the core uses UTC)
    time_zone: Callable[[], str | None] = _no_time_zone
