"""Events API listeners. Slack retries deliveries; each event is handled once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltResponse
from slack_sdk import WebClient

from bot.services import Services
from handlers.errors import logger, tells_member
from handlers.ids import Event
from handlers.profiles import refresh_profile_if_stale
from handlers.surfaces import publish_home


def acknowledge(ack: Ack) -> None:
    ack()


def skip_retried_deliveries(
    body: dict[str, Any], services: Services, next: Callable[[], None]
) -> BoltResponse | None:
    """A retried delivery (X-Slack-Retry-Num) of an event already handled is acknowledged only."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if event_id and not services.deliveries.first_time(event_id):
        return BoltResponse(status=200, body="")
    next()
    return None


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
    app.middleware(skip_retried_deliveries)
    app.event(Event.APP_HOME_OPENED)(ack=acknowledge, lazy=[app_home_opened])
