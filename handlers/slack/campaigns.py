"""`/security campaign start | list | show <number> | stop <number>`, and the start modal's
submission. The service decides who may (security admins only) and audits refusals."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.campaigns import views
from bot.campaigns.figures import CampaignView
from bot.campaigns.service import FormError, Proposal
from bot.core.errors import DomainError
from bot.core.i18n import N_
from bot.core.ids import Block, Callback
from bot.services import Services
from handlers.slack import step_up
from handlers.slack.command_line import Call, Message, Subcommand, any_arguments, no_arguments
from handlers.slack.errors import tells_member

STARTED = "campaign_started"  # in the context: what the acknowledgement started


def answer(call: Call) -> Message:
    """`campaign list`, `show <number>`, `stop <number>`, or how to use them."""
    words = call.arguments
    action = words[0].lower() if words else "list"
    campaigns = call.services.campaigns
    if action == "list" and len(words) <= 1:
        return views.list_message(campaigns.listed(call.viewer))
    if action in ("show", "stop") and len(words) == 2 and words[1].lstrip("#").isdigit():
        number = int(words[1].lstrip("#"))
        if action == "show":
            return views.show_message(campaigns.show(call.viewer, number))
        return views.stopped_notice(campaigns.stop(call.viewer, number))
    campaigns.check_admin(call.viewer, "usage")
    return views.usage()


def may_start(call: Call) -> None:
    """Security admins only, before the modal opens; anyone else is refused (audited)."""
    call.services.campaigns.check_admin(call.viewer, "start")


def modal_follows(call: Call) -> None:
    """An empty acknowledgement: the modal opens right after it."""


def open_modal(call: Call) -> None:
    form = call.services.campaigns.start_form(call.viewer)
    metadata = json.dumps({"response_url": call.respond.response_url})
    view = views.start_modal(form) | {"private_metadata": metadata}
    call.client.views_open(trigger_id=call.line.trigger_id, view=view)


def submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services, context: BoltContext
) -> None:
    """Checked and started in the acknowledgement, so a problem shows on its input."""
    try:
        started = services.campaigns.start(body["user"]["id"], read_proposal(view))
    except FormError as error:
        ack(response_action="errors", errors={error.field: error.user_message})
        return
    except DomainError as error:
        ack(response_action="errors", errors={Block.CHECK: error.user_message})
        return
    context[STARTED] = started
    ack()


@tells_member
def after_submit(
    body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    started = context.get(STARTED)
    if isinstance(started, CampaignView):
        where = step_up.respond_from(_metadata(view))
        step_up.tell(client, body["user"]["id"], where, views.started_notice(started))


def read_proposal(view: dict[str, Any]) -> Proposal:
    values = view.get("state", {}).get("values", {})

    def entry(block: Block) -> dict[str, Any]:
        found: dict[str, Any] = values.get(block, {}).get(block) or {}
        return found

    def option(block: Block) -> str:
        return str((entry(block).get("selected_option") or {}).get("value") or "")

    try:
        deadline: date | None = date.fromisoformat(str(entry(Block.DEADLINE).get("selected_date")))
    except ValueError:
        deadline = None
    return Proposal(
        check=option(Block.CHECK),
        scope=option(Block.SCOPE),
        manager=entry(Block.MANAGER).get("selected_user") or None,
        platform=option(Block.PLATFORM) or None,
        deadline=deadline,
        title=str(entry(Block.TITLE).get("value") or ""),
    )


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        found = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


HELP = N_(
    "`/security campaign start`, `list`, `show <number>`, `stop <number>`: campaigns that ask "
    "for one check by a deadline, with their progress (security admins only)"
)
ROWS = (
    Subcommand("campaign", help=(HELP,), takes=any_arguments, answer=answer),
    Subcommand(
        "campaign start",
        help=(),  # in the line of `campaign`
        takes=no_arguments,
        who=may_start,
        answer=modal_follows,
        follow_up=open_modal,
    ),
)


def register(app: App) -> None:
    app.view(Callback.CAMPAIGN_START)(ack=submit, lazy=[after_submit])
