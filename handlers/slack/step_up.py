"""Step-up: a fresh code from the member's authenticator app before a sensitive action.

A feature names what comes after the code, as a `Form` (the next modal, e.g. the resolve form) or
an `Act` (the action itself, e.g. approving a charge), and asks for it with one call from its
button's lazy listener (views.open needs the trigger_id within 3 seconds of the click):

    RESOLVE = step_up.Form(StepUp.RESOLVE_CASE, "resolve a compromise case", resolve_form)
    ...
    step_up.on_press(body, client, services, RESOLVE, {"case": number}, respond)

(`on_press` is `perform` for the member who pressed the button.)

`perform` continues at once when the member's last step-up is still fresh (10 minutes by
default): it opens the form, or does the action. Otherwise it opens the modal "Enter a code from
your authenticator app", whose private_metadata carries a `Next` (the purpose, its arguments: ids,
never secrets, and where the member acted). A correct code continues by itself: the
acknowledgement replaces the code modal with the form (`response_action: update`), or closes it
(`clear`) and the action runs after it, in a lazy listener (so it may call Slack freely), its
DomainErrors shown to the member where they acted. A member with no linked authenticator is told
why one is needed and gets the one-time link in a DM instead.

Which continuation answers which purpose is the table wiring.py hands to `register`: every purpose
exactly once, or start-up fails. This is the member's experience, not the authorisation: the
service behind a sensitive action checks `is_fresh` (and whether the user may act at all) itself,
because a request can be forged with any private_metadata.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient

from bot.core import blocks
from bot.core.errors import DomainError, InvalidInput
from bot.core.i18n import N_, _
from bot.core.ids import Callback
from bot.core.secure_links import LinkPurpose
from bot.core.text import escape
from bot.services import Services
from bot.twostep import views as views_twostep
from bot.twostep.authenticator import LinkState
from handlers.slack import modal_input
from handlers.slack.modal_input import Accepted
from handlers.slack.profiles import refresh_profile_if_stale

MAX_METADATA = 3000


class StepUp(StrEnum):
    """Why a step-up is asked for; each purpose has exactly one continuation."""

    RESET_AUTHENTICATOR = "reset_authenticator"
    ROTATE_PASSWORD = "rotate_password"  # noqa: S105 - "I've changed it" after an alert
    RESOLVE_CASE = "resolve_case"
    APPROVE_REIMBURSEMENT = "approve_reimbursement"
    CONFIRM_LOGIN = "confirm_login"  # "Yes, it was me" about a suspicious sign-in
    CHANGE_SETTINGS = "change_settings"  # saving a workspace's settings that change its admins
    APPROVE_EXEMPTION = "approve_exemption"  # excusing a member from a check on an account


@dataclass(frozen=True)
class Next:
    """What a step-up continues with: kept in the code modal's private_metadata, read back on
    submit as a request only (the service behind it decides who may do what)."""

    purpose: StepUp
    arguments: Mapping[str, int | str] = field(default_factory=dict)
    response_url: str | None = None

    def metadata(self) -> str:
        saved = {"purpose": self.purpose.value, "context": dict(self.arguments)}
        text = json.dumps(saved | {"response_url": self.response_url}, separators=(",", ":"))
        if len(text) > MAX_METADATA:
            raise ValueError(
                f"step-up context for {self.purpose} is too large for private_metadata"
            )
        return text

    @staticmethod
    def read(view: dict[str, Any]) -> Next | None:
        """The step-up a submitted code modal asked for; None when it is not one we know."""
        try:
            saved = json.loads(view.get("private_metadata") or "{}")
            purpose = StepUp(saved.get("purpose"))
        except (ValueError, AttributeError):
            return None
        arguments, response_url = saved.get("context") or {}, saved.get("response_url")
        if not isinstance(arguments, dict) or not all(
            isinstance(value, int | str) for value in arguments.values()
        ):
            return None
        return Next(purpose, arguments, response_url if isinstance(response_url, str) else None)

    def number(self, name: str, *, unclear: str) -> int:
        """The id argument `name` (a case, a charge, an alert); `unclear` says what is missing."""
        value = self.arguments.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidInput(unclear)
        return value

    @property
    def respond(self) -> Respond | None:
        return respond_from({"response_url": self.response_url})


@dataclass(frozen=True)
class Form:
    """The next step is a modal: `view` builds it (a DomainError refuses it)."""

    purpose: StepUp
    reason: str  # in English, for the code's readers; the member reads the purpose's _WHY
    view: Callable[[Services, str, Next], dict[str, Any]]


@dataclass(frozen=True)
class Act:
    """The next step is an action: `run` does it and tells the member (may call Slack)."""

    purpose: StepUp
    reason: str
    run: Callable[[WebClient, Services, str, Next], None]


Continuation = Form | Act


def perform(
    client: WebClient,
    services: Services,
    then: Continuation,
    *,
    user: str,
    trigger_id: str,
    arguments: Mapping[str, int | str],
    respond: Respond | None = None,
) -> None:
    """Continue with `then` at once when `user` stepped up recently, else once the code is right:
    one path either way, so acting at once can't skip what the continuation does."""
    step = Next(then.purpose, arguments, respond.response_url if respond is not None else None)
    if not services.authenticator.is_fresh(user):
        _ask_for_code(client, services, step, user=user, trigger_id=trigger_id)
    elif isinstance(then, Form):
        client.views_open(trigger_id=trigger_id, view=then.view(services, user, step))
    else:
        then.run(client, services, user, step)


