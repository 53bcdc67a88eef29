"""Recovery readiness in Slack: `/security recovery` and the checklist's buttons open the modals;
the address modal issues a code (mailed after the answer), the code modal confirms the address,
the phone modal records a number. Each answer goes in ack(); mail and refreshes come after it."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient

from bot.core.errors import DomainError
from bot.core.ids import Action, Block, Callback
from bot.recovery import views as views_recovery
from bot.recovery.email import CodeToSend
from bot.services import Services
from handlers.slack import modal_input
from handlers.slack.errors import tells_member
from handlers.slack.lazy import on_buttons
from handlers.slack.modal_input import Accepted
from handlers.slack.two_step import metadata_for, show_updated_from

logger = logging.getLogger("security_bot.recovery")
# Set by a submission's ack listener; Bolt hands lazy listeners a copy of the context taken after
# it returns, so the follow-up acts only on what this very request did.
_FROM_COMMAND = json.dumps({"surface": "status"})  # no message to refresh: the Home tab only


def wants_modal(arguments: tuple[str, ...]) -> bool:
    """`/security recovery`, `/security recovery email`, `/security recovery phone`."""
    return tuple(word.lower() for word in arguments) in ((), ("email",), ("phone",))


@tells_member
def open_from_command(
    *,
    arguments: tuple[str, ...],
    viewer: str,
    trigger_id: str,
    client: WebClient,
    services: Services,
    respond: Respond,
) -> None:
    """After the (empty) acknowledgement: the modal the subcommand asked for."""
    if arguments and arguments[0].lower() == "phone":
        modal = views_recovery.phone_modal(_FROM_COMMAND, services.recovery_phone.status(viewer))
    else:
        modal = _email_or_code_modal(viewer, services, _FROM_COMMAND)
    client.views_open(trigger_id=trigger_id, view=modal)


def _email_or_code_modal(member: str, services: Services, metadata: str) -> dict[str, Any]:
    """The code modal while a code mailed earlier still works, else the address modal."""
    status = services.recovery_email.status(member)
    if status.pending:
        return views_recovery.code_modal(metadata, status.pending, status.pending_expires_at)
    return views_recovery.email_modal(metadata, status)


# -- buttons ------------------------------------------------------------------------------------


@tells_member
def open_email_modal(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    member = body["user"]["id"]
    modal = _email_or_code_modal(member, services, metadata_for(body))
    client.views_open(trigger_id=body["trigger_id"], view=modal)


@tells_member
def change_address(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    """ "No email? Send a new code", inside the code modal: back to the address."""
    view = body["view"]
    status = services.recovery_email.status(body["user"]["id"])
    modal = views_recovery.email_modal(view.get("private_metadata") or _FROM_COMMAND, status)
    client.views_update(view_id=view["id"], view=modal)


@tells_member
def open_phone_modal(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    status = services.recovery_phone.status(body["user"]["id"])
    client.views_open(
        trigger_id=body["trigger_id"], view=views_recovery.phone_modal(metadata_for(body), status)
    )


# -- the modals ---------------------------------------------------------------------------------


def accept_address(member: str, view: dict[str, Any], services: Services) -> Accepted[CodeToSend]:
    """In the acknowledgement: a code is issued for the typed address (or the refusal shows on
    it), and the modal becomes the one that asks for the code."""
    issued = services.recovery_email.request_code(member, modal_input.typed(view, Block.EMAIL))
    metadata = view.get("private_metadata") or _FROM_COMMAND
    modal = views_recovery.code_modal(metadata, issued.masked, issued.expires_at)
    return Accepted(issued, {"response_action": "update", "view": modal})


def mail_code(
    issued: CodeToSend, member: str, view: dict[str, Any], client: WebClient, services: Services
) -> None:
    """After it: the mail goes out; a mail that fails puts the address modal back, saying why."""
    try:
        services.recovery_email.deliver(issued)
    except DomainError as error:
        status = services.recovery_email.status(member)
        metadata = view.get("private_metadata") or _FROM_COMMAND
        modal = views_recovery.email_modal(metadata, status, problem=error.user_message)
        client.views_update(view_id=view["id"], view=modal)
        return
    show_updated_from(view, member, client, services)


def accept_code(member: str, view: dict[str, Any], services: Services) -> Accepted[None]:
    masked = services.recovery_email.confirm(member, modal_input.read_code(view))
    confirmed = views_recovery.email_confirmed_modal(masked)
    return Accepted(None, {"response_action": "update", "view": confirmed})


def accept_phone(member: str, view: dict[str, Any], services: Services) -> Accepted[None]:
    recorded = services.recovery_phone.record(member, modal_input.typed(view, Block.PHONE))
    saved = views_recovery.phone_saved_modal(recorded.masked)
    return Accepted(None, {"response_action": "update", "view": saved})


def after_saved(
    _: None, member: str, view: dict[str, Any], client: WebClient, services: Services
) -> None:
    """After a confirmed address or a saved phone number: the member's surfaces show it."""
    show_updated_from(view, member, client, services)


def register(app: App) -> None:
    on_buttons(
        app,
        {
            Action.CONFIRM_RECOVERY_EMAIL: open_email_modal,
            Action.CHANGE_RECOVERY_EMAIL: change_address,
            Action.REPORT_RECOVERY_PHONE: open_phone_modal,
        },
    )
    submit, follow = modal_input.checked_listeners(accept_address, mail_code, on=Block.EMAIL)
    app.view(Callback.RECOVERY_EMAIL)(ack=submit, lazy=[follow])
    submit, follow = modal_input.checked_listeners(accept_code, after_saved)
    app.view(Callback.RECOVERY_CODE)(ack=submit, lazy=[follow])
    submit, follow = modal_input.checked_listeners(accept_phone, after_saved, on=Block.PHONE)
    app.view(Callback.RECOVERY_PHONE)(ack=submit, lazy=[follow])
