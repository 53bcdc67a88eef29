"""Queries about exemptions: a member excused from one check on one business account."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, aliased

from storage.exemption_models import Exemption, ExemptionMessage
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


# -- the approvers' DMs ---------------------------------------------------------------------------


class ApproverMessage(NamedTuple):
    slack_user_id: str
    slack_channel: str
    slack_ts: str


def remember_message(
    session: Session, exemption_id: int, approver: str, channel: str, ts: str, at: datetime
) -> None:
    """The DM asking `approver` to decide; a second one to the same approver replaces it."""
    found = session.scalars(
        select(ExemptionMessage).where(
            ExemptionMessage.exemption_id == exemption_id,
            ExemptionMessage.slack_user_id == approver,
        )
    ).first()
    if found is None:
        found = ExemptionMessage(exemption_id=exemption_id, slack_user_id=approver)
        session.add(found)
    found.slack_channel, found.slack_ts, found.sent_at = channel, ts, at
    session.flush()


def messages_of(session: Session, exemption_id: int) -> list[ApproverMessage]:
    rows = session.execute(
        select(
            ExemptionMessage.slack_user_id,
            ExemptionMessage.slack_channel,
            ExemptionMessage.slack_ts,
        )
        .where(ExemptionMessage.exemption_id == exemption_id)
        .order_by(ExemptionMessage.slack_user_id)
    ).all()
    return [ApproverMessage(*row) for row in rows]


# -- ends ---------------------------------------------------------------------------------------


class Ended(NamedTuple):
    """An approved exemption whose end this caller recorded, with what its DM names."""

    exemption_id: int
    member_id: int
    member_slack_id: str | None
    time_zone: str | None  # the member's, for their working hours
    business_account_id: int
    account_name: str
    check: str
    ends_at: datetime
    decided_by: str | None


def claim_ended(session: Session, now: datetime) -> list[Ended]:
    """Mark every approved exemption that has ended and is not yet marked as ended now, and return
    them: one conditional UPDATE, so two processes doing this at once each get different ones
    (the second waits for the first's row locks, then finds them marked)."""
    claimed = (
        session.execute(
            update(Exemption)
            .where(
                Exemption.status == "approved",
                Exemption.expired_at.is_(None),
                Exemption.ends_at <= now,
            )
            .values(expired_at=now)
            .returning(Exemption.id)
            .execution_options(synchronize_session=False)
        )
        .scalars()
        .all()
    )
    if not claimed:
        return []
    rows = session.execute(
        select(
            Exemption.id,
            Exemption.member_id,
            Member.slack_user_id,
            Member.time_zone,
            Exemption.business_account_id,
            BusinessAccount.name,
            Exemption.check,
            Exemption.ends_at,
            Exemption.decided_by,
        )
        .join(Member, Member.id == Exemption.member_id)
        .join(BusinessAccount, BusinessAccount.id == Exemption.business_account_id)
        .where(Exemption.id.in_(sorted(claimed)))
        .order_by(Exemption.id)
    ).all()
    return [Ended(*row) for row in rows]