def on_press(
    body: dict[str, Any],
    client: WebClient,
    services: Services,
    then: Continuation,
    arguments: Mapping[str, int | str],
    respond: Respond,
) -> None:
    """`perform` for the member who pressed a button, with the press's trigger_id."""
    perform(
        client,
        services,
        then,
        user=body["user"]["id"],
        trigger_id=body["trigger_id"],
        arguments=arguments,
        respond=respond,
    )


def _ask_for_code(
    client: WebClient, services: Services, step: Next, *, user: str, trigger_id: str
) -> None:
    """The code modal, or, for a member with no authenticator, why one is needed and the link."""
    asks, needs_link = _WHY[step.purpose]
    if services.authenticator.status(user).state is LinkState.ACTIVE:
        modal = views_twostep.step_up_modal(_(asks), step.metadata())
        client.views_open(trigger_id=trigger_id, view=modal)
        return
    why = _(needs_link)
    send_link(client, services, user, LinkPurpose.LINK_AUTHENTICATOR, reason=why)
    tell(client, user, step.respond, f"{escape(why)} {_(views_twostep.LINK_SENT)}")


def send_link(
    client: WebClient,
    services: Services,
    user: str,
    purpose: LinkPurpose,
    *,
    reason: str | None = None,
) -> None:
    """DM the member a one-time link, and remember the DM so the page can update it later;
    `reason`, in the member's language, says why it comes."""
    if purpose is LinkPurpose.LINK_AUTHENTICATOR:
        # The app's entry names the member ("Account Security: Sam Rivera"): know their name
        # before the page makes it, even when a button is the first thing they pressed.
        refresh_profile_if_stale(user, client, services)
    link = services.secure_links.issue(user, purpose)
    minutes = max(1, int(services.secure_links.lifetime.total_seconds()) // 60)
    sent = client.chat_postMessage(
        channel=user,
        unfurl_links=False,
        unfurl_media=False,
        **views_twostep.link_dm(purpose, link.url, minutes=minutes, reason=reason),
    )
    services.secure_links.attach_message(link, sent["channel"], sent["ts"])


def tell(client: WebClient, user: str, respond: Respond | None, text: str) -> None:
    """A short notice, shown as `reply` shows a message; `text` must already be safe mrkdwn."""
    reply(client, user, respond, blocks.notice(text))


def reply(client: WebClient, user: str, respond: Respond | None, message: dict[str, Any]) -> None:
    """An ephemeral answer where the member acted, or a DM when there is nowhere to answer."""
    if respond is not None and respond.response_url:
        respond(response_type="ephemeral", replace_original=False, **message)
    else:
        client.chat_postMessage(channel=user, **message)


def respond_from(metadata: dict[str, Any]) -> Respond | None:
    """Where to answer after a modal: the response_url its private_metadata kept, if any."""
    response_url = metadata.get("response_url")
    return Respond(response_url=response_url) if isinstance(response_url, str) else None


def register(app: App, continuations: Iterable[Continuation]) -> None:
    """The code modal, continuing with the one continuation of each purpose."""
    table: dict[StepUp, Continuation] = {}
    for then in continuations:
        if then.purpose in table:
            raise RuntimeError(f"step-up purpose {then.purpose} has two continuations")
        table[then.purpose] = then
    missing = sorted(set(StepUp) - set(table))
    if missing:
        raise RuntimeError(f"step-up purposes without a continuation: {', '.join(missing)}")

    def accept(user: str, view: dict[str, Any], services: Services) -> Accepted[Next | None]:
        """The code checked before answering, so a wrong one is shown on the input at once; a
        form replaces the code modal, an action closes it and runs after the answer."""
        step = Next.read(view)
        if step is None:
            raise InvalidInput(_(_EXPIRED))
        services.authenticator.verify(user, modal_input.read_code(view))
        then = table[step.purpose]
        if isinstance(then, Form):
            return Accepted(
                None, {"response_action": "update", "view": then.view(services, user, step)}
            )
        return Accepted(step, {"response_action": "clear"})

    def act(
        step: Next | None, user: str, _view: dict[str, Any], client: WebClient, services: Services
    ) -> None:
        then = table[step.purpose] if step is not None else None
        if step is None or not isinstance(then, Act):
            return  # the next form was the acknowledgement itself
        try:
            then.run(client, services, user, step)
        except DomainError as error:
            tell(client, user, step.respond, error.user_message)

    submit, follow = modal_input.checked_listeners(accept, act)
    app.view(Callback.STEP_UP)(ack=submit, lazy=[follow])


_EXPIRED = N_("This request can't be completed any more. Start again from where you were.")

# Why each purpose needs a code: whole sentences, for the code modal and for a member who has no
# authenticator linked yet.
_WHY: dict[StepUp, tuple[str, str]] = {
    StepUp.RESET_AUTHENTICATOR: (
        N_(
            "To reset a member's authenticator link, I need a current code from the "
            "authenticator app you linked to the bot."
        ),
        N_(
            "To reset a member's authenticator link, I need a code from an authenticator app "
            "linked to the bot, so that a Slack session alone can't do damage in your name. "
            "You haven't linked one yet."
        ),
    ),
    StepUp.ROTATE_PASSWORD: (
        N_(
            "To check the new password after a compromised-password alert, I need a current "
            "code from the authenticator app you linked to the bot."
        ),
        N_(
            "To check the new password after a compromised-password alert, I need a code from "
            "an authenticator app linked to the bot, so that a Slack session alone can't do "
            "damage in your name. You haven't linked one yet."
        ),
    ),
    StepUp.RESOLVE_CASE: (
        N_(
            "To resolve a compromise case, I need a current code from the authenticator app "
            "you linked to the bot."
        ),
        N_(
            "To resolve a compromise case, I need a code from an authenticator app linked to "
            "the bot, so that a Slack session alone can't do damage in your name. You haven't "
            "linked one yet."
        ),
    ),
    StepUp.APPROVE_REIMBURSEMENT: (
        N_(
            "To approve a reimbursement, I need a current code from the authenticator app you "
            "linked to the bot."
        ),
        N_(
            "To approve a reimbursement, I need a code from an authenticator app linked to the "
            "bot, so that a Slack session alone can't do damage in your name. You haven't "
            "linked one yet."
        ),
    ),
    StepUp.CONFIRM_LOGIN: (
        N_(
            "To confirm that a sign-in the platform found suspicious was yours, I need a "
            "current code from the authenticator app you linked to the bot."
        ),
        N_(
            "To confirm that a sign-in the platform found suspicious was yours, I need a code "
            "from an authenticator app linked to the bot, so that a Slack session alone can't "
            "do damage in your name. You haven't linked one yet."
        ),
    ),
    StepUp.CHANGE_SETTINGS: (
        N_(
            "To change this workspace's security admins, I need a current code from the "
            "authenticator app you linked to the bot."
        ),
        N_(
            "To change this workspace's security admins, I need a code from an authenticator "
            "app linked to the bot, so that a Slack session alone can't do damage in your name. "
            "You haven't linked one yet."
        ),
    ),
    StepUp.APPROVE_EXEMPTION: (
        N_(
            "To approve an exemption from a security check, I need a current code from the "
            "authenticator app you linked to the bot."
        ),
        N_(
            "To approve an exemption from a security check, I need a code from an authenticator "
            "app linked to the bot, so that a Slack session alone can't do damage in your name. "
            "You haven't linked one yet."
        ),
    ),
}
