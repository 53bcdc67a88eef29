"""`/security settings`: a workspace's security admins see and change its own settings in a modal.

Anyone else is refused, audited by the service. Saving checks every value and shows what is
wrong on its input; a change of the security admins first asks for a fresh code from the
admin's authenticator app (the step-up modal is pushed over the form, and a correct code saves
what was submitted, checked again by the service)."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.cases.targets import FIELDS as TARGET_FIELDS
from bot.core.errors import DomainError, NotAllowed, StepUpNeeded
from bot.core.i18n import N_, _
from bot.core.ids import Block, Callback
from bot.core.text import escape
from bot.services import Services
from bot.twostep import views as views_twostep
from bot.twostep.authenticator import LinkState
from bot.workspaces.settings_model import Proposal, SettingsInvalid
from bot.workspaces.settings_views import saved_message, settings_modal
from handlers.slack import step_up
from handlers.slack.command_line import Call, Message
from handlers.slack.errors import tells_member
from handlers.slack.step_up import Act, Next, StepUp

SAVED = "workspace_settings_saved"  # in the context: what the acknowledgement saved
# Translators: completes "To …, I need a current code from the authenticator app" (German: an
# infinitive clause, "die Sicherheitsadmins dieses Workspace zu ändern").
REASON = N_("change this workspace's security admins")
NO_AUTHENTICATOR = N_(
    "Changing the security admins needs a code from an authenticator app linked to the bot, "
    "and you haven't linked one yet: link one with /security 2sv, then save again."
)


# -- /security settings -------------------------------------------------------------------------


def may_change(call: Call) -> None:
    """Security admins only; anyone else is refused (audited by the service)."""
    call.services.workspace_settings.for_admin(call.viewer)


def answer(call: Call) -> Message | None:
    """An empty acknowledgement: the modal opens right after it."""
    return None


def open_modal(call: Call) -> None:
    current = call.services.workspace_settings.for_admin(call.viewer)
    metadata = json.dumps({"response_url": call.respond.response_url})
    view = settings_modal(current) | {"private_metadata": metadata}
    call.client.views_open(trigger_id=call.line.trigger_id, view=view)


# -- saving -------------------------------------------------------------------------------------


def submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services, context: BoltContext
) -> None:
    user = body["user"]["id"]
    book = services.workspace_settings
    proposal = read_proposal(view)
    try:
        book.validate(proposal)
        if book.would_change_admins(proposal) and not services.authenticator.is_fresh(user):
            ack(**_ask_for_code(services, user, proposal, view))
            return
        context[SAVED] = book.change(user, proposal)
    except SettingsInvalid as invalid:
        ack(response_action="errors", errors=invalid.errors)
        return
    except (NotAllowed, StepUpNeeded) as refused:
        ack(response_action="errors", errors={Block.SECURITY_ADMINS: refused.user_message})
        return
    ack(response_action="clear")


@tells_member
def after_submit(
    body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    changed = context.get(SAVED)
    if isinstance(changed, list):
        where = step_up.respond_from(_metadata(view))
        step_up.tell(client, body["user"]["id"], where, saved_message(changed))


def _ask_for_code(
    services: Services, user: str, proposal: Proposal, view: dict[str, Any]
) -> dict[str, Any]:
    """The step-up modal pushed over the form, carrying what was submitted; an error on the
    admins' input for a member with no linked authenticator app."""
    if services.authenticator.status(user).state is not LinkState.ACTIVE:
        return {"response_action": "errors", "errors": {Block.SECURITY_ADMINS: _(NO_AUTHENTICATOR)}}
    step = Next(StepUp.CHANGE_SETTINGS, _arguments(proposal), _metadata(view).get("response_url"))
    modal = views_twostep.step_up_modal(_(REASON), step.metadata())
    return {"response_action": "push", "view": modal}


