"""Showing a member their up-to-date checklist wherever they last saw it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.campaigns import views as campaign_views
from bot.checklist import views
from bot.checklist.model import Checklist
from bot.core.collection import collector_paused
from bot.core.i18n import reading
from bot.core.ids import Surface
from bot.desk import views as desk_views
from bot.services import Services
from bot.stats import views as views_stats


def publish_home(slack_user_id: str, client: WebClient, services: Services, start: int = 0) -> None:
    client.views_publish(user_id=slack_user_id, view=home_tab(slack_user_id, services, start))


def home_tab(slack_user_id: str, services: Services, start: int = 0) -> dict[str, Any]:
    """The member's Home tab as it reads now, in their language (whoever caused the update);
    an account manager's desk from the account at `start`."""
    status = services.members.status(slack_user_id)
    with reading(status.language):
        return home(slack_user_id, status.checklist, services, start)


def home(
    slack_user_id: str, checklist: Checklist, services: Services, start: int = 0
) -> dict[str, Any]:
    """The Home tab: security admins see the security overview and the campaigns above their
    checklist, and an account manager their business accounts (bot/desk) between the two."""
    report = services.stats.overview(slack_user_id)
    campaigns = campaign_views.home_blocks(services.campaigns.overview(slack_user_id))
    # The desk weighs tens of thousands of short-lived rows: the collector resumes only once
    # they are gone (bot/core/collection.py).
    with collector_paused():
        accounts = services.desk.accounts(slack_user_id)
        if not accounts:
            return views_stats.home_view(checklist, report, campaigns)
        overview = views_stats.overview_blocks(report) if report is not None else []
        view = desk_views.home_view(checklist, overview + campaigns, accounts, start)
        del accounts
    return view


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
