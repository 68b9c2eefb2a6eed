"""The journal on SQL: every statement names the household, answers are encrypted.

An entry (a row of `checkins`) is a check-in, an appreciation round or a day's answers:
its `kind`. Reading back and deleting one kind names it; `delete_all` and `delete_before`
(the retention setting) take every kind.

A journal lives for one turn, on that turn's connection and transaction: the answer is
committed together with the dialogue state before the reply goes back, so an answer the
skill said it saved is in the database.

The statements are written once in SQLAlchemy Core and prepared for the store's dialect
(see skill.storage.prepared): a turn only runs them on its cursor.

`changed` tells the store that the turn wrote to the journal: such a turn is made durable
before the reply (see `SqlStore.turn`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Dialect, Select, bindparam, func, select
from sqlalchemy.sql import ClauseElement

from dialogue.ports import Answer, CheckInRecord, Kind
from skill.storage.crypto import AnswerCipher
from skill.storage.prepared import Prepared
from skill.storage.schema import answers, checkins, upsert

# The household every statement is scoped to. Bound-parameter names avoid the tables' column
# names: SQLAlchemy reserves those for the VALUES and SET clauses of INSERT and UPDATE.
_HOUSEHOLD = bindparam("household", type_=checkins.c.household_id.type)
_KIND = bindparam("kind", type_=checkins.c.kind.type)

_ANSWER_COLUMNS = (
    answers.c.checkin_id,
    answers.c.topic,
    answers.c.person,
    answers.c.person_id,
    answers.c.ciphertext,
    answers.c.said_at,
)


def _recent_checkins(*columns: Any) -> Select[Any]:
    """`columns` of the household's newest :kind entries holding an answer, newest first, at most :limit."""
    with_answers = (
        select(answers.c.checkin_id).where(answers.c.household_id == _HOUSEHOLD).distinct().scalar_subquery()
    )
    return (
        select(*columns)
        .where(
            checkins.c.household_id == _HOUSEHOLD, checkins.c.kind == _KIND, checkins.c.id.in_(with_answers)
        )
        .order_by(checkins.c.started_at.desc(), checkins.c.id.desc())
        .limit(bindparam("limit"))
    )


class JournalStatements:
    """The journal's statements, prepared for one dialect (the store builds them once)."""

    def __init__(self, dialect: Dialect) -> None:
        self.start_checkin = Prepared(
            checkins.insert()
            .values(
                household_id=_HOUSEHOLD,
                started_at=bindparam("now", type_=checkins.c.started_at.type),
                kind=_KIND,
            )
            .returning(checkins.c.id),
            dialect,
        )
        self.save_answer = Prepared(_upsert_answer(dialect.name), dialect)
        self.remove_answer = Prepared(
            answers.delete().where(
                answers.c.household_id == _HOUSEHOLD,
                answers.c.checkin_id == bindparam("checkin"),
                answers.c.topic == bindparam("topic"),
                answers.c.person == bindparam("person"),
            ),
            dialect,
        )
        self.complete_checkin = Prepared(
            checkins.update()
            .where(checkins.c.household_id == _HOUSEHOLD, checkins.c.id == bindparam("checkin"))
            .values(completed_at=bindparam("now", type_=checkins.c.completed_at.type)),
            dialect,
        )
        self.recent_checkins = Prepared(
            _recent_checkins(checkins.c.id, checkins.c.started_at, checkins.c.completed_at), dialect
        )
        # The answers of those same check-ins, in one statement.
        self.recent_answers = Prepared(
            select(*_ANSWER_COLUMNS).where(
                answers.c.household_id == _HOUSEHOLD,
                answers.c.checkin_id.in_(_recent_checkins(checkins.c.id).scalar_subquery()),
            ),
            dialect,
        )
        self.count_answers = Prepared(
            select(func.count()).select_from(answers).where(answers.c.household_id == _HOUSEHOLD), dialect
        )
        # One check-in of a household, and the check-ins started before a time, with their answers.
        one = bindparam("checkin", type_=checkins.c.id.type)
        self.count_checkin_answers = Prepared(
            select(func.count())
            .select_from(answers)
            .where(answers.c.household_id == _HOUSEHOLD, answers.c.checkin_id == one),
            dialect,
        )
        self.delete_checkin_answers = Prepared(
            answers.delete().where(answers.c.household_id == _HOUSEHOLD, answers.c.checkin_id == one), dialect
        )
        self.delete_checkin = Prepared(
            checkins.delete().where(checkins.c.household_id == _HOUSEHOLD, checkins.c.id == one), dialect
        )
        before = bindparam("cutoff", type_=checkins.c.started_at.type)
        self.old_checkins = Prepared(
            select(checkins.c.id).where(
                checkins.c.household_id == _HOUSEHOLD, checkins.c.started_at < before
            ),
            dialect,
        )
        # Every entry of one kind, with its answers; and the kinds a household has answers of.
        of_kind = select(checkins.c.id).where(checkins.c.household_id == _HOUSEHOLD, checkins.c.kind == _KIND)
        self.count_kind_answers = Prepared(
            select(func.count())
            .select_from(answers)
            .where(answers.c.household_id == _HOUSEHOLD, answers.c.checkin_id.in_(of_kind.scalar_subquery())),
            dialect,
        )
        self.delete_kind_answers = Prepared(
            answers.delete().where(
                answers.c.household_id == _HOUSEHOLD, answers.c.checkin_id.in_(of_kind.scalar_subquery())
            ),
            dialect,
        )
        self.delete_kind = Prepared(
            checkins.delete().where(checkins.c.household_id == _HOUSEHOLD, checkins.c.kind == _KIND), dialect
        )
        self.kinds = Prepared(
            select(checkins.c.kind)
            .where(
                checkins.c.household_id == _HOUSEHOLD,
                checkins.c.id.in_(
                    select(answers.c.checkin_id).where(answers.c.household_id == _HOUSEHOLD).scalar_subquery()
                ),
            )
            .distinct(),
            dialect,
        )
        # Every answer and entry of a household (the store deletes a household with them too).
        self.delete_answers = Prepared(answers.delete().where(answers.c.household_id == _HOUSEHOLD), dialect)
        self.delete_checkins = Prepared(
            checkins.delete().where(checkins.c.household_id == _HOUSEHOLD), dialect
        )


