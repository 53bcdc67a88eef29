"""The typed model of a workspace's own settings, edited by its security admins in Slack.

On storage/base.py; storage/schema.py gathers every model module into one `Base.metadata`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, WorkspaceScoped
from storage.scope import workspace_id


class WorkspaceSettingsRow(WorkspaceScoped, Base):
    """One row per workspace, none until the workspace's settings are first written (the installer
    becomes its first security admin, or an admin saves the settings). Every value may be NULL,
    which means "use the default" (the environment's value, or the reminder policy file's)."""

    __tablename__ = "workspace_settings"

    workspace_id: Mapped[str] = mapped_column(
        String(32), primary_key=True, default=workspace_id, doc="One row per workspace."
    )
    security_admins: Mapped[list[str] | None] = mapped_column(JSON, doc="Slack user ids.")
    escalation_channel: Mapped[str | None] = mapped_column(String(32))
    support_channel: Mapped[str | None] = mapped_column(String(32))
    support_contact: Mapped[str | None] = mapped_column(String(200))
    support_handlers: Mapped[list[str] | None] = mapped_column(JSON, doc="Slack user ids.")
    reminder_cap: Mapped[int | None] = mapped_column(doc="Most reminders per gap, every check.")
    working_hours_start: Mapped[str | None] = mapped_column(String(5), doc="HH:MM, local time.")
    working_hours_end: Mapped[str | None] = mapped_column(String(5), doc="HH:MM, local time.")
    working_days: Mapped[list[int] | None] = mapped_column(JSON, doc="Monday 0 to Sunday 6.")
    default_time_zone: Mapped[str | None] = mapped_column(
        String(64), doc="For members whose Slack profile has no time zone."
    )
    language: Mapped[str | None] = mapped_column(
        String(8), doc="The language of its channels' messages (case cards): en, de."
    )
    case_targets: Mapped[dict[str, Any] | None] = mapped_column(
        JSON,
        doc='Minutes per severity and clock, the chosen ones only: {"critical": {"take": 15}}.',
    )
    changed_at: Mapped[datetime | None]
    changed_by: Mapped[str | None] = mapped_column(String(32), doc="A Slack user id.")
