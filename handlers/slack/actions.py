"""Buttons on the checklist. ack() first; the work runs after it (lazy listeners).

The recovery buttons are in handlers/slack/recovery.py."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient

from bot.checklist import views
from bot.core import blocks
from bot.core.i18n import N_, _
from bot.core.ids import Action, Surface, read_button_value
from bot.services import Services
from handlers.slack.errors import tells_member
from handlers.slack.lazy import on_buttons
from handlers.slack.surfaces import show_updated
from handlers.slack.two_step import metadata_for


@tells_member
def open_two_step_report(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    member = body["user"]["id"]
    accounts = services.self_reports.accounts_to_report(member)
    if not accounts:
        respond(response_type="ephemeral", replace_original=False, **blocks.notice(_(_NO_ACCOUNTS)))
        return
    surface, item = read_button_value(body["actions"][0].get("value"))
    on_account = surface is not Surface.NUDGE and item is not None and item.isdigit()
    selected = int(item) if on_account and item is not None else None
    modal = views.two_step_modal(accounts, selected=selected)
    modal["private_metadata"] = metadata_for(body)
    client.views_open(trigger_id=body["trigger_id"], view=modal)


@tells_member
def refresh_status(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    show_updated(body["user"]["id"], client, services, respond)


_NO_ACCOUNTS = N_(
    "No business accounts are on record for you yet. "
    "Ask your account manager to add you to the account directory."
)


def register(app: App) -> None:
    on_buttons(
        app,
        {Action.REPORT_TWO_STEP: open_two_step_report, Action.REFRESH_STATUS: refresh_status},
    )
