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

from sqlalchemy import ColumnElement, and_, case, func, not_, or_, select
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


def _flag(condition: ColumnElement[bool]) -> Any:
    """1 when some row of the group meets `condition`, else 0."""
    return func.max(case((condition, 1), else_=0))


def _count(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _has(column: Any) -> ColumnElement[bool]:
    """An outer-joined flag that is set (a missing row is not)."""
    return func.coalesce(column, 0) == 1


def posture_by_platform(
    session: Session, now: datetime, checked_since: datetime
) -> list[PlatformPosture]:
    """Every platform's figures, by platform name; one statement.

    The evidence is read once, grouped (per member and account, per member, per member over the
    accounts they work on, exemptions per member and account), and joined to the memberships by
    key, so the database hashes each table once instead of probing it per membership."""
    result = CheckResult
    per_account_evidence = (
        select(
            result.member_id,
            result.business_account_id,
            _flag(
                and_(result.check == "two_step", result.source == PLATFORM, result.state == PASSING)
            ).label("two_step"),
            _flag(
                and_(
                    result.check == "strong_password",
                    result.source == BOT,
                    result.state == PASSING,
                    result.observed_at >= checked_since,
                )
            ).label("password"),
        )
        .where(
            result.business_account_id.is_not(None),
            result.check.in_(("two_step", "strong_password")),
        )
        .group_by(result.member_id, result.business_account_id)
    ).subquery("per_account_evidence")
    member_wide = (
        select(
            result.member_id,
            _flag(
                and_(
                    result.check == "recovery_email", result.source == BOT, result.state == PASSING
                )
            ).label("email"),
            _flag(
                and_(
                    result.check == "recovery_phone", result.source == SELF, result.state == PASSING
                )
            ).label("phone"),
        )
        .where(
            result.business_account_id.is_(None),
            result.check.in_(("recovery_email", "recovery_phone")),
        )
        .group_by(result.member_id)
    ).subquery("member_wide")
    # What the platform reported about the member's recovery on the accounts they work on: the
    # checklist reads only those (a report about an account they left counts no more).
    works_on = aliased(Membership)
    platform_said = (
        select(
            result.member_id,
            _flag(and_(result.check == "recovery_email", result.state == NEEDS_ACTION)).label(
                "email_lacking"
            ),
            _flag(and_(result.check == "recovery_phone", result.state == NEEDS_ACTION)).label(
                "phone_lacking"
            ),
            _flag(result.check == "recovery_phone").label("phone_reported"),
        )
        .join(
            works_on,
            and_(
                works_on.member_id == result.member_id,
                works_on.business_account_id == result.business_account_id,
            ),
        )
        .where(
            result.source == PLATFORM,
            result.check.in_(("recovery_email", "recovery_phone")),
        )
        .group_by(result.member_id)
    ).subquery("platform_said")
    in_force = (
        select(
            Exemption.member_id,
            Exemption.business_account_id,
            _flag(Exemption.check == "two_step").label("two_step"),
            _flag(Exemption.check == "strong_password").label("password"),
        )
        .where(Exemption.status == APPROVED, Exemption.ends_at > now)
        .group_by(Exemption.member_id, Exemption.business_account_id)
    ).subquery("in_force")

    member, account = Membership.member_id, Membership.business_account_id
    two_step_ok = _has(per_account_evidence.c.two_step)
    password_ok = _has(per_account_evidence.c.password)
    recovery_ok = and_(
        _has(member_wide.c.email),
        not_(_has(platform_said.c.email_lacking)),
        not_(_has(platform_said.c.phone_lacking)),
        or_(_has(platform_said.c.phone_reported), _has(member_wide.c.phone)),
    )
    # One row per membership, each gap 1 or 0; then one row per account; then per platform.
    gaps = (
        select(
            account.label("account_id"),
            case((two_step_ok, 0), else_=1).label("two_step"),
            case((two_step_ok, 0), (_has(in_force.c.two_step), 0), else_=1).label("two_step_open"),
            case((password_ok, 0), else_=1).label("passwords"),
            case((password_ok, 0), (_has(in_force.c.password), 0), else_=1).label("passwords_open"),
            case((recovery_ok, 0), else_=1).label("recovery"),
        )
        .select_from(Membership)
        .outerjoin(
            per_account_evidence,
            and_(
                per_account_evidence.c.member_id == member,
                per_account_evidence.c.business_account_id == account,
            ),
        )
        .outerjoin(member_wide, member_wide.c.member_id == member)
        .outerjoin(platform_said, platform_said.c.member_id == member)
        .outerjoin(
            in_force,
            and_(in_force.c.member_id == member, in_force.c.business_account_id == account),
        )
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
