"""What the host hands the core: a clock, randomness, and the household's journal."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol


class Kind(StrEnum):
    """What a journal entry is: each kind is read back and deleted on its own."""

    CHECKIN = "checkin"  # the weekly check-in: one answer per topic and person
    APPRECIATION = "appreciation"  # an appreciation round: what each thanked the other for, and why
    DAILY = "daily"  # "how was your day": one answer each, one entry per evening
    WHEEL = "wheel"  # the life balance wheel: one rating (1-10) per area and person


@dataclass(frozen=True)
class Answer:
    """One spoken answer, as the journal keeps it (`checkin_id` is its entry, of any kind)."""

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
    """One journal entry (a check-in unless `kind` says otherwise): its start, its end, its answers."""

    id: int
    started_at: datetime
    completed_at: datetime | None
    answers: tuple[Answer, ...]
    kind: Kind = Kind.CHECKIN


class Journal(Protocol):
    """The household's journal entries, already scoped to that household by the host.

    An entry is a check-in, an appreciation round or a day's answers (its `Kind`); the
    methods named for check-ins take an entry of any kind. `save_answer` returns only once
    the answer is durable (or raises): the core says "saved" only after it returns.
    """

    def start_checkin(self, now: datetime, kind: Kind = Kind.CHECKIN) -> int:
        """Open a new entry of `kind`; returns its id."""
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

    def recent(self, limit: int, kind: Kind = Kind.CHECKIN) -> Sequence[CheckInRecord]:
        """The newest entries of `kind` that have answers, newest first."""
        ...

    def delete_all(self) -> int:
        """Delete every entry of every kind and their answers; returns how many answers went."""
        ...

    def delete_kind(self, kind: Kind) -> int:
        """Delete every entry of one kind and their answers; returns how many answers went."""
        ...

    def kinds(self) -> set[Kind]:
        """The kinds of which the household has at least one answer kept."""
        ...

    def delete_checkin(self, checkin_id: int) -> int:
        """Delete one check-in and its answers; returns how many answers went."""
        ...

    def delete_before(self, cutoff: datetime) -> Sequence[int]:
        """Delete the entries of every kind started before `cutoff`, with their answers; returns their ids."""
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
