"""The typed model of exemptions: a member excused from one check on one business account.

On storage/base.py; storage/schema.py gathers every model module into one `Base.metadata`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage import models as models  # the members and business_accounts tables these refer to
from storage.base import Base, WorkspaceScoped


class Exemption(WorkspaceScoped, Base):
    """A member's request to be excused from one check on one business account until a date,
    and the decision on it by the account's manager or a security admin."""

    __tablename__ = "exemptions"
    __table_args__ = (Index("ix_exemptions_status_member_id", "status", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    business_account_id: Mapped[int] = mapped_column(
        ForeignKey("business_accounts.id", ondelete="CASCADE"), index=True
    )
    check: Mapped[str] = mapped_column(String(32), doc="The check, as check_results name it.")
    reason: Mapped[str] = mapped_column(String(500), doc="The member's words.")
    ends_at: Mapped[datetime] = mapped_column(
        doc="The start of the day after the end date the member chose (UTC): exempt before it."
    )
    status: Mapped[str] = mapped_column(String(16), doc="requested, approved or rejected")
    requested_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(32), doc="A Slack user id.")
    decided_at: Mapped[datetime | None]
    expired_at: Mapped[datetime | None] = mapped_column(
        doc="When an approved exemption's end was recorded (audited once, the member told)."
    )


class ExemptionMessage(WorkspaceScoped, Base):
    """A DM asking one approver to decide on an exemption request, so that once someone decides,
    every other approver's DM is updated in place to say who decided and how."""

    __tablename__ = "exemption_messages"
    __table_args__ = (UniqueConstraint("exemption_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exemption_id: Mapped[int] = mapped_column(
        ForeignKey("exemptions.id", ondelete="CASCADE"), index=True
    )
    slack_user_id: Mapped[str] = mapped_column(String(32), doc="The approver asked.")
    slack_channel: Mapped[str] = mapped_column(String(32), doc="The DM's channel id.")
    slack_ts: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime]
