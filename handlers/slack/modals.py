"""Modal submissions: validate in ack(), refresh the member's surfaces after it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.core.errors import DomainError
from bot.core.i18n import _
from bot.core.ids import Block, Callback
from bot.services import Services
from handlers.slack.errors import tells_member
from handlers.slack.two_step import show_updated_from


def submit_two_step_report(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services
) -> None:
    values = view["state"]["values"]
    account = (values[Block.ACCOUNT][Block.ACCOUNT].get("selected_option") or {}).get("value")
    method = (values[Block.METHOD][Block.METHOD].get("selected_option") or {}).get("value")
    if account is None or not account.isdigit():
        ack(response_action="errors", errors={Block.ACCOUNT: _("Choose a business account.")})
        return
    try:
        services.self_reports.two_step_turned_on(body["user"]["id"], int(account), method or "")
    except DomainError as error:
        ack(response_action="errors", errors={Block.ACCOUNT: error.user_message})
        return
    ack()


@tells_member
def refresh_after_report(
    body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services
) -> None:
    show_updated_from(view, body["user"]["id"], client, services)


def register(app: App) -> None:
    app.view(Callback.TWO_STEP_REPORT)(ack=submit_two_step_report, lazy=[refresh_after_report])
