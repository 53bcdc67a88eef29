"""The figures an operator watches that live in the database, read only when they are asked for
(a /metrics scrape), in one short transaction with a deadline so a slow database cannot hold a
scrape for long."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.clock import Clock
from bot.platform.compromised import COMPROMISED
from storage import metrics_reads
from storage.database import Database
from storage.scope import every_workspace

DEADLINE_MS = 2000


@dataclass(frozen=True)
class Backlog:
    """What waits: reminders not yet sent (and the oldest one's age), open cases, and
    compromised-password alerts whose password has not been rotated yet."""

    reminders_waiting: int
    oldest_reminder_seconds: float
    open_cases: int
    alerts_awaiting_rotation: int


def read_backlog(database: Database, clock: Clock) -> Backlog:
    """Over every workspace: the operator runs one process for all of them."""
    with every_workspace(), database.sessions.begin() as session:
        found = metrics_reads.backlog(session, COMPROMISED, DEADLINE_MS)
    oldest = found.oldest_waiting_since
    age = max(0.0, (clock.now() - oldest).total_seconds()) if oldest is not None else 0.0
    return Backlog(found.outbox_depth, age, found.open_cases, found.alerts_awaiting_rotation)


def connections_in_use(database: Database) -> int:
    return metrics_reads.connections_in_use(database)
