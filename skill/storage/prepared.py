"""Core statements compiled once per dialect and run on the turn's DBAPI cursor.

A turn runs the same three statements every time (read the household, save its state,
perhaps save an answer). Through `Connection.execute` each one costs tens of µs of
SQLAlchemy bookkeeping (execution context, parameter processing, result wrapping) around
a few µs of database work, which made SQLAlchemy the largest single part of a turn's CPU.
`Prepared` keeps what SQLAlchemy would produce, the dialect's SQL text, the order of its
parameters and each parameter's bind processor, and hands it straight to the DBAPI cursor
of the connection SQLAlchemy opened (inside SQLAlchemy's transaction, so commit, rollback,
pooling and disconnect handling stay SQLAlchemy's). Everything else keeps using
`Connection.execute`.

Only statements whose result columns need no conversion are accepted (their rows come
back as the driver gives them); a column that would need one (a DateTime on SQLite) is
refused when the statement is prepared, not misread at run time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Select

_Processor = Callable[[Any], Any] | None


class Prepared:
    """One statement's SQL text and parameter handling for one dialect."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if not isinstance(compiled, SQLCompiler):
            raise TypeError("only SQL statements can be prepared")
        if isinstance(statement, Select):
            for column in statement.selected_columns:
                if column.type.dialect_impl(dialect).result_processor(dialect, None) is not None:
                    raise ValueError(f"column {column.name} needs result processing; use Connection.execute")
        self.sql: str = compiled.string
        binds = compiled.binds
        order = compiled.positiontup if compiled.positional else list(binds)
        if order is None:  # positional dialects always record their parameter order
            raise ValueError("the compiler gave no parameter order")
        self._names: tuple[str, ...] = tuple(order)
        self._positional = bool(compiled.positional)
        self._processors: tuple[_Processor, ...] = tuple(
            binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in self._names
        )

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        """The driver's parameters for `values` (keyed by bind name), each processed for the dialect."""
        processed = [
            value if process is None else process(value)
            for value, process in zip((values[name] for name in self._names), self._processors, strict=True)
        ]
        if self._positional:
            return tuple(processed)
        return dict(zip(self._names, processed, strict=True))

    def execute(self, cursor: Any, values: Mapping[str, Any]) -> Any:
        """Run on a DBAPI cursor; returns the cursor (fetchone, rowcount)."""
        cursor.execute(self.sql, self.parameters(values))
        return cursor
