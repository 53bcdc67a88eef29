"""Showing a member their up-to-date checklist wherever they last saw it."""

from __future__ import annotations

from slack_bolt import Respond
from slack_sdk import WebClient

from bot import views
from bot.services import Services


def publish_home(slack_user_id: str, client: WebClient, services: Services) -> None:
    status = services.members.status(slack_user_id)
    client.views_publish(user_id=slack_user_id, view=views.home_view(status.checklist))


def show_updated(
    slack_user_id: str, client: WebClient, services: Services, respond: Respond | None
) -> None:
    """Republish the Home tab, and replace the ephemeral checklist the member acted on, if any."""
    status = services.members.status(slack_user_id)
    if respond is not None and respond.response_url:
        respond(replace_original=True, **views.status_message(status.checklist, own=True))
    client.views_publish(user_id=slack_user_id, view=views.home_view(status.checklist))
