"""Queries about members, their business accounts and their check results."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.orm import Session, aliased

from storage import nudges as nudge_store
from storage.models import BusinessAccount, CheckResult, Member, Membership
from storage.prepared import PreparedReads, Row, on_cursor


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


# The `/security status` read path: two statements built once, each keyed by the Slack user id,
# run on the driver's cursor (storage/prepared.py). It is the hottest path of the bot, and
# SQLAlchemy's per-call work would cost more than the queries.
_MANAGER = aliased(Member)
_MEMBER_AND_ACCOUNTS = (
    select(
        Member.id,
        Member.display_name,
        Member.profile_refreshed_at,
        BusinessAccount.id,
        BusinessAccount.platform_account_id,
        BusinessAccount.name,
        BusinessAccount.platform,
        BusinessAccount.managed,
        _MANAGER.slack_user_id,
    )
    .select_from(Member)
    .outerjoin(Membership, Membership.member_id == Member.id)
    .outerjoin(BusinessAccount, BusinessAccount.id == Membership.business_account_id)
    .outerjoin(_MANAGER, _MANAGER.id == BusinessAccount.account_manager_id)
    .where(Member.slack_user_id == bindparam("slack_user_id"))
    .order_by(BusinessAccount.name, BusinessAccount.id)
)
_CHECK_RESULTS_OF_MEMBER = (
    select(
        CheckResult.check,
        CheckResult.business_account_id,
        CheckResult.state,
        CheckResult.source,
        CheckResult.observed_at,
        CheckResult.detail,
    )
    .join(Member, Member.id == CheckResult.member_id)
    .where(Member.slack_user_id == bindparam("slack_user_id"))
)
_READ_MEMBER_AND_ACCOUNTS = PreparedReads(_MEMBER_AND_ACCOUNTS)
_READ_CHECK_RESULTS = PreparedReads(_CHECK_RESULTS_OF_MEMBER)


@dataclass(frozen=True)
class StatusRows:
    member_id: int
    display_name: str | None
    profile_refreshed_at: datetime | None
    accounts: Sequence[tuple[int, str, str, str, bool, str | None]]
    check_results: Sequence[tuple[str, int | None, str, str, datetime, dict[str, Any]]]


def status_rows(engine: Engine, slack_user_id: str) -> StatusRows | None:
    """Everything a checklist needs, in two statements, or None for a member never seen.

    On a database server `engine` is the autocommit read engine, so each statement reads its own
    snapshot: a change committed between the two shows in the second only, and whole in the next
    status. That is the price of two round trips instead of five.
    """
    key = {"slack_user_id": slack_user_id}

    def read(cursor: Any) -> tuple[list[Row], list[Row]]:
        found = _READ_MEMBER_AND_ACCOUNTS.for_engine(engine).rows(cursor, key)
        if not found:
            return [], []
        return found, _READ_CHECK_RESULTS.for_engine(engine).rows(cursor, key)

    found, results = on_cursor(engine, read)
    if not found:
        return None
    member_id, display_name, refreshed_at = found[0][:3]
    # A member without business accounts still has their one row, its account columns empty.
    accounts = [row[3:] for row in found if row[3] is not None]
    return StatusRows(member_id, display_name, refreshed_at, accounts, results)