def _upsert_answer(dialect: str) -> ClauseElement:
    """Save or replace an answer in one statement, only into a check-in of the household.

    INSERT ... SELECT from `checkins` WHERE id = :checkin AND household_id = :household
    writes nothing when the check-in is another household's (or gone), which the caller
    sees as a rowcount of 0; SQLite and PostgreSQL both count a row the upsert updated as 1.
    ON CONFLICT on (checkin_id, topic, person) replaces an earlier answer in place; its
    WHERE keeps it off a row of another household even if some other path had written one.
    SQLite (3.24+) and PostgreSQL both take it.
    """
    source = select(
        checkins.c.household_id,
        checkins.c.id,
        bindparam("new_topic", type_=answers.c.topic.type),
        bindparam("new_person", type_=answers.c.person.type),
        bindparam("new_person_id", type_=answers.c.person_id.type),
        bindparam("new_ciphertext", type_=answers.c.ciphertext.type),
        bindparam("new_said_at", type_=answers.c.said_at.type),
    ).where(checkins.c.id == bindparam("checkin"), checkins.c.household_id == _HOUSEHOLD)
    columns = ["household_id", "checkin_id", "topic", "person", "person_id", "ciphertext", "said_at"]
    statement = upsert(answers, dialect).from_select(columns, source)
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[answers.c.checkin_id, answers.c.topic, answers.c.person],
        set_={"person_id": new.person_id, "ciphertext": new.ciphertext, "said_at": new.said_at},
        where=answers.c.household_id == new.household_id,
    )


