"""A pure conversation driver: events in, replies out, no Flask, Alexa or database."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from dialogue import Event, Ports, Reply, Slot, State, respond, to_text
from dialogue.ports import Answer, CheckInRecord, Kind


class MemoryJournal:
    """The Journal port kept in memory, for dialogue tests (the SQL one is tested in tests/skill)."""

    def __init__(self) -> None:
        self.checkins: dict[int, dict[str, object]] = {}
        self.answers: dict[tuple[int, str, int], Answer] = {}

    def start_checkin(self, now: datetime, kind: Kind = Kind.CHECKIN) -> int:
        checkin_id = max(self.checkins, default=0) + 1
        self.checkins[checkin_id] = {"started_at": now, "completed_at": None, "kind": kind}
        return checkin_id

    def save_answer(self, answer: Answer) -> None:
        self.answers[(answer.checkin_id, answer.topic, answer.person)] = answer

    def remove_answer(self, checkin_id: int, topic: str, person: int) -> None:
        self.answers.pop((checkin_id, topic, person), None)

    def complete_checkin(self, checkin_id: int, now: datetime) -> None:
        self.checkins[checkin_id]["completed_at"] = now

    def reopen_checkin(self, checkin_id: int) -> None:
        self.checkins[checkin_id]["completed_at"] = None

    def recent(self, limit: int, kind: Kind = Kind.CHECKIN) -> list[CheckInRecord]:
        records = []
        for checkin_id in sorted(self.checkins, reverse=True):
            info = self.checkins[checkin_id]
            answers = tuple(a for (cid, _t, _p), a in self.answers.items() if cid == checkin_id)
            if answers and info["kind"] == kind:
                started, completed = info["started_at"], info["completed_at"]
                assert isinstance(started, datetime)
                assert completed is None or isinstance(completed, datetime)
                records.append(CheckInRecord(checkin_id, started, completed, answers, kind))
        return records[:limit]

    def delete_kind(self, kind: Kind) -> int:
        return sum(
            self.delete_checkin(cid) for cid, info in list(self.checkins.items()) if info["kind"] == kind
        )

    def kinds(self) -> set[Kind]:
        return {self.checkins[cid]["kind"] for cid, _t, _p in self.answers}  # type: ignore[misc]

    def delete_all(self) -> int:
        count = len(self.answers)
        self.answers.clear()
        self.checkins.clear()
        return count

    def delete_checkin(self, checkin_id: int) -> int:
        gone = [key for key in self.answers if key[0] == checkin_id]
        for key in gone:
            del self.answers[key]
        self.checkins.pop(checkin_id, None)
        return len(gone)

    def delete_before(self, cutoff: datetime) -> list[int]:
        old = [cid for cid, info in self.checkins.items() if info["started_at"] < cutoff]  # type: ignore[operator]
        for cid in old:
            self.delete_checkin(cid)
        return old


class Talk:
    """One household talking to the core, one event at a time, across sessions."""

    def __init__(self, seed: int = 7) -> None:
        self.state = State()
        self.now = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)
        self.journal = MemoryJournal()
        self.ports = Ports(rng=random.Random(seed), clock=lambda: self.now, journal=self.journal)
        self.new_session = True
        self.reply: Reply | None = None

    def say(self, intent: str, person_id: str | None = None, **slots: str | Slot) -> Reply:
        filled = {k: v if isinstance(v, Slot) else Slot(value=v) for k, v in slots.items()}
        event = Event(intent=intent, slots=filled, new_session=self.new_session, person_id=person_id)
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
