"""The database schema, in SQLAlchemy Core. Alembic migrations (in `migrations/`) create it."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

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
