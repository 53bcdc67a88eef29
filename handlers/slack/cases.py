"""Compromise cases in Slack: the report modal, the card's buttons, the case modals, and the
step-ups for resolving a case and approving a reimbursement.

Each listener acknowledges first; the service behind it checks who may act, and
handlers/slack/case_slack.py shows the change. Button listeners take `respond` even when they do not
call it: @tells_member answers a refusal through it, ephemerally, to the presser only (audited).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.cases import modals, money
from bot.cases.access import Operation
from bot.cases.model import CaseChange, ChargesSeen, Outcome, Support
from bot.cases.views import support_words
from bot.core.errors import DomainError, InvalidInput
from bot.core.i18n import N_, _
from bot.core.ids import Action, Block, Callback
from bot.services import Services
from handlers.slack import step_up
from handlers.slack.case_slack import opened_words, publish
from handlers.slack.errors import tells_member
from handlers.slack.lazy import on_buttons
from handlers.slack.step_up import Act, Form, Next, StepUp

CHANGE = "case_change"  # what an ack listener changed, for its lazy listener to publish
Listener = Callable[..., None]
STEP_UP_EXPIRED = N_(
    "Your code is no longer fresh: cancel, press Resolve again and enter a new code."
)


# -- reporting ----------------------------------------------------------------------------------


@tells_member
def open_report(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    """ "Report a compromised account" on the checklist or the Home tab."""
    open_report_modal(body["user"]["id"], body["trigger_id"], client, services, respond)


def open_report_modal(
    user: str, trigger_id: str, client: WebClient, services: Services, respond: Respond | None
) -> None:
    accounts = services.cases.accounts_to_report(user)
    if not accounts:
        routing = services.workspace_settings.routing()
        support = Support(routing.support_contact, routing.support)
        step_up.tell(client, user, respond, _(NO_ACCOUNTS).format(support=support_words(support)))
        return
    client.views_open(trigger_id=trigger_id, view=modals.report_modal(accounts))


def submit_report(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services, context: BoltContext
) -> None:
    account = modals.value_of(view, Block.ACCOUNT)
    said = modals.value_of(view, Block.WHAT_HAPPENED)
    seen = modals.value_of(view, Block.CHARGES_SEEN) or ChargesSeen.UNSURE.value
    if not account.isdigit():
        ack(response_action="errors", errors={Block.ACCOUNT: _("Choose a business account.")})
        return
    try:
        change = services.cases.report(body["user"]["id"], int(account), said, ChargesSeen(seen))
    except (DomainError, ValueError) as error:
        message = error.user_message if isinstance(error, DomainError) else _("Choose an answer.")
        field = Block.WHAT_HAPPENED if isinstance(error, InvalidInput) else Block.ACCOUNT
        ack(response_action="errors", errors={field: message})
        return
    context[CHANGE] = change
    ack()


@tells_member
def publish_from_context(
    body: dict[str, Any], client: WebClient, services: Services, context: BoltContext
) -> None:
    change = context.get(CHANGE)
    if isinstance(change, CaseChange):
        publish(client, services, change)
        user = body["user"]["id"]
        if all(notice.recipient != user for notice in change.notices):
            # Opened from the account manager's desk, as by command: no reporter's DM for them.
            client.chat_postMessage(channel=user, text=opened_words(change))


# -- the card's buttons -------------------------------------------------------------------------


def number_on_button(body: dict[str, Any], *, unclear: str) -> int:
    """The number a pressed button carries (a case, a charge, a sign-in alert); `unclear` says
    what could not be told when it carries none."""
    value = str((body.get("actions") or [{}])[0].get("value") or "")
    if not value.isdigit():
        raise InvalidInput(unclear)
    return int(value)


def _number(body: dict[str, Any]) -> int:
    return number_on_button(
        body, unclear=_("I couldn't tell which case or charge this button is about.")
    )


def _metadata(number: int, body: dict[str, Any]) -> str:
    return json.dumps({"item": number, "response_url": body.get("response_url")})


def item_of(view: dict[str, Any]) -> int:
    try:
        item = json.loads(view.get("private_metadata") or "{}").get("item")
    except (ValueError, AttributeError):
        item = None
    if not isinstance(item, int):
        raise InvalidInput(_("This form can't be used any more. Start again from the case card."))
    return item


def _case_step(step: Callable[[Services], Callable[[str, int], CaseChange]]) -> Listener:
    """A card button that moves its case (or charge) one step: the presser and the number go to
    the service, and the card shows the change."""

    @tells_member
    def listener(
        body: dict[str, Any], client: WebClient, services: Services, respond: Respond
    ) -> None:
        publish(client, services, step(services)(body["user"]["id"], _number(body)))

    return listener


ONE_STEP: dict[Action, Listener] = {
    Action.CASE_TAKE: _case_step(lambda services: services.cases.take),
    Action.CASE_SUSPEND: _case_step(lambda services: services.cases.suspend),
    Action.CASE_INVESTIGATE: _case_step(lambda services: services.cases.investigate),
    Action.CASE_REOPEN: _case_step(lambda services: services.cases.reopen),
    Action.CHARGE_PROCESSED: _case_step(lambda services: services.cases.charges.processed),
}


@tells_member
def open_resolution(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    """Resolving needs a fresh code first (no code is asked of someone who may not resolve); the
    resolution form follows at once, or right after a correct code."""
    user, number = body["user"]["id"], _number(body)
    services.cases.check(user, number, Operation.RESOLVE)
    step_up.on_press(body, client, services, RESOLVE, {"case": number}, respond)


def resolution_form(services: Services, user: str, step: Next) -> dict[str, Any]:
    """The form only: submitting it is checked again (who may resolve, and a fresh code)."""
    number = step.number("case", unclear=_("I couldn't tell which case to resolve."))
    metadata = json.dumps({"item": number, "response_url": step.response_url})
    return modals.resolve_modal(number, metadata)


# Translators: completes "To …, I need a current code".
RESOLVE = Form(StepUp.RESOLVE_CASE, N_("resolve a compromise case"), resolution_form)


def submit_resolution(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services
) -> None:
    outcome = modals.value_of(view, Block.OUTCOME)
    summary = modals.value_of(view, Block.SUMMARY)
    errors: dict[str, str] = {}
    if outcome not in set(Outcome):
        errors[Block.OUTCOME] = _("Choose the outcome.")
    if not summary.strip():
        errors[Block.SUMMARY] = _("Write what the investigation found.")
    if not errors and not services.authenticator.is_fresh(body["user"]["id"]):
        errors[Block.SUMMARY] = _(STEP_UP_EXPIRED)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack()


@tells_member
def resolve(
    body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services
) -> None:
    """After the acknowledgement: restoring access may wait on the platform."""
    outcome = Outcome(modals.value_of(view, Block.OUTCOME))
    summary = modals.value_of(view, Block.SUMMARY)
    change = services.cases.resolve(body["user"]["id"], item_of(view), outcome, summary)
    publish(client, services, change)


def _text_form(field: Block, change: Callable[[Services, str, int, str], CaseChange]) -> Listener:
    """A case form of one text field (a rejection's reason, more information): the change is made
    in the acknowledgement, with the member, the case or charge number and the text."""

    def submit(
        ack: Ack,
        body: dict[str, Any],
        view: dict[str, Any],
        services: Services,
        context: BoltContext,
    ) -> None:
        text = modals.value_of(view, field)
        user = body["user"]["id"]
        change_in_ack(ack, context, field, lambda: change(services, user, item_of(view), text))

    return submit


# -- charges ------------------------------------------------------------------------------------


def submit_charge(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services, context: BoltContext
) -> None:
    amount = modals.value_of(view, Block.AMOUNT)
    currency = modals.value_of(view, Block.CURRENCY)
    try:
        money.minor_units(amount, money.currency_of(currency))
    except InvalidInput as error:
        field = Block.CURRENCY if isinstance(error, money.BadCurrency) else Block.AMOUNT
        ack(response_action="errors", errors={field: error.user_message})
        return
    description = modals.value_of(view, Block.DESCRIPTION)
    change_in_ack(
        ack,
        context,
        Block.DESCRIPTION,
        lambda: services.cases.charges.record(
            body["user"]["id"], item_of(view), amount, currency, description
        ),
    )


@tells_member
def approve(body: dict[str, Any], client: WebClient, services: Services, respond: Respond) -> None:
    """Four eyes first (no code is asked of someone who may not approve), then a step-up."""
    user, charge = body["user"]["id"], _number(body)
    services.cases.charges.check_approval(user, charge)
    step_up.on_press(body, client, services, APPROVE, {"charge": charge}, respond)


def approve_charge(client: WebClient, services: Services, user: str, step: Next) -> None:
    charge = step.number("charge", unclear=_("I couldn't tell which charge to approve."))
    publish(client, services, services.cases.charges.approve(user, charge))


# Translators: completes "To …, I need a current code".
APPROVE = Act(StepUp.APPROVE_REIMBURSEMENT, N_("approve a reimbursement"), approve_charge)


@tells_member
def open_rejection(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    charge = _number(body)
    services.cases.charges.check_rejection(body["user"]["id"], charge)
    modal = modals.reject_modal(_metadata(charge, body))
    client.views_open(trigger_id=body["trigger_id"], view=modal)


submit_rejection = _text_form(
    Block.REASON,
    lambda services, user, charge, reason: services.cases.charges.reject(user, charge, reason),
)


# -- adding information (the reporter's DM) --------------------------------------------------------


submit_add_info = _text_form(
    Block.WHAT_HAPPENED,
    lambda services, user, case, said: services.cases.add_info(user, case, said),
)


# -- shared by the modals above -------------------------------------------------------------------


def case_modal(operation: Operation, modal: Callable[[int, str], dict[str, Any]]) -> Listener:
    """A card button that opens a case's form: only someone the case's rules let do `operation`
    gets it; the submission is checked again, as a request can be forged."""

    @tells_member
    def listener(
        body: dict[str, Any], client: WebClient, services: Services, respond: Respond
    ) -> None:
        number = _number(body)
        services.cases.check(body["user"]["id"], number, operation)
        view = modal(number, _metadata(number, body))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    return listener


CASE_FORMS: dict[Action, Listener] = {
    Action.CASE_RECORD_CHARGE: case_modal(Operation.RECORD_CHARGE, modals.charge_modal),
    Action.CASE_ADD_INFO: case_modal(Operation.ADD_INFO, modals.add_info_modal),
}


def change_in_ack(
    ack: Ack, context: BoltContext, field: Block, change: Callable[[], CaseChange]
) -> None:
    """Change the case before answering, so a refusal shows on `field` while the modal is open;
    `publish_from_context` shows the change after the answer."""
    try:
        context[CHANGE] = change()
    except DomainError as error:
        ack(response_action="errors", errors={field: error.user_message})
        return
    ack()


NO_ACCOUNTS = N_(
    "No business accounts are on record for you, so there is nothing to report here. If one "
    "you use was compromised, contact your account manager or {support} now."
)


def register(app: App) -> None:
    on_buttons(
        app,
        {
            Action.REPORT_COMPROMISE: open_report,
            **ONE_STEP,
            Action.CASE_RESOLVE: open_resolution,
            **CASE_FORMS,
            Action.CHARGE_APPROVE: approve,
            Action.CHARGE_REJECT: open_rejection,
        },
    )
    app.view(Callback.CASE_REPORT)(ack=submit_report, lazy=[publish_from_context])
    app.view(Callback.CASE_RESOLVE)(ack=submit_resolution, lazy=[resolve])
    app.view(Callback.CASE_CHARGE)(ack=submit_charge, lazy=[publish_from_context])
    app.view(Callback.CHARGE_REJECT)(ack=submit_rejection, lazy=[publish_from_context])
    app.view(Callback.CASE_ADD_INFO)(ack=submit_add_info, lazy=[publish_from_context])