def change_after_code(client: WebClient, services: Services, user: str, step: Next) -> None:
    """After a correct code: save what the form held (the service checks it all again)."""
    try:
        changed = services.workspace_settings.change(user, _proposal(step.arguments))
    except SettingsInvalid as invalid:
        raise DomainError(
            _("Nothing was saved: {problems}").format(problems=escape(invalid.user_message))
        ) from None
    step_up.tell(client, user, step.respond, saved_message(changed))


CHANGE = Act(StepUp.CHANGE_SETTINGS, REASON, change_after_code)


# -- the form's values --------------------------------------------------------------------------


def read_proposal(view: dict[str, Any]) -> Proposal:
    values: dict[str, Any] = view.get("state", {}).get("values", {})

    def field(block: Block, key: str) -> Any:
        return values.get(block, {}).get(block, {}).get(key)

    def users(block: Block) -> frozenset[str]:
        return frozenset(str(user) for user in field(block, "selected_users") or ())

    days = field(Block.WORKING_DAYS, "selected_options") or ()
    return Proposal(
        security_admins=users(Block.SECURITY_ADMINS),
        escalation_channel=field(Block.ESCALATION_CHANNEL, "selected_conversation"),
        support_channel=field(Block.SUPPORT_CHANNEL, "selected_conversation"),
        support_contact=field(Block.SUPPORT_CONTACT, "value") or "",
        support_handlers=users(Block.SUPPORT_HANDLERS),
        reminder_cap=field(Block.REMINDER_CAP, "value") or "",
        working_hours_start=field(Block.WORKING_HOURS_START, "selected_time"),
        working_hours_end=field(Block.WORKING_HOURS_END, "selected_time"),
        working_days=frozenset(_day(option.get("value")) for option in days),
        default_time_zone=field(Block.DEFAULT_TIME_ZONE, "value") or "",
        language=_chosen_value(field(Block.LANGUAGE, "selected_option")),
        targets={name: str(field(Block(name), "value") or "") for name in TARGET_FIELDS},
    )


def _chosen_value(option: Any) -> str:
    found = option.get("value") if isinstance(option, dict) else None
    return found if isinstance(found, str) else ""


def _day(value: Any) -> int:
    return int(value) if isinstance(value, str) and value.isdigit() else -1


def _arguments(proposal: Proposal) -> dict[str, int | str]:
    """The proposal in a step-up's private_metadata: plain strings, no secrets among them."""
    return {
        "admins": ",".join(sorted(proposal.security_admins)),
        "escalation": proposal.escalation_channel or "",
        "support": proposal.support_channel or "",
        "contact": proposal.support_contact,
        "handlers": ",".join(sorted(proposal.support_handlers)),
        "cap": proposal.reminder_cap,
        "start": proposal.working_hours_start or "",
        "end": proposal.working_hours_end or "",
        "days": ",".join(str(day) for day in sorted(proposal.working_days)),
        "zone": proposal.default_time_zone,
        "language": proposal.language,
        **{name: proposal.targets.get(name, "") for name in TARGET_FIELDS},
    }


def _proposal(arguments: Any) -> Proposal:
    def text(name: str) -> str:
        value = arguments.get(name)
        return value if isinstance(value, str) else ""

    def listed(name: str) -> frozenset[str]:
        return frozenset(part for part in text(name).split(",") if part)

    return Proposal(
        security_admins=listed("admins"),
        escalation_channel=text("escalation") or None,
        support_channel=text("support") or None,
        support_contact=text("contact"),
        support_handlers=listed("handlers"),
        reminder_cap=text("cap"),
        working_hours_start=text("start") or None,
        working_hours_end=text("end") or None,
        working_days=frozenset(_day(day) for day in listed("days")),
        default_time_zone=text("zone"),
        language=text("language"),
        targets={name: text(name) for name in TARGET_FIELDS},
    )


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        found = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def register(app: App) -> None:
    app.view(Callback.WORKSPACE_SETTINGS)(ack=submit, lazy=[after_submit])
