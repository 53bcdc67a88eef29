"""Typed models of compromise cases: the case, its reports, timeline, charges and reminders sent.

On storage/base.py; storage/schema.py gathers every model module into one `Base.metadata`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage import models as models  # the business_accounts table these refer to
from storage.base import Base, WorkspaceScoped


class Case(WorkspaceScoped, Base):
    """A compromise case about one business account; its id is the case number people quote."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status_id", "status", "id"),
        Index("ix_cases_channel_id_card_ts", "channel_id", "card_ts"),
        Index("ix_cases_last_update_at", "last_update_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_account_id: Mapped[int] = mapped_column(
        ForeignKey("business_accounts.id", ondelete="CASCADE"), index=True
    )
    open_account_id: Mapped[int | None] = mapped_column(
        unique=True,
        doc="The business account while the case is open, NULL once resolved: one open case "
        "per account, even when two reports arrive at once.",
    )
    status: Mapped[str] = mapped_column(
        String(16), doc="reported, suspended, investigating or resolved"
    )
    managed: Mapped[bool] = mapped_column(
        Boolean, doc="Whether the account was managed at opening."
    )
    what_happened: Mapped[str] = mapped_column(String(3000), doc="The first report's words.")
    unauthorized_charges: Mapped[str] = mapped_column(String(8), doc="yes, no or unsure")
    opened_by: Mapped[str] = mapped_column(String(64), doc="A Slack user id, or platform.")
    opened_via: Mapped[str] = mapped_column(
        String(24), doc="report, command, account_takeover or suspicious_login"
    )
    opened_at: Mapped[datetime]
    handler: Mapped[str | None] = mapped_column(String(32), doc="Slack user id of who took it.")
    taken_at: Mapped[datetime | None]
    access_suspended: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        doc="The platform was asked to suspend access, and not to restore it.",
    )
    last_update_at: Mapped[datetime] = mapped_column(doc="The latest change or note by a person.")
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(
        String(24), doc="control_restored, false_alarm or not_recoverable"
    )
    resolution_summary: Mapped[str | None] = mapped_column(String(3000))
    reopen_count: Mapped[int] = mapped_column(default=0)
    channel_id: Mapped[str | None] = mapped_column(
        String(32), doc="Where the card is: ESCALATION_CHANNEL or SUPPORT_CHANNEL at opening."
    )
    card_ts: Mapped[str | None] = mapped_column(
        String(32), doc="The card's ts, also the thread's: edited in place on every change."
    )
    severity: Mapped[str | None] = mapped_column(
        String(16), doc="critical, high, medium or low; NULL: derived from how it opened."
    )
    severity_set_by: Mapped[str | None] = mapped_column(
        String(32), doc="Who changed the severity by hand (then a joining report keeps it)."
    )
    platform_reference: Mapped[str | None] = mapped_column(
        String(200), doc="The platform's ticket or appeal reference."
    )
    platform_answer: Mapped[str | None] = mapped_column(
        String(3000), doc="What the platform answered, as the handler recorded it."
    )


class CaseReport(WorkspaceScoped, Base):
    """One report of the compromise: the one that opened the case, and each that joined it."""

    __tablename__ = "case_reports"
    __table_args__ = (UniqueConstraint("workspace_id", "platform_alert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    reporter: Mapped[str] = mapped_column(String(64), index=True, doc="Slack user id or platform.")
    via: Mapped[str] = mapped_column(String(24))
    what_happened: Mapped[str] = mapped_column(String(3000))
    unauthorized_charges: Mapped[str] = mapped_column(String(8))
    platform_alert_id: Mapped[str | None] = mapped_column(
        String(128), doc="The alert this report came from: each alert reports once."
    )
    at: Mapped[datetime]


class CaseEvent(WorkspaceScoped, Base):
    """One entry of a case's timeline: a change, or a note written in its thread (and its edits
    and deletion). `source_key` makes a retried Slack event land once."""

    __tablename__ = "case_events"
    __table_args__ = (
        UniqueConstraint("case_id", "source_key"),
        Index("ix_case_events_case_id_id", "case_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32), doc="e.g. opened, suspended, note, note_edited")
    text: Mapped[str] = mapped_column(String(4000), default="", doc="Shown escaped.")
    source_key: Mapped[str | None] = mapped_column(
        String(80), doc="note:<ts>, edit:<ts>:<edited ts> or delete:<ts> for thread messages"
    )


class CaseCharge(WorkspaceScoped, Base):
    """A charge from unauthorized activity, claimed for reimbursement. Amounts in minor units."""

    __tablename__ = "case_charges"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger, doc="e.g. 12050 for EUR 120.50")
    currency: Mapped[str] = mapped_column(String(3), doc="ISO 4217, upper case")
    description: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), doc="claimed, approved, processed or rejected")
    recorded_by: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime]
    approved_by: Mapped[str | None] = mapped_column(
        String(32), doc="Never the case's handler, nor who recorded it (four eyes)."
    )
    approved_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(32), doc="Who processed or rejected it.")
    decided_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    thread_ts: Mapped[str | None] = mapped_column(
        String(32), doc="The claim's own message in the case thread, updated in place."
    )


class CaseReminder(WorkspaceScoped, Base):
    """A reminder sent about a case. Unique per case, kind and period, so each is sent once per
    interval whichever app process gets there first."""

    __tablename__ = "case_reminders"
    __table_args__ = (UniqueConstraint("case_id", "kind", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), doc="not_taken, handler or admins")
    period: Mapped[str] = mapped_column(String(40), doc="Which interval: its start and number.")
    sent_at: Mapped[datetime]
