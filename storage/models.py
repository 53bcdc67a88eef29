"""Typed models of members, business accounts, evidence, the bot's own links and the platform's
reports. On storage/base.py, as every model module; storage/schema.py gathers them all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, WorkspaceScoped


class Member(WorkspaceScoped, Base):
    """A person in the workspace. Created by the account import (by email) or on first contact."""

    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("workspace_id", "slack_user_id"),
        UniqueConstraint("workspace_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slack_user_id: Mapped[str | None] = mapped_column(String(32))
    team_id: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(320))
    display_name: Mapped[str | None] = mapped_column(String(200))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(
        String(16), doc="Slack's locale of the member (users.info include_locale): de-DE, en-US."
    )
    language: Mapped[str | None] = mapped_column(
        String(8), doc="The member's own choice (/security language); None: by their locale."
    )
    profile_refreshed_at: Mapped[datetime | None] = mapped_column(
        doc="When users.info last filled the profile; None until first contact."
    )
    created_at: Mapped[datetime]


class BusinessAccount(WorkspaceScoped, Base):
    """An advertising or business account on a platform such as TikTok for Business."""

    __tablename__ = "business_accounts"
    __table_args__ = (UniqueConstraint("workspace_id", "platform", "platform_account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_account_id: Mapped[str] = mapped_column(String(64), doc="The platform's own id.")
    platform: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    managed: Mapped[bool] = mapped_column(
        Boolean, doc="Managed clients go to their account manager."
    )
    account_manager_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime]


class Membership(WorkspaceScoped, Base):
    """A member works on a business account."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("member_id", "business_account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    business_account_id: Mapped[int] = mapped_column(
        ForeignKey("business_accounts.id", ondelete="CASCADE"), index=True
    )


class CheckResult(WorkspaceScoped, Base):
    """The latest evidence for one check of one member from one source, per business account.

    Each source keeps its own row, so a platform report never erases what the member said and
    the checklist can show where the two disagree.
    """

    __tablename__ = "check_results"
    __table_args__ = (
        UniqueConstraint("member_id", "check", "business_account_id", "source"),
        # Removing a business account deletes its results: by index, not a scan per account.
        Index("ix_check_results_business_account_id", "business_account_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    check: Mapped[str] = mapped_column(String(64))
    business_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("business_accounts.id", ondelete="CASCADE")
    )
    state: Mapped[str] = mapped_column(String(16), doc="passing, needs_action or unknown")
    source: Mapped[str] = mapped_column(String(32), doc="platform, self or bot")
    observed_at: Mapped[datetime]
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AuditRecord(WorkspaceScoped, Base):
    """Who did what to whom, and when. Append-only."""

    __tablename__ = "audit_records"
    __table_args__ = (
        Index("ix_audit_records_at", "at"),
        Index("ix_audit_records_target_action_at", "target", "action", "at"),
        Index("ix_audit_records_action_at", "action", "at"),  # reporting: snoozes per period
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64), doc="A Slack user id, or system / platform.")
    action: Mapped[str] = mapped_column(String(100), doc="Dotted, e.g. checklist.self_report.")
    target: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SlackDelivery(Base):
    """Events API deliveries already handled, so Slack's retries are handled once."""

    __tablename__ = "slack_deliveries"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime]


class AuthenticatorLink(WorkspaceScoped, Base):
    """A member's authenticator app enrolled with the bot (TOTP). One per member: pending or active."""

    __tablename__ = "authenticator_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[str] = mapped_column(String(16), doc="pending until a correct code, then active")
    secret_encrypted: Mapped[bytes] = mapped_column(
        LargeBinary, deferred=True, doc="The TOTP secret, Fernet-encrypted; never stored plain."
    )
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    last_step: Mapped[int | None] = mapped_column(
        BigInteger, doc="Last accepted time step: a code from it or earlier is a replay."
    )
    verified_at: Mapped[datetime | None] = mapped_column(doc="Last successful code, for step-up.")
    last_attempt_at: Mapped[datetime | None] = mapped_column(
        doc="Written first by every attempt, so parallel attempts queue behind one row lock."
    )


