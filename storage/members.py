"""Queries about members, their business accounts and their check results."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session, aliased

from storage import nudges as nudge_store
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
    if state == "passing":
        # In the same transaction: the nudges close the gap soon after, or not at all.
        nudge_store.request_recheck(session, member_id)
    return result


# The `/security status` read path: three Core statements built once, run on a bare connection.
# It is the hottest path of the bot, and the ORM's per-call work costs more than the queries.
_MEMBER_BY_SLACK_ID = select(Member.id, Member.display_name, Member.profile_refreshed_at).where(
    Member.slack_user_id == bindparam("slack_user_id")
)
_MANAGER = aliased(Member)
_ACCOUNTS_OF_MEMBER = (
    select(
        BusinessAccount.id,
        BusinessAccount.platform_account_id,
        BusinessAccount.name,
        BusinessAccount.platform,
        BusinessAccount.managed,
        _MANAGER.slack_user_id,
    )
    .join(Membership, Membership.business_account_id == BusinessAccount.id)
    .outerjoin(_MANAGER, _MANAGER.id == BusinessAccount.account_manager_id)
    .where(Membership.member_id == bindparam("member_id"))
    .order_by(BusinessAccount.name, BusinessAccount.id)
)
_CHECK_RESULTS_OF_MEMBER = select(
    CheckResult.check,
    CheckResult.business_account_id,
    CheckResult.state,
    CheckResult.source,
    CheckResult.observed_at,
    CheckResult.detail,
).where(CheckResult.member_id == bindparam("member_id"))


@dataclass(frozen=True)
class StatusRows:
    member_id: int
    display_name: str | None
    profile_refreshed_at: datetime | None
    accounts: Sequence[tuple[int, str, str, str, bool, str | None]]
    check_results: Sequence[tuple[str, int | None, str, str, datetime, dict[str, Any]]]


def status_rows(connection: Connection, slack_user_id: str) -> StatusRows | None:
    """Everything a checklist needs, in three statements, or None for a member never seen."""
    member = connection.execute(_MEMBER_BY_SLACK_ID, {"slack_user_id": slack_user_id}).first()
    if member is None:
        return None
    ids = {"member_id": member.id}
    accounts = connection.execute(_ACCOUNTS_OF_MEMBER, ids).all()
    results = connection.execute(_CHECK_RESULTS_OF_MEMBER, ids).all()
    return StatusRows(
        member.id, member.display_name, member.profile_refreshed_at, accounts, results
    )
