"""Events API listeners. Slack retries deliveries; each event is handled once."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.core.ids import Event
from bot.services import Services
from handlers.slack.errors import logger, tells_member
from handlers.slack.lazy import acknowledge
from handlers.slack.profiles import refresh_profile_if_stale
from handlers.slack.surfaces import publish_home


@tells_member
def app_home_opened(event: dict[str, Any], client: WebClient, services: Services) -> None:
    if event.get("tab", "home") != "home":
        return
    member = event["user"]
    try:
        refresh_profile_if_stale(member, client, services)
    except Exception as error:  # noqa: BLE001 - the Home tab matters more than a fresh profile
        logger.warning("could not refresh the profile of %s: %s", member, type(error).__name__)
    publish_home(member, client, services)


def register(app: App) -> None:
    app.event(Event.APP_HOME_OPENED)(ack=acknowledge, lazy=[app_home_opened])
