"""What an operator watches, read when /metrics is scraped: the reminder outbox's depth and its
oldest waiting message, open cases, and compromised-password alerts not yet rotated, in one
statement of four scalar subqueries, each on an index or a small table; and the connection
pools' use, which needs no statement at all."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from storage.alerts import OPEN, WAITING
from storage.case_models import Case
from storage.database import Database
from storage.models import Alert
from storage.nudge_models import NudgeOutbox

WAITING_TO_SEND = ("pending", "sending")
RESOLVED = "resolved"


class Backlog(NamedTuple):
    outbox_depth: int
    oldest_waiting_since: datetime | None
    open_cases: int
    alerts_awaiting_rotation: int


def backlog(session: Session, rotated_kind: str, deadline_ms: int) -> Backlog:
    """One statement; `rotated_kind` is the alert kind closed by a new password. On PostgreSQL
    it gives up after `deadline_ms` (statement_timeout, for this transaction only)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT set_config('statement_timeout', :ms, true)"), {"ms": str(deadline_ms)}
        )
    waiting = NudgeOutbox.state.in_(WAITING_TO_SEND)
    row = session.execute(
        select(
            select(func.count()).select_from(NudgeOutbox).where(waiting).scalar_subquery(),
            select(func.min(NudgeOutbox.created_at)).where(waiting).scalar_subquery(),
            select(func.count()).select_from(Case).where(Case.status != RESOLVED).scalar_subquery(),
            select(func.count())
            .select_from(Alert)
            .where(Alert.kind == rotated_kind, Alert.status.in_((OPEN, WAITING)))
            .scalar_subquery(),
        )
    ).one()
    return Backlog(int(row[0] or 0), row[1], int(row[2] or 0), int(row[3] or 0))


def connections_in_use(database: Database) -> int:
    """Connections checked out of this process's pools now (both engines on a server)."""
    engines = {id(database.engine): database.engine, id(database.reads): database.reads}
    return sum(int(getattr(e.pool, "checkedout", lambda: 0)()) for e in engines.values())
