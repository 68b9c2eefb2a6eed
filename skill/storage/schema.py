"""The database schema, in SQLAlchemy Core. Alembic migrations (in `migrations/`) create it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite

metadata = MetaData()

# A household is one platform account (an Alexa user id, a browser session): every other
# table hangs off its id, and every query names it.
households = Table(
    "households",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("platform", String(16), nullable=False),
    Column("platform_user", String(512), nullable=False),
    Column("state", Text, nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("platform", "platform_user", name="uq_households_platform_user"),
)

# A journal entry (a check-in, an appreciation round, a day's "how was your day": its
# `kind`) and its answers. The table keeps its first name, `checkins`. Answer text is
# encrypted (Fernet) before it reaches the database; the key lives outside it. Every row
# carries household_id so every query is scoped to one household without a join.
checkins = Table(
    "checkins",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column(
        "household_id",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("households.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=True),
    Column("kind", String(16), nullable=False, server_default="checkin"),
)

answers = Table(
    "answers",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column(
        "household_id",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("households.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column(
        "checkin_id",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("checkins.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("topic", String(32), nullable=False),
    Column("person", Integer, nullable=False),
    Column("person_id", String(512), nullable=True),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("said_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("checkin_id", "topic", "person", name="uq_answers_checkin_topic_person"),
    Index("ix_answers_household_checkin", "household_id", "checkin_id"),
)


# How often local understanding fell back or recovered a near miss, per platform and
# "flow.step": counts only, so the operator can see where people are misunderstood without
# anyone's words being kept (skill.nlu; `flask --app skill understanding` prints them).
understanding_misses = Table(
    "understanding_misses",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("place", String(64), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("count", BigInteger, nullable=False),
)


# New browser households per client and minute, so every worker sees one limit
# (WEB_RATE_LIMIT). The client is a keyed hash of its address, never the address itself.
web_clients = Table(
    "web_clients",
    metadata,
    Column("client", String(64), primary_key=True),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("count", Integer, nullable=False),
)


def upsert(table: Table, dialect: str) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into `table` that takes ON CONFLICT, for the dialect named ("postgresql", "sqlite")."""
    # Imported here, for the dialect in use: sqlalchemy.dialects.postgresql alone costs a
    # SQLite deployment tens of milliseconds of start-up.
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)
    raise ValueError(f"the store runs on SQLite or PostgreSQL, not {dialect}")
