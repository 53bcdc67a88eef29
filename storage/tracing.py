"""Every statement the database driver runs, for tests and benchmarks that count them.

Counted at the driver, not through SQLAlchemy's events: the hottest reads (storage/prepared.py)
run on the driver's cursor, where those events never fire, and a count that cannot see a
statement proves nothing. SQLite reports each statement it runs through its trace callback;
psycopg's cursors are swapped for counting ones while a connection is checked out.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

TRANSACTION_COMMANDS = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@contextmanager
def driver_statements(engine: Engine) -> Iterator[list[str]]:
    """The statements run on `engine`'s connections checked out while inside, in order."""
    seen: list[str] = []

    def checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        _trace(dbapi_connection, seen)

    def checkin(dbapi_connection: Any, _record: Any) -> None:
        _untrace(dbapi_connection)

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)
    try:
        yield seen
    finally:
        event.remove(engine, "checkout", checkout)
        event.remove(engine, "checkin", checkin)


@contextmanager
def executed_statements(engine: Engine) -> Iterator[list[str]]:
    """The statements SQLAlchemy executes on `engine` while inside, an executemany once.

    For counting the work of batched writes, which a driver's trace reports row by row; blind to
    storage/prepared.py's reads, which `driver_statements` sees.
    """
    seen: list[str] = []

    def executed(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(_one_line(statement))

    event.listen(engine, "before_cursor_execute", executed)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", executed)


def queries(statements: list[str]) -> list[str]:
    """The statements that are not transaction control."""
    return [s for s in statements if not s.lstrip().upper().startswith(TRANSACTION_COMMANDS)]


def _trace(dbapi_connection: Any, seen: list[str]) -> None:
    if hasattr(dbapi_connection, "set_trace_callback"):  # sqlite3
        dbapi_connection.set_trace_callback(lambda statement: seen.append(_one_line(statement)))
        return
    base = dbapi_connection.cursor_factory

    class CountingCursor(base):  # type: ignore[misc, valid-type]
        def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(_one_line(str(query)))
            return super().execute(query, *args, **kwargs)

        def executemany(self, query: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(_one_line(str(query)))
            return super().executemany(query, *args, **kwargs)

    dbapi_connection.cursor_factory = CountingCursor
    dbapi_connection._counting_base = base


def _untrace(dbapi_connection: Any) -> None:
    if hasattr(dbapi_connection, "set_trace_callback"):
        dbapi_connection.set_trace_callback(None)
        return
    base = getattr(dbapi_connection, "_counting_base", None)
    if base is not None:
        dbapi_connection.cursor_factory = base


def _one_line(statement: str) -> str:
    return " ".join(statement.split())
