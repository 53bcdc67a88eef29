"""Engines, sessions and migrations. Services own their transactions; nothing here is module-global."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).parent / "migrations"


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


def connect(url: str, *, pool_size: int = 16) -> Database:
    """Build an engine suited to the backend: WAL and foreign keys on SQLite, pre-ping on servers."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        reads = engine
    else:
        pool: dict[str, Any] = {"pool_size": pool_size, "max_overflow": pool_size}
        engine = create_engine(url, pool_pre_ping=True, **pool)
        reads = create_engine(url, isolation_level="AUTOCOMMIT", **pool)
    return Database(engine, sessionmaker(engine, expire_on_commit=False), reads)


def upsert_into(session: Session, table: Any) -> Any:
    """An INSERT with ON CONFLICT for the session's database (PostgreSQL's or SQLite's dialect)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


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
