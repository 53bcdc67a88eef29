"""The workspaces the bot is installed in, and the tables of slack_sdk's OAuth stores.

`workspaces` is ours: one row per install (a team, or an organisation for an org-wide install),
kept after an uninstall for the retention period. The `slack_*` tables are slack_sdk's
(SQLAlchemyInstallationStore, SQLAlchemyOAuthStateStore), declared here so that our migrations
create them and the schema checks see them: the same columns as slack_sdk's own definitions, but
room for tokens sealed with SECURITY_BOT_KEYS (handlers/outbound/installations.py), which are
longer than the tokens themselves. Their times are naive UTC, as slack_sdk writes them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base

SEALED_TOKEN = 1000  # a Fernet token of a rotating Slack token (~150 characters) is ~300 long


class Workspace(Base):
    """A workspace (or an Enterprise Grid organisation) that installed the bot."""

    __tablename__ = "workspaces"

    workspace_id: Mapped[str] = mapped_column(
        String(32), primary_key=True, doc="The key its data is kept under (bot/workspaces/scope)."
    )
    team_id: Mapped[str | None] = mapped_column(String(32), doc="None for an org-wide install.")
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    enterprise_install: Mapped[bool] = mapped_column(Boolean)
    installer_user_id: Mapped[str | None] = mapped_column(
        String(32), doc="Who installed it; None for a token set in the environment."
    )
    installed_at: Mapped[datetime]
    uninstalled_at: Mapped[datetime | None] = mapped_column(
        doc="When Slack said the app was uninstalled (or its bot token revoked); None while in use."
    )


slack_installations = Table(
    "slack_installations",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("enterprise_url", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(SEALED_TOKEN)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(SEALED_TOKEN)),
    Column("bot_token_expires_at", DateTime),
    Column("user_id", String(32), nullable=False),
    Column("user_token", String(SEALED_TOKEN)),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", String(SEALED_TOKEN)),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", String(200)),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, nullable=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False),
    Index(
        "slack_installations_idx",
        "client_id",
        "enterprise_id",
        "team_id",
        "user_id",
        "installed_at",
    ),
)

slack_bots = Table(
    "slack_bots",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(SEALED_TOKEN)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(SEALED_TOKEN)),
    Column("bot_token_expires_at", DateTime),
    Column("is_enterprise_install", Boolean, nullable=False),
    Column("installed_at", DateTime, nullable=False),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)

slack_oauth_states = Table(
    "slack_oauth_states",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False, doc="An HMAC of the state, never the state."),
    Column("expire_at", DateTime, nullable=False),
)

INSTALLATION_TABLES = (slack_installations, slack_bots)
