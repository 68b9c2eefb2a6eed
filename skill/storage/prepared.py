"""Core statements compiled once per dialect and run on a DBAPI cursor.

A turn runs the same few statements every time (read the household, save its state,
perhaps save an answer). Through `Connection.execute` each one cost tens of µs of
SQLAlchemy bookkeeping (execution context, parameter processing, result wrapping) around
a few µs of database work, which made SQLAlchemy the largest single part of a turn's CPU.
`Prepared` keeps what SQLAlchemy would produce for the statement, the dialect's SQL text,
the order of its parameters, each parameter's bind processor and each result column's
result processor, and hands the statement straight to the DBAPI cursor. The statements are
still written in SQLAlchemy Core (skill.storage.schema), and SQLAlchemy still owns the
connections (its pool, the dialect's BEGIN/COMMIT/ROLLBACK, disconnect detection).

Expanding parameters (``IN`` lists bound at run time) are not supported: write the list as
a subquery.
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
    """One statement's SQL text, parameter handling and row conversion for one dialect."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if not isinstance(compiled, SQLCompiler):
            raise TypeError("only SQL statements can be prepared")
        binds = compiled.binds
        if any(bind.expanding for bind in binds.values()) or compiled.post_compile_params:
            # Their SQL is only complete once the values are known: SQLAlchemy renders it per call.
            raise ValueError("expanding or post-compile parameters are not supported; use a subquery")
        order = compiled.positiontup if compiled.positional else list(binds)
        if order is None:  # positional dialects always record their parameter order
            raise ValueError("the compiler gave no parameter order")
        self.sql: str = compiled.string
        self._names: tuple[str, ...] = tuple(order)
        self._positional = bool(compiled.positional)
        self._binds: tuple[_Processor, ...] = tuple(
            binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in self._names
        )
        # Values the statement carries itself (a literal, the OFFSET 0 SQLite adds to a LIMIT).
        self._fixed: dict[str, Any] = {
            name: bind.effective_value for name, bind in binds.items() if not bind.required
        }
        columns = _result_columns(statement)
        self.columns: tuple[str, ...] = tuple(name for name, _ in columns)
        processors = tuple(kind.dialect_impl(dialect).result_processor(dialect, None) for _, kind in columns)
        self._results: tuple[_Processor, ...] | None = (
            processors if any(process is not None for process in processors) else None
        )

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        """The driver's parameters for `values` (keyed by bind name), each processed for the dialect."""
        if self._fixed:
            values = {**self._fixed, **values}
        processed = [
            value if process is None else process(value)
            for value, process in zip((values[name] for name in self._names), self._binds, strict=True)
        ]
        if self._positional:
            return tuple(processed)
        return dict(zip(self._names, processed, strict=True))

    def execute(self, cursor: Any, values: Mapping[str, Any]) -> Any:
        """Run on a DBAPI cursor; returns the cursor (rowcount, and fetch* for unconverted rows)."""
        cursor.execute(self.sql, self.parameters(values))
        return cursor

    def one_or_none(self, cursor: Any, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row, converted as SQLAlchemy would, or None."""
        row = self.execute(cursor, values).fetchone()
        return None if row is None else self._convert(row)

    def all(self, cursor: Any, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row, converted as SQLAlchemy would."""
        return [self._convert(row) for row in self.execute(cursor, values).fetchall()]

    def _convert(self, row: Any) -> tuple[Any, ...]:
        if self._results is None:
            return tuple(row)
        return tuple(
            value if process is None else process(value)
            for value, process in zip(row, self._results, strict=True)
        )


def _result_columns(statement: ClauseElement) -> list[tuple[str, Any]]:
    """(name, type) of what the statement returns: its selected columns or RETURNING clause."""
    if isinstance(statement, Select):
        return [(column.name, column.type) for column in statement.selected_columns]
    returning = getattr(statement, "returning_column_descriptions", None) or []
    return [(str(column["name"]), column["type"]) for column in returning]
