"""Queries for authenticator links and their recovery codes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, undefer

from storage.models import AuthenticatorLink, Member, RecoveryCode


def link_of(
    session: Session, member_id: int, *, with_secret: bool = False
) -> AuthenticatorLink | None:
    statement = select(AuthenticatorLink).where(AuthenticatorLink.member_id == member_id)
    if with_secret:
        statement = statement.options(undefer(AuthenticatorLink.secret_encrypted))
    return session.scalars(statement).first()


def lock_for_attempt(session: Session, slack_user_id: str, at: datetime) -> bool:
    """Must be the first statement of an attempt: parallel attempts then run one after another.

    On PostgreSQL the UPDATE takes the row lock; on SQLite it takes the database write lock before
    anything is read, so no attempt decides on a stale count. False when there is no link.
    """
    member_id = select(Member.id).where(Member.slack_user_id == slack_user_id).scalar_subquery()
    result = session.execute(
        update(AuthenticatorLink)
        .where(AuthenticatorLink.member_id == member_id)
        .values(last_attempt_at=at)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def unused_recovery_code(session: Session, link_id: int, code_hash: str) -> RecoveryCode | None:
    return session.scalars(
        select(RecoveryCode).where(
            RecoveryCode.authenticator_link_id == link_id,
            RecoveryCode.code_hash == code_hash,
            RecoveryCode.used_at.is_(None),
        )
    ).first()


def replace_recovery_codes(session: Session, link_id: int, hashes: Sequence[str]) -> None:
    session.execute(delete(RecoveryCode).where(RecoveryCode.authenticator_link_id == link_id))
    session.add_all(RecoveryCode(authenticator_link_id=link_id, code_hash=h) for h in hashes)


def remaining_recovery_codes(session: Session, link_id: int) -> int:
    return len(
        session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.authenticator_link_id == link_id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def all_links_with_secrets(session: Session) -> Sequence[AuthenticatorLink]:
    return session.scalars(
        select(AuthenticatorLink).options(undefer(AuthenticatorLink.secret_encrypted))
    ).all()