class RecoveryCode(WorkspaceScoped, Base):
    """A single-use code that stands in for the authenticator; only its hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    authenticator_link_id: Mapped[int] = mapped_column(
        ForeignKey("authenticator_links.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]


class SecureLink(WorkspaceScoped, Base):
    """A one-time link to one of the bot's own pages. Only the token's hash is stored."""

    __tablename__ = "secure_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    slack_channel: Mapped[str | None] = mapped_column(
        String(32), doc="Where the message carrying the link was posted, to update it in place."
    )
    slack_ts: Mapped[str | None] = mapped_column(String(32))


class Alert(WorkspaceScoped, Base):
    """An alert the platform sent about a business account, kept open until it is remediated."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_business_account_id_kind_status", "business_account_id", "kind", "status"),
        UniqueConstraint("workspace_id", "platform_alert_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_alert_id: Mapped[str] = mapped_column(
        String(128), doc="The platform's id: a second delivery of it is a duplicate."
    )
    kind: Mapped[str] = mapped_column(
        String(32), doc="compromised_password, suspicious_login or account_takeover"
    )
    business_account_id: Mapped[int] = mapped_column(
        ForeignKey("business_accounts.id", ondelete="CASCADE")
    )
    member_email: Mapped[str] = mapped_column(String(320), doc="Whom the platform named.")
    detail: Mapped[str] = mapped_column(String(2000), doc="The platform's words; shown escaped.")
    detected_at: Mapped[datetime] = mapped_column(doc="When the platform detected it.")
    received_at: Mapped[datetime]
    received_via: Mapped[str] = mapped_column(String(16), doc="api or import")
    status: Mapped[str] = mapped_column(String(16), doc="open or closed")
    closed_at: Mapped[datetime | None]
    closed_reason: Mapped[str | None] = mapped_column(String(32), doc="e.g. rotated")
    closed_by: Mapped[str | None] = mapped_column(String(32), doc="Slack user id of who fixed it.")
    seconds_to_remediate: Mapped[int | None] = mapped_column(
        BigInteger, doc="From detected_at to closed_at: how long the account stayed exposed."
    )


class AlertMessage(WorkspaceScoped, Base):
    """A DM the bot sent about an alert, so it can be updated in place once the alert closes."""

    __tablename__ = "alert_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    slack_user_id: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16), doc="member or manager")
    slack_channel: Mapped[str] = mapped_column(String(32))
    slack_ts: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime]


class Lease(Base):
    """Leadership among app processes: the holder runs the scheduled jobs until `expires_at`."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class RecoveryEmail(WorkspaceScoped, Base):
    """A member's recovery email address: confirmed only once the member typed the code mailed to
    it. The address is not a secret; the code is kept only as a keyed hash, until used or replaced.
    """

    __tablename__ = "recovery_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), unique=True
    )
    address: Mapped[str | None] = mapped_column(String(320), doc="The confirmed address.")
    confirmed_at: Mapped[datetime | None]
    pending_address: Mapped[str | None] = mapped_column(
        String(320), doc="The address a code was last sent to, until it is confirmed."
    )
    code_hash: Mapped[str | None] = mapped_column(
        String(64), doc="HMAC-SHA256 of the code under the bot's key; cleared once used."
    )
    code_sent_at: Mapped[datetime | None]
    code_expires_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None] = mapped_column(
        doc="Written first by every request and attempt, so parallel ones queue behind one lock."
    )


class RecoveryPhone(WorkspaceScoped, Base):
    """The recovery phone number a member told the bot, normalised to E.164."""

    __tablename__ = "recovery_phones"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), unique=True
    )
    number: Mapped[str] = mapped_column(String(16), doc="E.164, e.g. +493012345612.")
    recorded_at: Mapped[datetime]


class PostureReport(WorkspaceScoped, Base):
    """A posture report the platform sent about a business account (and maybe one member)."""

    __tablename__ = "posture_reports"
    __table_args__ = (
        Index("ix_posture_reports_business_account_id", "business_account_id"),
        UniqueConstraint("workspace_id", "platform_report_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_report_id: Mapped[str] = mapped_column(
        String(128), doc="The platform's id: a second delivery of it is a duplicate."
    )
    business_account_id: Mapped[int] = mapped_column(
        ForeignKey("business_accounts.id", ondelete="CASCADE")
    )
    member_email: Mapped[str | None] = mapped_column(
        String(320), doc="Whom the report is about; None: every member of the account."
    )
    fields: Mapped[dict[str, Any]] = mapped_column(doc="The evidence fields the report carried.")
    applied: Mapped[dict[str, Any]] = mapped_column(
        doc="Which fields changed evidence, and which were older than what was stored."
    )
    reported_at: Mapped[datetime] = mapped_column(doc="When the platform observed it.")
    received_at: Mapped[datetime]
    received_via: Mapped[str] = mapped_column(String(16), doc="api or import")
