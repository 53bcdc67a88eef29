"""Queries about exemptions: a member excused from one check on one business account."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from storage.exemption_models import Exemption
from storage.models import BusinessAccount, Member


class ExemptionRow(NamedTuple):
    """An exemption with the names its messages need."""

    exemption: Exemption
    member_slack_id: str | None
    member_name: str | None
    account_name: str
    manager_slack_id: str | None


def add(session: Session, exemption: Exemption) -> Exemption:
    session.add(exemption)
    session.flush()
    return exemption


def find(session: Session, exemption_id: int, *, lock: bool = False) -> ExemptionRow | None:
    """The exemption with its member, account and the account's manager, in one query."""
    manager = aliased(Member)
    statement = (
        select(
            Exemption,
            Member.slack_user_id,
            Member.display_name,
            BusinessAccount.name,
            manager.slack_user_id.label("manager_slack_id"),
        )
        .join(Member, Member.id == Exemption.member_id)
        .join(BusinessAccount, BusinessAccount.id == Exemption.business_account_id)
        .outerjoin(manager, manager.id == BusinessAccount.account_manager_id)
        .where(Exemption.id == exemption_id)
    )
    if lock:
        statement = statement.with_for_update(of=Exemption)
    row = session.execute(statement).first()
    if row is None:
        return None
    return ExemptionRow(row[0], row[1], row[2], row[3], row[4])


def open_one(
    session: Session, member_id: int, business_account_id: int, check: str, now: datetime
) -> Exemption | None:
    """A request still waiting, or an approved exemption not yet ended, for the same thing."""
    return session.scalars(
        select(Exemption).where(
            Exemption.member_id == member_id,
            Exemption.business_account_id == business_account_id,
            Exemption.check == check,
            or_(
                Exemption.status == "requested",
                (Exemption.status == "approved") & (Exemption.ends_at > now),
            ),
        )
    ).first()


def manager_of(session: Session, business_account_id: int) -> str | None:
    """The Slack id of the business account's manager, if it has one."""
    return session.scalar(
        select(Member.slack_user_id)
        .join(BusinessAccount, BusinessAccount.account_manager_id == Member.id)
        .where(BusinessAccount.id == business_account_id)
    )
