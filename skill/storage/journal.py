"""The check-in journal on SQL: every statement names the household, answers are encrypted.

A journal lives for one turn, on that turn's connection and transaction: the answer is
committed together with the dialogue state before the reply goes back, so an answer the
skill said it saved is in the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from dialogue.ports import Answer, CheckInRecord
from skill.storage.crypto import AnswerCipher
from skill.storage.schema import answers, checkins


class SqlJournal:
    """The dialogue's Journal port for one household, inside one transaction."""

    def __init__(self, conn: Connection, household_id: int, cipher: AnswerCipher) -> None:
        self.conn = conn
        self.household_id = household_id
        self.cipher = cipher
        self.wrote_answer = False

    def start_checkin(self, now: datetime) -> int:
        """Open a check-in for this household."""
        result = self.conn.execute(insert(checkins).values(household_id=self.household_id, started_at=now))
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def save_answer(self, answer: Answer) -> None:
        """Store (or replace) one answer, encrypted."""
        self._own_checkin(answer.checkin_id)
        self.remove_answer(answer.checkin_id, answer.topic, answer.person)
        self.conn.execute(
            insert(answers).values(
                household_id=self.household_id,
                checkin_id=answer.checkin_id,
                topic=answer.topic,
                person=answer.person,
                person_id=answer.person_id,
                ciphertext=self.cipher.encrypt(answer.text),
                said_at=answer.said_at,
            )
        )
        self.wrote_answer = True

    def remove_answer(self, checkin_id: int, topic: str, person: int) -> None:
        """Forget one answer."""
        self.conn.execute(
            delete(answers).where(
                answers.c.household_id == self.household_id,
                answers.c.checkin_id == checkin_id,
                answers.c.topic == topic,
                answers.c.person == person,
            )
        )

    def complete_checkin(self, checkin_id: int, now: datetime) -> None:
        """Mark a check-in finished."""
        self.conn.execute(
            update(checkins)
            .where(checkins.c.household_id == self.household_id, checkins.c.id == checkin_id)
            .values(completed_at=now)
        )

    def recent(self, limit: int) -> Sequence[CheckInRecord]:
        """The newest check-ins with at least one answer, newest first, decrypted."""
        with_answers = (
            select(answers.c.checkin_id)
            .where(answers.c.household_id == self.household_id)
            .distinct()
            .scalar_subquery()
        )
        rows = self.conn.execute(
            select(checkins)
            .where(checkins.c.household_id == self.household_id, checkins.c.id.in_(with_answers))
            .order_by(checkins.c.started_at.desc(), checkins.c.id.desc())
            .limit(limit)
        ).all()
        if not rows:
            return []
        found = self.conn.execute(
            select(answers).where(
                answers.c.household_id == self.household_id,
                answers.c.checkin_id.in_([row.id for row in rows]),
            )
        ).all()
        by_checkin: dict[int, list[Answer]] = {row.id: [] for row in rows}
        for row in found:
            by_checkin[row.checkin_id].append(self._answer(row))
        return [
            CheckInRecord(row.id, _aware(row.started_at), _aware(row.completed_at), tuple(by_checkin[row.id]))
            for row in rows
        ]

    def delete_all(self) -> int:
        """Every check-in and answer of this household, gone."""
        count = self.conn.execute(
            select(func.count()).select_from(answers).where(answers.c.household_id == self.household_id)
        ).scalar_one()
        self.conn.execute(delete(answers).where(answers.c.household_id == self.household_id))
        self.conn.execute(delete(checkins).where(checkins.c.household_id == self.household_id))
        self.wrote_answer = True
        return int(count)

    def _own_checkin(self, checkin_id: int) -> None:
        owner = self.conn.execute(
            select(checkins.c.id).where(
                checkins.c.id == checkin_id, checkins.c.household_id == self.household_id
            )
        ).first()
        if owner is None:
            raise LookupError("check-in does not belong to this household")

    def _answer(self, row: Any) -> Answer:
        return Answer(
            checkin_id=row.checkin_id,
            topic=row.topic,
            person=row.person,
            text=self.cipher.decrypt(row.ciphertext),
            said_at=_aware(row.said_at),
            person_id=row.person_id,
        )


def _aware(moment: Any) -> Any:
    """SQLite hands back naive datetimes for stored UTC values."""
    if isinstance(moment, datetime) and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment
