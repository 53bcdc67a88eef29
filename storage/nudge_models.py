"""Typed models of the nudges: the gaps reminded about, every message written before it is sent,
the members left alone, and the DM channels learnt on the way.

On storage/base.py; storage/schema.py gathers every model module into one `Base.metadata`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage import models as models  # the members table these refer to
from storage.base import Base, WorkspaceScoped
from storage.scope import workspace_id


class NudgeItem(WorkspaceScoped, Base):
    """One open gap of one member that the bot reminds them about, from the first reminder until it
    is fixed. A check that fails again later opens a new row; closed rows are kept for reporting
    (time from first reminder to fix, reminders and snoozes per gap, escalations)."""

    __tablename__ = "nudge_items"
    __table_args__ = (
        UniqueConstraint("member_id", "open_check"),
        Index("ix_nudge_items_recheck_wanted", "recheck_wanted"),
        # Each deleted outbox row clears the items pointing at it: by index, not a scan per row.
        Index("ix_nudge_items_last_outbox_id", "last_outbox_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    check: Mapped[str] = mapped_column(String(64))
    open_check: Mapped[str | None] = mapped_column(
        String(64), doc="The check while the row is open, NULL once closed: one open row per check."
    )
    urgent: Mapped[bool] = mapped_column(Boolean, doc="An open compromised-password alert.")
    first_nudged_at: Mapped[datetime]
    last_nudged_at: Mapped[datetime]
    cadence_from: Mapped[datetime] = mapped_column(
        doc="Day 0 of the reminder cadence: the first reminder, moved on by a snooze."
    )
    nudge_count: Mapped[int] = mapped_column(doc="Reminders sent to the member about this gap.")
    snoozed_until: Mapped[datetime | None]
    snooze_count: Mapped[int] = mapped_column(default=0)
    level: Mapped[int] = mapped_column(
        default=0, doc="0: the member; 1: their account manager(s) told; 2: security admins told."
    )
    escalated_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_reason: Mapped[str | None] = mapped_column(
        String(16), doc="fixed (the check passes) or withdrawn (nothing left to nudge about)."
    )
    recheck_wanted: Mapped[bool] = mapped_column(
        Boolean, default=False, doc="Set when new passing evidence arrives, so it closes quickly."
    )
    last_outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("nudge_outbox.id", ondelete="SET NULL"),
        doc="The latest message that mentioned this gap: the one updated in place when fixed.",
    )


class NudgeOutbox(WorkspaceScoped, Base):
    """Every message the nudges send, written before it is sent.

    (recipient, kind, round_number) is unique: a recipient's n-th round of a kind of message can
    exist once, so two sweeps deciding from the same state cannot both send it.
    """

    __tablename__ = "nudge_outbox"
    __table_args__ = (
        UniqueConstraint("workspace_id", "recipient", "kind", "round_number"),
        Index("ix_nudge_outbox_state_id", "state", "id"),
        Index("ix_nudge_outbox_member_id_round_number", "member_id", "round_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(32), doc="Slack user id the DM goes to.")
    kind: Mapped[str] = mapped_column(String(16), doc="member, manager or digest.")
    round_number: Mapped[int] = mapped_column(doc="The recipient's n-th message of this kind.")
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), doc="For reminders: the member reminded."
    )
    payload: Mapped[dict[str, Any]] = mapped_column(doc="What the message says, as decided.")
    urgent: Mapped[bool] = mapped_column(
        Boolean, default=False, doc="About an open compromised-password alert: sent first."
    )
    state: Mapped[str] = mapped_column(String(16), doc="pending, sending, sent, cancelled, failed")
    created_at: Mapped[datetime]
    not_before: Mapped[datetime | None] = mapped_column(doc="Retry after a failed attempt.")
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None]
    channel_id: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32), doc="Slack's ts of the message once sent.")
    refresh_wanted_at: Mapped[datetime | None] = mapped_column(
        doc="A gap in the message closed: update it in place."
    )
    last_error: Mapped[str | None] = mapped_column(String(100))


class NudgeExclusion(WorkspaceScoped, Base):
    """A member the nudges leave alone: a service account, or someone on leave until a date."""

    __tablename__ = "nudge_exclusions"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), unique=True
    )
    reason: Mapped[str] = mapped_column(String(32), doc="service_account or on_leave")
    until: Mapped[datetime | None] = mapped_column(doc="None: until a security admin lifts it.")
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class SlackDmChannel(WorkspaceScoped, Base):
    """The DM channel of a member, learnt from the first message, so updates need no lookup."""

    __tablename__ = "slack_dm_channels"

    workspace_id: Mapped[str] = mapped_column(
        String(32), primary_key=True, default=workspace_id, doc="Part of the key: per workspace."
    )

    slack_user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    seen_at: Mapped[datetime]
