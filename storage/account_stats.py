"""Reporting per business account: of each platform's accounts, how many have every member's
2-step verification confirmed by the platform, a recent passing password check from every member,
and every member's recovery confirmed. One statement, aggregated by the database, whatever the
number of accounts: a figure per platform comes back, never a row per account or member.

Each member's evidence is judged as the checklist judges it (bot/checklist/rules.py), and the
statement names every source and state it reads, so the two cannot drift apart unnoticed
(tests/bot/stats/test_accounts.py compares them member by member):

- 2-step verification: the platform's own report for that member and account says on.
- password: the member's latest check of that account's password on the one-time page (the bot
  verified it) met the policy, and was made on or after `checked_since`.
- recovery: the recovery email is confirmed with a code and the platform reports no account of
  the member without one; and a recovery phone is on record, from the platform for the member's
  accounts it reported on (none lacking), else as the member gave it.

A gap that an approved exemption in force covers (that member, account and check) is counted
apart: an account whose every gap is covered is "exempt", neither confirmed nor open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, not_, or_, select
from sqlalchemy.orm import Session, aliased

from storage.exemption_models import Exemption
from storage.models import BusinessAccount, CheckResult, Membership

PASSING, NEEDS_ACTION = "passing", "needs_action"
PLATFORM, BOT, SELF = "platform", "bot", "self"
APPROVED = "approved"


@dataclass(frozen=True)
class PlatformPosture:
    """One platform's business accounts: how many there are, how many have no member on record,
    and per figure how many are confirmed, and how many only lack what exemptions cover."""

    platform: str
    accounts: int
    without_members: int
    two_step: int
    two_step_exempt: int
    passwords: int
    passwords_exempt: int
    recovery: int


def _evidence(
    member_id: Any,
    check: str,
    source: str,
    *,
    account: Any = None,
    state: str | None = PASSING,
    since: datetime | None = None,
) -> ColumnElement[bool]:
    """Whether the member holds a result of `check` from `source` (for `account`, else
    member-wide) in `state` (any when None), observed on or after `since`."""
    found = aliased(CheckResult)
    where = [found.member_id == member_id, found.check == check, found.source == source]
    where.append(
        found.business_account_id.is_(None)
        if account is None
        else found.business_account_id == account
    )
    if state is not None:
        where.append(found.state == state)
    if since is not None:
        where.append(found.observed_at >= since)
    return exists(select(literal(1)).select_from(found).where(*where))


def _platform_said(member_id: Any, check: str, *, state: str | None) -> ColumnElement[bool]:
    """Whether the platform reported `check` (in `state`, any when None) for the member on one of
    the business accounts the member works on: the checklist reads only those."""
    found, works_on = aliased(CheckResult), aliased(Membership)
    where = [found.member_id == member_id, found.check == check, found.source == PLATFORM]
    if state is not None:
        where.append(found.state == state)
    on_their_accounts = and_(
        works_on.member_id == found.member_id,
        works_on.business_account_id == found.business_account_id,
    )
    return exists(
        select(literal(1)).select_from(found).join(works_on, on_their_accounts).where(*where)
    )


def _exempt(member_id: Any, account: Any, check: str, now: datetime) -> ColumnElement[bool]:
    found = aliased(Exemption)
    return exists(
        select(literal(1))
        .select_from(found)
        .where(
            found.member_id == member_id,
            found.business_account_id == account,
            found.check == check,
            found.status == APPROVED,
            found.ends_at > now,
        )
    )


def _count(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def posture_by_platform(
    session: Session, now: datetime, checked_since: datetime
) -> list[PlatformPosture]:
    """Every platform's figures, by platform name; one statement."""
    member, account = Membership.member_id, Membership.business_account_id
    recovery_ok = and_(
        _evidence(member, "recovery_email", BOT),
        not_(_platform_said(member, "recovery_email", state=NEEDS_ACTION)),
        not_(_platform_said(member, "recovery_phone", state=NEEDS_ACTION)),
        or_(
            _platform_said(member, "recovery_phone", state=None),
            _evidence(member, "recovery_phone", SELF),
        ),
    )
    two_step_ok = _evidence(member, "two_step", PLATFORM, account=account)
    password_ok = _evidence(member, "strong_password", BOT, account=account, since=checked_since)
    # One row per membership, each gap 1 or 0; then one row per account; then per platform.
    gaps = (
        select(
            account.label("account_id"),
            case((two_step_ok, 0), else_=1).label("two_step"),
            case((two_step_ok, 0), (_exempt(member, account, "two_step", now), 0), else_=1).label(
                "two_step_open"
            ),
            case((password_ok, 0), else_=1).label("passwords"),
            case(
                (password_ok, 0), (_exempt(member, account, "strong_password", now), 0), else_=1
            ).label("passwords_open"),
            case((recovery_ok, 0), else_=1).label("recovery"),
        ).select_from(Membership)
    ).subquery("gaps")
    per_account = (
        select(
            BusinessAccount.platform,
            func.count(gaps.c.account_id).label("members"),
            func.coalesce(func.sum(gaps.c.two_step), 0).label("two_step"),
            func.coalesce(func.sum(gaps.c.two_step_open), 0).label("two_step_open"),
            func.coalesce(func.sum(gaps.c.passwords), 0).label("passwords"),
            func.coalesce(func.sum(gaps.c.passwords_open), 0).label("passwords_open"),
            func.coalesce(func.sum(gaps.c.recovery), 0).label("recovery"),
        )
        .select_from(BusinessAccount)
        .outerjoin(gaps, gaps.c.account_id == BusinessAccount.id)
        .group_by(BusinessAccount.id, BusinessAccount.platform)
    ).subquery("per_account")
    staffed = per_account.c.members > 0
    rows = session.execute(
        select(
            per_account.c.platform,
            func.count(),
            _count(not_(staffed)),
            _count(and_(staffed, per_account.c.two_step == 0)),
            _count(and_(staffed, per_account.c.two_step > 0, per_account.c.two_step_open == 0)),
            _count(and_(staffed, per_account.c.passwords == 0)),
            _count(and_(staffed, per_account.c.passwords > 0, per_account.c.passwords_open == 0)),
            _count(and_(staffed, per_account.c.recovery == 0)),
        )
        .group_by(per_account.c.platform)
        .order_by(per_account.c.platform)
    ).all()
    return [PlatformPosture(row[0], *(int(value) for value in row[1:])) for row in rows]
