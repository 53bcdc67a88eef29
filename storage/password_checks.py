"""Queries behind the password check: serialising one member's checks and counting them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import AuditRecord, Member


def lock_member(session: Session, member_id: int) -> None:
    """Must come first in the transaction: parallel checks of one member then run one after another.

    On PostgreSQL the UPDATE takes the member's row lock; on SQLite it takes the database write
    lock before anything is read, so no check decides on a stale count.
    """
    session.execute(
        update(Member)
        .where(Member.id == member_id)
        .values(id=Member.id)
        .execution_options(synchronize_session=False)
    )


def times_since(session: Session, *, target: str, action: str, since: datetime) -> list[datetime]:
    """When each audit record of `action` about `target` after `since` was written, oldest first."""
    statement = (
        select(AuditRecord.at)
        .where(AuditRecord.target == target, AuditRecord.action == action, AuditRecord.at > since)
        .order_by(AuditRecord.at)
    )
    return list(session.scalars(statement))
