"""Queries about members, their business accounts and their check results."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from storage.models import BusinessAccount, CheckResult, Member, Membership


def member_by_slack_id(session: Session, slack_user_id: str) -> Member | None:
    return session.scalars(select(Member).where(Member.slack_user_id == slack_user_id)).first()


def member_by_email(session: Session, email: str) -> Member | None:
    return session.scalars(select(Member).where(Member.email == email)).first()


def members_by_emails(session: Session, emails: Iterable[str]) -> dict[str, Member]:
    wanted = sorted(set(emails))
    found: dict[str, Member] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for member in session.scalars(select(Member).where(Member.email.in_(chunk))):
            if member.email is not None:
                found[member.email] = member
    return found


def accounts_of_member(
    session: Session, member_id: int
) -> list[tuple[BusinessAccount, str | None]]:
    """Each business account of the member with its account manager's Slack id, in one query."""
    manager = aliased(Member)
    rows = session.execute(
        select(BusinessAccount, manager.slack_user_id)
        .join(Membership, Membership.business_account_id == BusinessAccount.id)
        .outerjoin(manager, manager.id == BusinessAccount.account_manager_id)
        .where(Membership.member_id == member_id)
        .order_by(BusinessAccount.name, BusinessAccount.id)
    )
    return [(account, manager_slack_id) for account, manager_slack_id in rows]


def check_results_of_member(session: Session, member_id: int) -> Sequence[CheckResult]:
    return session.scalars(select(CheckResult).where(CheckResult.member_id == member_id)).all()


def is_member_of(session: Session, member_id: int, business_account_id: int) -> bool:
    found = session.scalar(
        select(Membership.id).where(
            Membership.member_id == member_id,
            Membership.business_account_id == business_account_id,
        )
    )
    return found is not None


def save_check_result(
    session: Session,
    *,
    member_id: int,
    check: str,
    business_account_id: int | None,
    source: str,
    state: str,
    observed_at: datetime,
    detail: dict[str, Any],
) -> CheckResult:
    """Insert or replace the latest evidence from this source."""
    result = session.scalars(
        select(CheckResult).where(
            CheckResult.member_id == member_id,
            CheckResult.check == check,
            CheckResult.source == source,
            CheckResult.business_account_id.is_(None)
            if business_account_id is None
            else CheckResult.business_account_id == business_account_id,
        )
    ).first()
    if result is None:
        result = CheckResult(
            member_id=member_id,
            check=check,
            business_account_id=business_account_id,
            source=source,
        )
        session.add(result)
    result.state = state
    result.observed_at = observed_at
    result.detail = detail
    session.flush()
    return result
