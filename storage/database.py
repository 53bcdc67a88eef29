"""Engines, sessions and migrations. Services own their transactions; nothing here is module-global."""

from __future__ import annotations

import math
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    ColumnElement,
    Engine,
    create_engine,
    event,
    exc,
    literal,
    literal_column,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from storage import scoping as scoping  # every session limited to the workspace being served
from storage.types import UTCDateTime

MIGRATIONS = Path(__file__).parent / "migrations"
# After the database fell silent, connections are not tried again for this long: each try would
# wait out the connect timeout, and a request that waited on a silent statement first would then
# miss Slack's 3 seconds. Then one try at a time finds out whether it is back.
SILENT_PAUSE = 3.0
# The server cancels a slow statement itself (statement_timeout); the client gives up only this
# much later, when no answer at all came: a database that is slow says so, a silent one cannot.
SILENCE_MARGIN = 0.25


@dataclass(frozen=True)
class Timeouts:
    """How long to wait on the database before giving up, in seconds (None: as long as it takes,
    for the command-line tools). On PostgreSQL a connection is tried for at least 2 s (libpq's
    floor); on SQLite `statement` is how long a write waits for another's lock."""

    connect: float = 2.0
    statement: float = 1.5
    pool: float = 1.0


class DatabaseSilent(psycopg.OperationalError):
    """The database did not answer within the deadline (or fell silent a moment ago)."""


@dataclass
class _Silence:
    """When the database last failed to answer at all, shared by a Database's engines."""

    until: float = 0.0

    def heard_nothing(self) -> None:
        self.until = time.monotonic() + SILENT_PAUSE

    def now(self) -> bool:
        return time.monotonic() < self.until

    def answered(self) -> None:
        self.until = 0.0


class _DeadlineConnection(psycopg.Connection[Any]):
    """A connection whose every round trip (statements, commits, the pool's ping) gives up when
    the server stays silent past `deadline`: a server-side statement_timeout cannot help when the
    network or the server has stopped answering, and psycopg would otherwise wait for ever."""

    deadline: float | None = None
    silence: _Silence | None = None

    def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        started = time.monotonic()
        try:
            return super().wait(gen, interval, timeout or self.deadline)
        except psycopg.OperationalError:
            elapsed = time.monotonic() - started
            if self.deadline is None or timeout or elapsed < self.deadline:
                raise
            # The connection is mid-statement and useless: closing it makes SQLAlchemy see a
            # dropped connection and replace it, rather than reuse it.
            self.close()
            if self.silence is not None:
                self.silence.heard_nothing()
            raise DatabaseSilent(f"the database did not answer within {self.deadline} s") from None


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]
    # For the hottest reads (storage/prepared.py). On a database server: autocommit and no ping
    # on checkout, so each statement is one round trip instead of a ping, a BEGIN and a ROLLBACK
    # more; a connection found dropped is replaced there. On SQLite, the same engine.
    reads: Engine

    def ping(self) -> bool:
        """True when the database answers; for readiness checks."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any driver error means "not ready"
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()
        if self.reads is not self.engine:
            self.reads.dispose()


def connect(url: str, *, pool_size: int = 16, timeouts: Timeouts | None = None) -> Database:
    """Build an engine suited to the backend: WAL and foreign keys on SQLite, pre-ping on servers.

    With `timeouts` (serving Slack), no request waits on the database longer than they allow."""
    if url.startswith("sqlite"):
        busy = timeouts.statement if timeouts else 30.0
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy},
            hide_parameters=True,  # no member's email in an error's SQL parameters
        )
        event.listen(engine, "connect", _sqlite_pragmas(busy))
        reads = engine
    else:
        pool: dict[str, Any] = {"pool_size": pool_size, "max_overflow": pool_size}
        pool["hide_parameters"] = True  # no member's email in an error's SQL parameters
        if timeouts:
            pool["pool_timeout"] = timeouts.pool
        engine = create_engine(url, pool_pre_ping=True, **pool)
        reads = create_engine(url, isolation_level="AUTOCOMMIT", **pool)
        if timeouts:
            silence = _Silence()
            for each in (engine, reads):
                _bound_waits(each, timeouts, silence)
    return Database(engine, sessionmaker(engine, expire_on_commit=False), reads)


def _bound_waits(engine: Engine, timeouts: Timeouts, silence: _Silence) -> None:
    """Connect, statement and silence deadlines on a PostgreSQL engine's connections."""
    statement_ms = round(timeouts.statement * 1000)

    @event.listens_for(engine, "do_connect")
    def open_connection(
        _dialect: Any, _record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]
    ) -> psycopg.Connection[Any]:
        if silence.now():
            raise DatabaseSilent("the database did not answer a moment ago")
        options = f"{cparams.get('options', '')} -c statement_timeout={statement_ms}"
        cparams["options"] = options.strip()
        cparams["connect_timeout"] = max(2, math.ceil(timeouts.connect))
        try:
            connection = _DeadlineConnection.connect(*cargs, **cparams)
        except psycopg.errors.ConnectionTimeout:
            silence.heard_nothing()
            raise
        silence.answered()
        connection.deadline = timeouts.statement + SILENCE_MARGIN
        connection.silence = silence
        return connection

    @event.listens_for(engine, "checkout")
    def refuse_while_silent(*_args: Any) -> None:
        # Pooled connections to a database that just fell silent are as silent: each would
        # wait out its deadline in turn. They are dropped, and the reconnection fails at once.
        if silence.now():
            raise exc.DisconnectionError("the database fell silent a moment ago")


