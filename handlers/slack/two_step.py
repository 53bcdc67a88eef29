"""2-step verification: `/security 2sv`, linking and managing the member's authenticator, and a
security admin resetting someone's link (after the admin's own step-up)."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core import blocks
from bot.core.errors import InvalidInput, NotAllowed
from bot.core.i18n import N_, _, reading
from bot.core.ids import Action, Callback, Surface, read_button_value
from bot.core.secure_links import LinkPurpose
from bot.services import Services
from bot.twostep import views as views_twostep
from bot.twostep.authenticator import LinkState, NoAuthenticator
from handlers.slack import modal_input, step_up, surfaces
from handlers.slack.command_line import Call, Message
from handlers.slack.errors import tells_member
from handlers.slack.lazy import acknowledge, on_buttons
from handlers.slack.modal_input import Accepted
from handlers.slack.step_up import Act, Next, StepUp

logger = logging.getLogger("security_bot")
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")


# -- /security 2sv ------------------------------------------------------------------------------


def answer(call: Call) -> Message:
    """Both protections, in the acknowledgement itself."""
    status = call.services.members.status(call.viewer)
    link = call.services.authenticator.status(call.viewer)
    return views_twostep.two_step_message(status.checklist, link)


def refuse_reset(viewer: str, subject: str, services: Services) -> None:
    """`/security 2sv reset @someone`: a non-admin is refused (and audited) by the service before
    being asked for any code; an admin's step-up and the reset follow the acknowledgement."""
    if not services.members.is_admin(viewer):
        services.authenticator.reset(viewer, subject)  # raises NotAllowed


@tells_member
def reset_after_answer(
    viewer: str,
    subject: str,
    trigger_id: str,
    client: WebClient,
    services: Services,
    respond: Respond,
) -> None:
    if not services.members.is_admin(viewer):
        return  # refused in the acknowledgement
    step_up.perform(
        client,
        services,
        RESET,
        user=viewer,
        trigger_id=trigger_id,
        arguments={"subject": subject},
        respond=respond,
    )


def reset_authenticator(client: WebClient, services: Services, user: str, step: Next) -> None:
    subject = step.arguments.get("subject")
    if not isinstance(subject, str) or not SLACK_USER_ID.match(subject):
        raise InvalidInput(_("I couldn't tell whose authenticator link to reset."))
    services.authenticator.reset(user, subject)  # checks the admin and their step-up again
    try:
        with reading(services.languages.of(subject)):  # the subject's DM, in their language
            told = blocks.notice(_(_RESET_DM))
        client.chat_postMessage(channel=subject, **told)
        surfaces.publish_home(subject, client, services)
        done = _("I've reset {member}'s authenticator link with the bot and told them by DM.")
    except SlackApiError:
        logger.warning("could not tell %s about the reset of their authenticator link", subject)
        done = _(
            "I've reset {member}'s authenticator link with the bot but I couldn't DM them: "
            "please tell them yourself."
        )
    step_up.tell(client, user, step.respond, done.format(member=f"<@{subject}>"))


RESET = Act(StepUp.RESET_AUTHENTICATOR, "reset a member's authenticator link", reset_authenticator)


# -- buttons ------------------------------------------------------------------------------------


@tells_member
def link_authenticator(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    member = body["user"]["id"]
    if services.authenticator.status(member).state is LinkState.ACTIVE:
        # begin() refuses this too; asking first saves the member a link that cannot work.
        raise NotAllowed(_(_ALREADY_LINKED))
    _send_link(client, services, member, LinkPurpose.LINK_AUTHENTICATOR, respond)


@tells_member
def new_recovery_codes(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    member = body["user"]["id"]
    _must_be_linked(services, member)
    _send_link(client, services, member, LinkPurpose.RECOVERY_CODES, respond)


@tells_member
def open_removal(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    _must_be_linked(services, body["user"]["id"])
    client.views_open(
        trigger_id=body["trigger_id"],
        view=views_twostep.remove_authenticator_modal(metadata_for(body)),
    )


def _must_be_linked(services: Services, member: str) -> None:
    """The service refuses too; asking first spares the member a link or a modal that can't work."""
    if services.authenticator.status(member).state is not LinkState.ACTIVE:
        raise NoAuthenticator(_(_NOT_LINKED))


def _send_link(
    client: WebClient, services: Services, member: str, purpose: LinkPurpose, respond: Respond
) -> None:
    """The link goes by DM. From a message, say so there; from the Home tab, the DM itself is the
    answer."""
    step_up.send_link(client, services, member, purpose)
    if respond.response_url:
        respond(response_type="ephemeral", replace_original=False, **views_twostep.link_sent())


# -- the "Remove authenticator" modal ------------------------------------------------------------


def accept_removal(member: str, view: dict[str, Any], services: Services) -> Accepted[None]:
    services.authenticator.remove(member, modal_input.read_code(view))
    return Accepted(None)


def after_removal(
    _then: None, member: str, view: dict[str, Any], client: WebClient, services: Services
) -> None:
    show_updated_from(view, member, client, services)


# -- refreshing what the member acted on ---------------------------------------------------------


def metadata_for(body: dict[str, Any]) -> str:
    """What a modal opened by a button must remember: where to refresh once it is submitted."""
    surface, item = read_button_value((body.get("actions") or [{}])[0].get("value"))
    remembered = {"response_url": body.get("response_url"), "surface": surface.value}
    return json.dumps(remembered | ({"item": item} if surface is Surface.NUDGE else {}))


def show_updated_from(
    view: dict[str, Any], member: str, client: WebClient, services: Services
) -> None:
    """After a modal's change: refresh the message its button was on, and the Home tab."""
    metadata = json.loads(view.get("private_metadata") or "{}")
    respond = step_up.respond_from(metadata)
    try:
        surface = Surface(metadata.get("surface"))
    except ValueError:
        surface = Surface.STATUS
    item = metadata.get("item")
    show_updated(
        member, client, services, respond, surface, item if isinstance(item, str) else None
    )


def show_updated(
    member: str,
    client: WebClient,
    services: Services,
    respond: Respond | None,
    surface: Surface,
    item: str | None = None,
) -> None:
    if surface is not Surface.TWO_STEP:
        surfaces.show_updated(member, client, services, respond, surface, item)
        return
    status = services.members.status(member)
    if respond is not None and respond.response_url:
        link = services.authenticator.status(member)
        respond(replace_original=True, **views_twostep.two_step_message(status.checklist, link))
    client.views_publish(user_id=member, view=surfaces.home(member, status.checklist, services))


_ALREADY_LINKED = N_(
    "You already have an authenticator linked. Remove it (with a current code) "
    "before linking a new one."
)
_NOT_LINKED = N_(
    "You have no authenticator linked to the bot yet. Use `/security 2sv` to link one."
)
_RESET_DM = N_(
    "A security admin reset your authenticator link with the bot; "
    "link a new one with `/security 2sv`."
)


def register(app: App) -> None:
    on_buttons(
        app,
        {
            Action.LINK_AUTHENTICATOR: link_authenticator,
            Action.NEW_RECOVERY_CODES: new_recovery_codes,
            Action.REMOVE_AUTHENTICATOR: open_removal,
        },
    )
    app.action(Action.OPEN_SECURE_LINK)(acknowledge)  # a URL button still sends a click
    submit, follow = modal_input.checked_listeners(accept_removal, after_removal)
    app.view(Callback.REMOVE_AUTHENTICATOR)(ack=submit, lazy=[follow])
