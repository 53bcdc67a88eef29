"""Leadership: exactly one app process runs the scheduled jobs.

On PostgreSQL the leader holds an advisory lock on a connection of its own (LockLease): the server
releases it the moment the leader's process or connection dies, and a clean shutdown releases
it at once, so the others, asking every CHECK_EVERY, take over within seconds. The leader asks
its connection whether it still lives at the same pace, and gives up leadership when it does not.

On SQLite (one process) a lease row is enough (Lease): the holder renews it every RENEW_EVERY;
it lasts LEASE_FOR, so another process takes over within LEASE_FOR + RENEW_EVERY. Its times come
from the injected clock; processes are expected to share a clock (NTP).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import timedelta
from typing import Protocol

from bot.core.clock import Clock
from storage import leases as lease_store
from storage.database import Database

logger = logging.getLogger("security_bot.leadership")
RENEW_EVERY = timedelta(seconds=15)
LEASE_FOR = timedelta(seconds=45)
CHECK_EVERY = timedelta(seconds=1)  # one tiny query a second per process


def process_id() -> str:
    """Who this process is, in the lease table and in outbox claims."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Leadership(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def held(self) -> bool: ...

    @property
    def renew_every(self) -> timedelta: ...

    def renew(self) -> bool: ...

    def release(self) -> None: ...


def leadership(database: Database, clock: Clock, name: str, holder: str) -> Leadership:
    """The advisory lock where the database has one, else the lease row."""
    if lease_store.has_advisory_locks(database.engine):
        return LockLease(database, name)
    return Lease(database, clock, name, holder)


class LockLease:
    def __init__(self, database: Database, name: str) -> None:
        self.name = name
        self.renew_every = CHECK_EVERY
        self._lock = lease_store.AdvisoryLock(database.engine, name)

    @property
    def held(self) -> bool:
        return self._lock.held

    def renew(self) -> bool:
        """Take the lock if free, or make sure ours still stands; whether we lead now."""
        was = self._lock.held
        try:
            held = self._lock.hold()
        except Exception as error:  # noqa: BLE001 - a lost connection costs leadership, not the process
            logger.warning("could not check the %s lock: %s", self.name, type(error).__name__)
            held = False
        if held != was:
            logger.info("%s the %s lock", "took" if held else "lost", self.name)
        return held

    def release(self) -> None:
        if self._lock.held:
            logger.info("released the %s lock", self.name)
        self._lock.dispose()


class Lease:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        name: str,
        holder: str,
        lease_for: timedelta = LEASE_FOR,
    ) -> None:
        self._database = database
        self._clock = clock
        self.name = name
        self.holder = holder
        self._lease_for = lease_for
        self.renew_every = RENEW_EVERY
        self.held = False

    def renew(self) -> bool:
        """Take or keep the lease; whether this process holds it now."""
        now = self._clock.now()
        try:
            with self._database.sessions.begin() as session:
                held = lease_store.take(session, self.name, self.holder, now, now + self._lease_for)
        except Exception as error:  # noqa: BLE001 - a database hiccup costs the lease, not the process
            logger.warning("could not renew the %s lease: %s", self.name, type(error).__name__)
            held = False
        if held != self.held:
            logger.info("%s the %s lease", "took" if held else "lost", self.name)
        self.held = held
        return held

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        with self._database.sessions.begin() as session:
            lease_store.give_up(session, self.name, self.holder)
