"""Queries for recovery emails and phones, and the attempts made against emailed codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import Member, RecoveryEmail, RecoveryPhone


def email_of(session: Session, member_id: int) -> RecoveryEmail | None:
    return session.scalars(
        select(RecoveryEmail).where(RecoveryEmail.member_id == member_id)
    ).first()


def lock_email(session: Session, member_id: int, at: datetime) -> RecoveryEmail:
    """Must be the first write of a request or an attempt: parallel ones then run one after
    another (the row lock on PostgreSQL, the database write lock on SQLite), so none decides on a
    stale count. Creates the member's row on first use."""
    result = session.execute(
        update(RecoveryEmail)
        .where(RecoveryEmail.member_id == member_id)
        .values(last_attempt_at=at)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        session.add(RecoveryEmail(member_id=member_id, last_attempt_at=at))
        session.flush()  # a parallel first request fails here, on the unique member_id
    row = email_of(session, member_id)
    assert row is not None  # written just above, in this transaction
    session.refresh(row)
    return row


def email_of_slack_user(session: Session, slack_user_id: str) -> RecoveryEmail | None:
    return session.scalars(
        select(RecoveryEmail)
        .join(Member, Member.id == RecoveryEmail.member_id)
        .where(Member.slack_user_id == slack_user_id)
    ).first()


def phone_of(session: Session, member_id: int) -> RecoveryPhone | None:
    return session.scalars(
        select(RecoveryPhone).where(RecoveryPhone.member_id == member_id)
    ).first()


def save_phone(session: Session, member_id: int, number: str, at: datetime) -> RecoveryPhone:
    phone = phone_of(session, member_id)
    if phone is None:
        phone = RecoveryPhone(member_id=member_id, number=number, recorded_at=at)
        session.add(phone)
    phone.number, phone.recorded_at = number, at
    session.flush()
    return phone
