"""Leadership: exactly one app process runs the scheduled jobs, elected with a database lease.

The holder renews its lease every RENEW_EVERY; the lease lasts LEASE_FOR, so when the holder
dies another process takes over within LEASE_FOR + RENEW_EVERY (a minute). Works the same on
SQLite and PostgreSQL: a conditional UPDATE, or an INSERT for the first holder ever.
Times come from the injected clock; processes are expected to share a clock (NTP).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import timedelta

from bot.core.clock import Clock
from storage import leases as lease_store
from storage.database import Database

logger = logging.getLogger("security_bot.leadership")
RENEW_EVERY = timedelta(seconds=15)
LEASE_FOR = timedelta(seconds=45)


def process_id() -> str:
    """Who this process is, in the lease table and in outbox claims."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


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
