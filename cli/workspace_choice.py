"""Which workspace a command-line tool acts in: `--workspace`, else the one the bot token belongs
to (single-workspace mode), else the one workspace installed or with data; otherwise the tool
stops and says how to name it."""

from __future__ import annotations

from bot.core.config import Settings
from bot.core.errors import ConfigError
from bot.workspaces.rounds import WorkspaceRounds
from bot.workspaces.scope import workspace_key
from storage.database import connect

NAME_IT = (
    "name the workspace with --workspace TEAM_ID (or the organisation's id for a Grid install)"
)


def chosen_workspace(settings: Settings, given: str | None) -> str:
    if given:
        return given
    if settings.slack_bot_token:
        return token_workspace(settings)
    known = WorkspaceRounds(connect(settings.database_url)).known()
    if len(known) == 1:
        return known[0]
    if not known:
        raise ConfigError(f"no workspace has data yet: {NAME_IT}")
    raise ConfigError(f"{len(known)} workspaces have data ({', '.join(known)}): {NAME_IT}")


def token_workspace(settings: Settings) -> str:
    """The workspace of SLACK_BOT_TOKEN, as Slack's auth.test names it."""
    import wiring  # the composition root builds the client

    answer = wiring.build_client(settings).auth_test()
    enterprise_install = bool(answer.get("is_enterprise_install"))
    return workspace_key(answer.get("team_id"), answer.get("enterprise_id"), enterprise_install)
