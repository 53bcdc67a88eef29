"""Typed models of campaigns: one check, a scope of business accounts and a deadline, and the
campaign's progress as the reminder sweep counted it, one row a day.

On storage/base.py; storage/schema.py gathers every model module into one `Base.metadata`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, WorkspaceScoped
from storage.scope import workspace_id


class Campaign(WorkspaceScoped, Base):
    """A security admin's campaign: one check, on the business accounts in scope, by a day.

    Its id is the number people quote (`/security campaign show 3`), as a case's is."""

    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_workspace_id_status", "workspace_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    check: Mapped[str] = mapped_column(String(32), doc="The check, as check_results name it.")
    title: Mapped[str] = mapped_column(String(150))
    scope: Mapped[str] = mapped_column(String(16), doc="everyone, manager or platform")
    scope_value: Mapped[str | None] = mapped_column(
        String(64), doc="The account manager's Slack user id, or the platform; None: everyone."
    )
    deadline: Mapped[date] = mapped_column(Date, doc="The last day.")
    time_zone: Mapped[str] = mapped_column(
        String(64), doc="The workspace's time zone when it started: the last day ends in it."
    )
    due_at: Mapped[datetime] = mapped_column(
        doc="The end of the last day in `time_zone`: overdue from then on."
    )
    status: Mapped[str] = mapped_column(String(16), doc="running or stopped")
    started_by: Mapped[str] = mapped_column(String(32), doc="A Slack user id.")
    started_at: Mapped[datetime]
    stopped_by: Mapped[str | None] = mapped_column(String(32))
    stopped_at: Mapped[datetime | None]
    overdue_at: Mapped[datetime | None] = mapped_column(
        doc="When the lists of what is still open went to the outbox: once, by the first sweep "
        "after the deadline."
    )


class CampaignDay(WorkspaceScoped, Base):
    """One campaign on one UTC day, as that day's latest full sweep found it: each member on
    each business account in scope is one pair, done (the check passes), exempt, or open.

    `breakdown` keeps the day's figures per account manager (all of them) and the accounts
    with most still open, so progress per manager and per account is history too."""

    __tablename__ = "campaign_days"
    __table_args__ = (Index("ix_campaign_days_campaign_id", "campaign_id"),)

    workspace_id: Mapped[str] = mapped_column(
        String(32), primary_key=True, default=workspace_id, doc="Part of the key: per workspace."
    )
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    pairs: Mapped[int] = mapped_column(doc="Members on business accounts in scope, each pair once.")
    done: Mapped[int]
    exempt: Mapped[int]
    accounts: Mapped[int] = mapped_column(doc="Business accounts in scope with a member.")
    accounts_done: Mapped[int] = mapped_column(doc="Of those, with nothing left open.")
    breakdown: Mapped[dict[str, Any]] = mapped_column(
        doc='{"managers": [[slack id or "", pairs, done, exempt], ...], "accounts": [[id, name, '
        "manager, pairs, done, exempt], ...]}"
    )
    taken_at: Mapped[datetime] = mapped_column(doc="When the sweep that wrote it started.")