class SqlJournal:
    """The dialogue's Journal port for one household, on one transaction's DBAPI cursor."""

    def __init__(
        self, cursor: Any, household_id: int, cipher: AnswerCipher, statements: JournalStatements
    ) -> None:
        self.cursor = cursor
        self.household_id = household_id
        self.cipher = cipher
        self.sql = statements
        self.changed = False  # anything written: the turn must reach the disk before its reply

    def start_checkin(self, now: datetime, kind: Kind = Kind.CHECKIN) -> int:
        """Open an entry of `kind` (a check-in unless said) for this household."""
        row = self.sql.start_checkin.one_or_none(
            self.cursor, {"household": self.household_id, "now": now, "kind": kind.value}
        )
        assert row is not None
        self.changed = True
        return int(row[0])

    def save_answer(self, answer: Answer) -> None:
        """Store (or replace) one answer, encrypted; LookupError if the check-in is not ours."""
        result = self.sql.save_answer.execute(
            self.cursor,
            {
                "household": self.household_id,
                "checkin": answer.checkin_id,
                "new_topic": answer.topic,
                "new_person": answer.person,
                "new_person_id": answer.person_id,
                "new_ciphertext": self.cipher.encrypt(_sealed(answer)),
                "new_said_at": answer.said_at,
            },
        )
        if result.rowcount != 1:
            raise LookupError("check-in does not belong to this household")
        self.changed = True

    def remove_answer(self, checkin_id: int, topic: str, person: int) -> None:
        """Forget one answer."""
        self.sql.remove_answer.execute(
            self.cursor,
            {"household": self.household_id, "checkin": checkin_id, "topic": topic, "person": person},
        )
        self.changed = True

    def complete_checkin(self, checkin_id: int, now: datetime) -> None:
        """Mark a check-in finished."""
        self.sql.complete_checkin.execute(
            self.cursor, {"household": self.household_id, "checkin": checkin_id, "now": now}
        )
        self.changed = True

    def reopen_checkin(self, checkin_id: int) -> None:
        """Mark a finished check-in under way again (its last answer is being redone)."""
        self.sql.complete_checkin.execute(
            self.cursor, {"household": self.household_id, "checkin": checkin_id, "now": None}
        )
        self.changed = True

    def recent(self, limit: int, kind: Kind = Kind.CHECKIN) -> Sequence[CheckInRecord]:
        """The newest entries of `kind` with at least one answer, newest first, decrypted."""
        scope = {"household": self.household_id, "limit": limit, "kind": kind.value}
        rows = self.sql.recent_checkins.all(self.cursor, scope)
        if not rows:
            return []
        by_checkin: dict[int, list[Answer]] = {checkin_id: [] for checkin_id, _, _ in rows}
        for checkin_id, topic, person, person_id, ciphertext, said_at in self.sql.recent_answers.all(
            self.cursor, scope
        ):
            text, name = _opened(self.cipher.decrypt(ciphertext))
            by_checkin[checkin_id].append(
                Answer(
                    checkin_id=checkin_id,
                    topic=topic,
                    person=person,
                    text=text,
                    said_at=_aware(said_at),
                    person_id=person_id,
                    name=name,
                )
            )
        return [
            CheckInRecord(checkin_id, _aware(started), _aware(completed), tuple(by_checkin[checkin_id]), kind)
            for checkin_id, started, completed in rows
        ]

    def delete_checkin(self, checkin_id: int) -> int:
        """One check-in of this household and its answers, gone; how many answers went."""
        scope = {"household": self.household_id, "checkin": checkin_id}
        row = self.sql.count_checkin_answers.one_or_none(self.cursor, scope)
        self.sql.delete_checkin_answers.execute(self.cursor, scope)
        self.sql.delete_checkin.execute(self.cursor, scope)
        self.changed = True
        return int(row[0]) if row is not None else 0

    def delete_before(self, cutoff: datetime) -> list[int]:
        """This household's check-ins started before `cutoff`, with their answers, gone; their ids."""
        rows = self.sql.old_checkins.all(self.cursor, {"household": self.household_id, "cutoff": cutoff})
        ids = [int(row[0]) for row in rows]
        for checkin_id in ids:
            self.delete_checkin(checkin_id)
        return ids

    def delete_kind(self, kind: Kind) -> int:
        """Every entry of one kind of this household, with its answers, gone; how many answers went."""
        scope = {"household": self.household_id, "kind": kind.value}
        row = self.sql.count_kind_answers.one_or_none(self.cursor, scope)
        self.sql.delete_kind_answers.execute(self.cursor, scope)
        self.sql.delete_kind.execute(self.cursor, scope)
        self.changed = True
        return int(row[0]) if row is not None else 0

    def kinds(self) -> set[Kind]:
        """The kinds this household has answers of."""
        return {Kind(row[0]) for row in self.sql.kinds.all(self.cursor, {"household": self.household_id})}

    def delete_all(self) -> int:
        """Every entry of every kind and every answer of this household, gone."""
        scope = {"household": self.household_id}
        row = self.sql.count_answers.one_or_none(self.cursor, scope)
        self.sql.delete_answers.execute(self.cursor, scope)
        self.sql.delete_checkins.execute(self.cursor, scope)
        self.changed = True
        return int(row[0]) if row is not None else 0


# What is encrypted for an answer: its words and the name of who said them, as JSON marked
# so that answers stored before names were kept (plain text) still read back.
_SEALED = "\x1e"


def _sealed(answer: Answer) -> str:
    return _SEALED + json.dumps({"text": answer.text, "name": answer.name}, ensure_ascii=False)


def _opened(plain: str) -> tuple[str, str | None]:
    if not plain.startswith(_SEALED):
        return plain, None
    data = json.loads(plain[1:])
    name = data.get("name")
    return str(data["text"]), str(name) if name else None


def _aware(moment: Any) -> Any:
    """SQLite hands back naive datetimes for stored UTC values."""
    if isinstance(moment, datetime) and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment
