"""Exemptions in Slack: "Request an exemption" (checklist line or reminder) opens the request
modal; its submission is checked in the acknowledgement and the approvers get a DM after it;
Approve (with a step-up) and Reject on that DM. The service decides who may do what (audited)."""

from __future__ import annotations

import logging
from datetime import UTC, date
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.checklist.model import CHECKS
from bot.core.errors import DomainError
from bot.core.i18n import N_, _, reading
from bot.core.ids import Action, Block, Callback, read_button_value
from bot.exemptions import views
from bot.exemptions.service import ExemptionView, FormError, Requested
from bot.services import Services
from handlers.slack import step_up
from handlers.slack.cases import number_on_button
from handlers.slack.errors import tells_member
from handlers.slack.lazy import on_buttons
from handlers.slack.step_up import Act, Next, StepUp

logger = logging.getLogger("security_bot.exemptions")
REQUESTED = "exemption_requested"  # what the acknowledgement recorded, for its lazy listener


@tells_member
def open_request(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    user = body["user"]["id"]
    accounts = services.exemptions.accounts(user)
    if not accounts:
        step_up.tell(client, user, respond, _(_NO_ACCOUNTS))
        return
    # The value names the check last: "status:two_step", or "nudge:<reminder>:two_step".
    _surface, item = read_button_value(body["actions"][0].get("value"))
    check = CHECKS.get((item or "").rpartition(":")[2])
    today = services.clock.now().astimezone(UTC).date()
    modal = views.request_modal(accounts, check, today)
    client.views_open(trigger_id=body["trigger_id"], view=modal)


def submit_request(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services, context: BoltContext
) -> None:
    """Recorded in the acknowledgement, so a refusal shows on its input while the modal is open."""
    values = view["state"]["values"]
    check = _selected(values, Block.CHECK)
    account = _selected(values, Block.ACCOUNT)
    reason = values.get(Block.REASON, {}).get(Block.REASON, {}).get("value") or ""
    picked = values.get(Block.ENDS_ON, {}).get(Block.ENDS_ON, {}).get("selected_date") or ""
    if not account.isdigit():
        ack(response_action="errors", errors={Block.ACCOUNT: _("Choose a business account.")})
        return
    try:
        last_day = date.fromisoformat(picked)
    except ValueError:
        ack(response_action="errors", errors={Block.ENDS_ON: _("Choose the last day.")})
        return
    try:
        requested = services.exemptions.request(
            body["user"]["id"], check, int(account), str(reason), last_day
        )
    except DomainError as error:
        field = error.field if isinstance(error, FormError) else Block.ACCOUNT
        ack(response_action="errors", errors={field: error.user_message})
        return
    context[REQUESTED] = requested
    ack()


@tells_member
def tell_approvers(
    body: dict[str, Any], client: WebClient, services: Services, context: BoltContext
) -> None:
    """Each approver in their own language; the member is told where the request went."""
    requested = context.get(REQUESTED)
    if not isinstance(requested, Requested):
        return
    exemption = requested.exemption
    for approver in requested.approvers:
        with reading(services.languages.of(approver)):
            sent = client.chat_postMessage(channel=approver, **views.approver_message(exemption))
        channel, ts = sent.get("channel"), sent.get("ts")
        if isinstance(channel, str) and isinstance(ts, str):
            services.exemptions.remember_dm(exemption.id, approver, channel, ts)
    notice = views.requested_notice(requested.exemption, requested.approvers)
    client.chat_postMessage(channel=body["user"]["id"], text=notice)


def _selected(values: dict[str, Any], block: Block) -> str:
    option = values.get(block, {}).get(block, {}).get("selected_option") or {}
    return str(option.get("value") or "")


def _number(body: dict[str, Any]) -> int:
    return number_on_button(
        body, unclear=_("I couldn't tell which exemption request this button is about.")
    )


@tells_member
def approve(body: dict[str, Any], client: WebClient, services: Services, respond: Respond) -> None:
    """No code is asked of someone who may not decide; then a step-up, then the approval."""
    user, exemption = body["user"]["id"], _number(body)
    services.exemptions.check_decision(user, exemption)
    step_up.on_press(body, client, services, APPROVE, {"exemption": exemption}, respond)


def approve_exemption(client: WebClient, services: Services, user: str, step: Next) -> None:
    number = step.number("exemption", unclear=_("I couldn't tell which exemption to approve."))
    decided(client, services, services.exemptions.approve(user, number), step.respond)


# Translators: completes "To …, I need a current code".
APPROVE = Act(StepUp.APPROVE_EXEMPTION, N_("approve an exemption"), approve_exemption)


@tells_member
def reject(body: dict[str, Any], client: WebClient, services: Services, respond: Respond) -> None:
    exemption = services.exemptions.reject(body["user"]["id"], _number(body))
    decided(client, services, exemption, respond)


def decided(
    client: WebClient, services: Services, exemption: ExemptionView, respond: Respond | None
) -> None:
    """Every approver's DM about the request shows who decided and how, in place of its buttons
    (the decider's through the press's response_url when there is one); the member hears of it."""
    decider = exemption.decided_by or ""
    replaced = respond is not None and bool(respond.response_url)
    if respond is not None and replaced:
        respond(replace_original=True, **views.decided_message(exemption))
    for dm in exemption.asked:
        if dm.approver == decider and replaced:
            continue
        with reading(services.languages.of(dm.approver)):
            message = views.decided_message(exemption)
        try:
            client.chat_update(channel=dm.channel, ts=dm.ts, **message)
        except SlackApiError as error:  # the others' DMs and the member's news still go out
            code = error.response.get("error")
            logger.warning("exemption %s: an approver's DM not updated (%s)", exemption.id, code)
        else:
            replaced = replaced or dm.approver == decider
    if not replaced:
        client.chat_postMessage(channel=decider, **views.decided_message(exemption))
    with reading(services.languages.of(exemption.member)):
        client.chat_postMessage(channel=exemption.member, **views.member_decision(exemption))


_NO_ACCOUNTS = N_(
    "No business accounts are on record for you, so there is nothing to be exempted from. "
    "Ask your account manager to add you to the account directory."
)


def register(app: App) -> None:
    on_buttons(
        app,
        {
            Action.REQUEST_EXEMPTION: open_request,
            Action.APPROVE_EXEMPTION: approve,
            Action.REJECT_EXEMPTION: reject,
        },
    )
    app.view(Callback.EXEMPTION_REQUEST)(ack=submit_request, lazy=[tell_approvers])
