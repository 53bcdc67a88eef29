"""Buttons on the checklist. ack() first; the work runs after it (lazy listeners)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import views
from bot.services import Services
from handlers.errors import tells_member
from handlers.ids import ITEM_SEPARATOR, Action, base_action, read_button_value
from handlers.surfaces import show_updated
from handlers.two_step import metadata_for


def route_item_actions(body: dict[str, Any], next: Callable[[], None]) -> None:
    """A button repeated per item carries `<action>:<item>` (a message may not repeat an
    action_id); match it to the action's one listener. The item itself travels in the value."""
    for action in body.get("actions") or []:
        action_id = action.get("action_id")
        if isinstance(action_id, str) and ITEM_SEPARATOR in action_id:
            base = base_action(action_id)
            if base is not None:
                action["action_id"] = base.value
    next()


def acknowledge(ack: Ack) -> None:
    ack()


@tells_member
def open_two_step_report(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    member = body["user"]["id"]
    accounts = services.self_reports.accounts_to_report(member)
    if not accounts:
        respond(response_type="ephemeral", replace_original=False, **views.notice(_NO_ACCOUNTS))
        return
    _, item = read_button_value(body["actions"][0].get("value"))
    selected = int(item) if item is not None and item.isdigit() else None
    modal = views.two_step_modal(accounts, selected=selected)
    modal["private_metadata"] = metadata_for(body)
    client.views_open(trigger_id=body["trigger_id"], view=modal)


@tells_member
def report_recovery_phone(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    member = body["user"]["id"]
    services.self_reports.recovery_phone_on_record(member)
    show_updated(member, client, services, respond)


@tells_member
def refresh_status(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    show_updated(body["user"]["id"], client, services, respond)


_NO_ACCOUNTS = (
    "No business accounts are on record for you yet. "
    "Ask your account manager to add you to the account directory."
)


def register(app: App) -> None:
    app.middleware(route_item_actions)
    app.action(Action.REPORT_TWO_STEP)(ack=acknowledge, lazy=[open_two_step_report])
    app.action(Action.REPORT_RECOVERY_PHONE)(ack=acknowledge, lazy=[report_recovery_phone])
    app.action(Action.REFRESH_STATUS)(ack=acknowledge, lazy=[refresh_status])