def cannot_reach(error: BaseException) -> bool:
    """True for a failure to reach the database at all (a connect, statement or pool timeout, a
    dropped or refused connection, SQLite's lock held too long), whether SQLAlchemy wrapped it or
    the driver raised it (a raw connection's checkout), as opposed to a fault in what was asked of
    it: SQLite reports a missing table as an OperationalError too."""
    if isinstance(error, exc.TimeoutError):
        return True
    driver_error: BaseException | None = error
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:
            return True
        driver_error = error.orig
    if isinstance(driver_error, sqlite3.OperationalError):
        return "locked" in str(driver_error)
    return isinstance(driver_error, psycopg.OperationalError)


def upsert_into(session: Session, table: Any) -> Any:
    """An INSERT with ON CONFLICT for the session's database (PostgreSQL's or SQLite's dialect)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def shared_moment(session: Session, at: datetime) -> ColumnElement[datetime]:
    """`at` written into a statement as the database's own literal, for a bulk write whose rows
    all share it: converted once, instead of once a row and column as a bound value is (most of
    what a timestamp costs there)."""
    dialect = session.get_bind().dialect
    rendered = literal(at, UTCDateTime()).compile(
        dialect=dialect, compile_kwargs={"literal_binds": True}
    )
    return literal_column(str(rendered), UTCDateTime())


def _sqlite_pragmas(busy_seconds: float) -> Any:
    """WAL and foreign keys on every SQLite connection; a write waits `busy_seconds` for a lock."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={round(busy_seconds * 1000)}")
        cursor.close()

    return on_connect


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Apply every migration to the database at `url`; safe to run twice at once (the migration
    environment serialises runs with a lock)."""
    command.upgrade(alembic_config(url), "head")


@dataclass(frozen=True)
class SchemaVersion:
    database: tuple[str, ...]  # the database's revisions (heads); none: never migrated
    code: str
    known: frozenset[str]  # every revision this code has

    @property
    def behind(self) -> bool:
        """The database lacks migrations this code has. A revision the code does not know is a
        newer release's, already applied: not behind."""
        if self.database == (self.code,):
            return False
        return not self.database or all(revision in self.known for revision in self.database)


def schema_version(url: str) -> SchemaVersion | None:
    """Where the database's schema is, and where this code's migrations lead; None when the
    database does not answer (a server that starts before its database serves anyway)."""
    script = ScriptDirectory.from_config(alembic_config(url))
    waits = {} if url.startswith("sqlite") else {"connect_args": {"connect_timeout": 5}}
    engine = create_engine(url, poolclass=NullPool, **waits)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
    except OperationalError:
        return None
    finally:
        engine.dispose()
    return SchemaVersion(
        tuple(sorted(current)),
        script.get_current_head() or "",
        frozenset(revision.revision for revision in script.walk_revisions()),
    )
