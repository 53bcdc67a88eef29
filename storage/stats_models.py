"""Typed models of reporting: adoption per day as the sweeps found it, and the weekly summaries.

On storage/base.py; storage/schema.py gathers every model module into one `Base.metadata`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, WorkspaceScoped
from storage.scope import workspace_id

ALL_CHECKS = "all"  # the `check` of the row counting members who pass every check


class AdoptionSnapshot(WorkspaceScoped, Base):
    """How many members in scope pass one check, on one UTC day, as that day's latest full sweep
    found them. The row whose check is "all" counts members passing every check. Keyed by
    (day, check), so a later sweep the same day overwrites it and history costs a row per day."""

    __tablename__ = "adoption_snapshots"

    workspace_id: Mapped[str] = mapped_column(
        String(32), primary_key=True, default=workspace_id, doc="Part of the key: per workspace."
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    check: Mapped[str] = mapped_column(String(64), primary_key=True)
    in_scope: Mapped[int] = mapped_column(doc="Members with a Slack user, not excluded.")
    passing: Mapped[int]
    needs_action: Mapped[int]
    unknown: Mapped[int]
    taken_at: Mapped[datetime] = mapped_column(doc="When the sweep that wrote it started.")


class AccountManagerSnapshot(WorkspaceScoped, Base):
    """The members on one account manager's business accounts, on one UTC day: how many pass
    every check, and how many gaps (checks not passing that they can fix) are still open."""

    __tablename__ = "account_manager_snapshots"

    workspace_id: Mapped[str] = mapped_column(
        String(32), primary_key=True, default=workspace_id, doc="Part of the key: per workspace."
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    manager_slack_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    members: Mapped[int]
    fully_passing: Mapped[int]
    open_gaps: Mapped[int]
    taken_at: Mapped[datetime]


class WeeklySummary(WorkspaceScoped, Base):
    """The weekly summary for one security admin and one ISO week, claimed before it is sent.

    (recipient, week) is unique: whichever process inserts the row first sends it; the claim
    expires, so a process that dies mid-way is replaced, as the nudges' outbox does.
    """

    __tablename__ = "weekly_summaries"
    __table_args__ = (UniqueConstraint("workspace_id", "recipient", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(32), doc="The security admin's Slack user id.")
    week: Mapped[str] = mapped_column(String(8), doc="ISO week in the admin's time zone: 2026-W48.")
    state: Mapped[str] = mapped_column(String(16), doc="sending, pending (to retry), sent, failed")
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_until: Mapped[datetime | None]
    not_before: Mapped[datetime | None] = mapped_column(doc="Retry after a failed attempt.")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    file_id: Mapped[str | None] = mapped_column(String(32), doc="Slack's id of the chart sent.")
    last_error: Mapped[str | None] = mapped_column(String(100))
