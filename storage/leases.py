"""Leadership in the database: the leases table (which process holds a named lease, and until
when) for SQLite, and an advisory lock on a dedicated connection for PostgreSQL."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime

from sqlalchemy import Connection, Engine, case, create_engine, delete, or_, text, update
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from storage.database import upsert_into
from storage.models import Lease


def take(session: Session, name: str, holder: str, now: datetime, until: datetime) -> bool:
    """Renew our lease or take an expired one; True when `holder` holds it until `until`."""
    renewed = session.execute(
        update(Lease)
        .where(Lease.name == name, or_(Lease.holder == holder, Lease.expires_at < now))
        .values(
            holder=holder,
            expires_at=until,
            acquired_at=case((Lease.holder == holder, Lease.acquired_at), else_=now),
        )
    )
    if getattr(renewed, "rowcount", 0):
        return True
    created = session.execute(
        upsert_into(session, Lease)
        .values(name=name, holder=holder, acquired_at=now, expires_at=until)
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(Lease.name)
    ).first()
    return created is not None


def give_up(session: Session, name: str, holder: str) -> None:
    session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))


def holder_of(session: Session, name: str, now: datetime) -> str | None:
    lease = session.get(Lease, name)
    return None if lease is None or lease.expires_at < now else lease.holder


# PostgreSQL: leadership as a session-level advisory lock on a connection of its own. The server
# releases it the moment that connection or its process dies, so a successor needs no expiry.
_TRY = text("SELECT pg_try_advisory_lock(hashtextextended(:name || ':' || current_schema(), 0))")
# Keepalives: a leader cut off from the server finds out within seconds, not hours.
_KEEPALIVES = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 2,
}


def has_advisory_locks(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


class AdvisoryLock:
    """One named lock per schema, held by at most one connection in the whole database. The
    connection is dedicated (not from the pool, which could hand it to a request or close it)
    and in autocommit, so it never sits idle in a transaction."""

    def __init__(self, engine: Engine, name: str) -> None:
        self._engine = create_engine(
            engine.url, poolclass=NullPool, isolation_level="AUTOCOMMIT", connect_args=_KEEPALIVES
        )
        self._name = name
        self._connection: Connection | None = None
        self.held = False

    def hold(self) -> bool:
        """Take the lock if it is free, or check that the connection holding it still lives;
        whether this process holds it now. A dead connection means the server let go of the
        lock with it (a cut backend, a restarted server): it is taken again at once on a new
        connection, unless another process took it meanwhile, so a blip costs no leadership."""
        was_held = self.held
        try:
            return self._hold()
        except Exception:
            self.release()
            if not was_held:
                raise
        try:
            return self._hold()
        except Exception:
            self.release()
            raise

    def _hold(self) -> bool:
        if self._connection is None:
            self._connection = self._engine.connect()
        if self.held:
            self._connection.execute(text("SELECT 1"))
        else:
            self.held = bool(self._connection.scalar(_TRY, {"name": self._name}))
        return self.held

    def release(self) -> None:
        """Close the connection: the server releases the lock with it."""
        connection, self._connection = self._connection, None
        self.held = False
        if connection is not None:
            with suppress(Exception):  # a dead connection: the server has let go already
                connection.close()

    def dispose(self) -> None:
        self.release()
        self._engine.dispose()
