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
