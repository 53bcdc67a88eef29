"""Showing a member their up-to-date checklist wherever they last saw it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.campaigns import views as campaign_views
from bot.checklist import views
from bot.checklist.model import Checklist
from bot.core.i18n import reading
from bot.core.ids import Surface
from bot.services import Services
from bot.stats import views as views_stats


def publish_home(slack_user_id: str, client: WebClient, services: Services) -> None:
    status = services.members.status(slack_user_id)
    with reading(status.language):  # the member's own Home tab, whoever caused the update
        view = home(slack_user_id, status.checklist, services)
    client.views_publish(user_id=slack_user_id, view=view)


def home(slack_user_id: str, checklist: Checklist, services: Services) -> dict[str, Any]:
    """The Home tab: security admins see the security overview and the campaigns above their
    checklist."""
    campaigns = campaign_views.home_blocks(services.campaigns.overview(slack_user_id))
    return views_stats.home_view(checklist, services.stats.overview(slack_user_id), campaigns)


def show_updated(
    slack_user_id: str,
    client: WebClient,
    services: Services,
    respond: Respond | None,
    surface: Surface = Surface.STATUS,
    item: str | None = None,
) -> None:
    """Republish the Home tab, and replace what the member acted on: the ephemeral checklist,
    or a reminder DM (`item` is its id), which then shows the fixed gaps done."""
    status = services.members.status(slack_user_id)
    replacement: dict[str, Any] | None
    with reading(status.language):
        if surface is Surface.NUDGE:
            reminder = int(item) if item is not None and item.isdigit() else None
            replacement = services.nudges.after_fix(slack_user_id, reminder, status.checklist)
        else:
            replacement = views.status_message(status.checklist, own=True)
        view = home(slack_user_id, status.checklist, services)
    if respond is not None and respond.response_url and replacement is not None:
        respond(replace_original=True, **replacement)
    client.views_publish(user_id=slack_user_id, view=view)
