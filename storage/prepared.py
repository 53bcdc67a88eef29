"""Reads for the hottest path, compiled once and run on the driver's cursor.

A Core statement executed through SQLAlchemy costs about 50 µs of Python on top of the query
itself (execution context, result object, row proxies): more than SQLite spends answering. A
`PreparedRead` keeps SQLAlchemy for what it does best, writing the SQL for the dialect and
converting the values read (the column types' own result processors: UTC datetimes, JSON,
booleans), and leaves out the per-call machinery.

Only for plain SELECTs whose parameters need no conversion on the way in (strings, integers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import CompoundSelect, Engine, Select
from sqlalchemy.engine import Dialect

T = TypeVar("T")
Row = tuple[Any, ...]
AnySelect = Select[*tuple[Any, ...]] | CompoundSelect[*tuple[Any, ...]]
_PLAIN = (str, int)


class PreparedRead:
    def __init__(self, statement: AnySelect, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self._names: Sequence[str] | None = compiled.positiontup if compiled.positional else None
        processors: list[Callable[[Any], Any] | None] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.selected_columns
        ]
        self._processors = [
            (index, processor) for index, processor in enumerate(processors) if processor
        ]

    def parameters(self, values: Mapping[str, str | int]) -> Sequence[Any] | Mapping[str, Any]:
        for name, value in values.items():
            if not isinstance(value, _PLAIN):
                raise TypeError(f"{name}: a PreparedRead takes strings and integers only")
        if self._names is None:
            return values
        return [values[name] for name in self._names]

    def rows(self, cursor: Any, values: Mapping[str, str | int]) -> list[Row]:
        cursor.execute(self.sql, self.parameters(values))
        fetched = cursor.fetchall()
        if not self._processors:
            return [tuple(row) for row in fetched]
        converted = []
        for row in fetched:
            values_read = list(row)
            for index, processor in self._processors:
                values_read[index] = processor(values_read[index])
            converted.append(tuple(values_read))
        return converted


class PreparedReads:
    """A statement's PreparedRead for each engine's dialect, built on first use."""

    def __init__(self, statement: AnySelect) -> None:
        self._statement = statement
        self._by_dialect: dict[str, PreparedRead] = {}

    def for_engine(self, engine: Engine) -> PreparedRead:
        key = f"{engine.dialect.name}+{engine.dialect.driver}"
        prepared = self._by_dialect.get(key)
        if prepared is None:
            prepared = self._by_dialect[key] = PreparedRead(self._statement, engine.dialect)
        return prepared


def on_cursor(engine: Engine, work: Callable[[Any], T]) -> T:
    """`work` on a cursor of one of `engine`'s pooled connections, handed back afterwards.

    The read engine does not ping a connection on checkout (storage/database.py), so one that
    the server dropped while it sat in the pool shows here: it is discarded and the reads run
    once more on a new connection. Reads only: running them twice changes nothing.
    """
    for attempt in (1, 2):
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                return work(cursor)
            finally:
                cursor.close()
        except engine.dialect.loaded_dbapi.Error as error:
            dropped = engine.dialect.is_disconnect(error, connection.dbapi_connection, None)
            if attempt == 2 or not dropped:
                raise
            connection.invalidate(error)
        finally:
            connection.close()
    raise AssertionError("unreachable: the second attempt returns or raises")
