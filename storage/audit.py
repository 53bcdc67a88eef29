"""The audit trail: append-only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AuditRecord


def append(
    session: Session, *, at: datetime, actor: str, action: str, target: str, details: dict[str, Any]
) -> None:
    session.add(AuditRecord(at=at, actor=actor, action=action, target=target, details=details))


def since(session: Session, moment: datetime) -> Iterator[AuditRecord]:
    """Every record at or after `moment`, oldest first, streamed."""
    statement = (
        select(AuditRecord)
        .where(AuditRecord.at >= moment)
        .order_by(AuditRecord.at, AuditRecord.id)
        .execution_options(yield_per=1000)
    )
    yield from session.scalars(statement)


def times_of(
    session: Session, target: str, actions: tuple[str, ...], since: datetime
) -> list[datetime]:
    """When each of `actions` happened to `target` since `since`, oldest first: what the limits
    on typed codes and on mails sent are counted from."""
    return list(
        session.scalars(
            select(AuditRecord.at)
            .where(
                AuditRecord.target == target,
                AuditRecord.action.in_(actions),
                AuditRecord.at >= since,
            )
            .order_by(AuditRecord.at)
        )
    )
