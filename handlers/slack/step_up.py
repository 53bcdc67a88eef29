"""Step-up: a fresh code from the member's authenticator app before a sensitive action.

Any handler requires it with one call, and registers what to do once the code is right (add the
purpose to `StepUp` first; start-up fails while a purpose has no continuation):

    @step_up.continuation(StepUp.CLOSE_ALERT, reason="close a compromised-password alert")
    def close_alert(*, client, services, user, context, respond) -> None:
        services.alerts.close(user, context["alert"])   # the service checks is_fresh itself
        ...

    # in a lazy listener (views.open needs the trigger_id within 3 seconds of the click):
    step_up.perform(client, services, user=user, trigger_id=body["trigger_id"],
                    purpose=StepUp.CLOSE_ALERT, context={"alert": alert_id}, respond=respond)

`perform` runs the continuation at once when the member's last step-up is still fresh (10
minutes by default); a caller that does something else at once (opens a modal with the
trigger_id, say) uses `require`, which then returns True. Otherwise both open the modal "Enter a
code from your authenticator app", whose private_metadata carries the purpose and `context` (JSON,
at most 3,000 characters: ids, never secrets); once the code is right the modal closes and the
continuation registered for the purpose runs with that context, in a lazy listener after the
acknowledgement (so it may call Slack freely); its DomainErrors are shown to the member where they
acted (`respond`: the response_url given to `require`, or a DM). A member with no linked
authenticator is told why one is needed and gets the one-time link in a DM instead.

This is the member's experience, not the authorisation: the service behind a sensitive action
must check `services.authenticator.is_fresh(user)` (and whether the user may act at all) itself,
because a request can be forged with any private_metadata.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.checklist import views
from bot.core.errors import DomainError
from bot.core.ids import Block, Callback
from bot.core.secure_links import LinkPurpose
from bot.core.text import escape
from bot.services import Services
from bot.twostep import views as views_twostep
from bot.twostep.authenticator import LinkState
from handlers.slack import modal_input
from handlers.slack.errors import tells_member
from handlers.slack.profiles import refresh_profile_if_stale

MAX_METADATA = 3000
# Set by the submission's ack listener; Bolt hands lazy listeners a copy of the context taken after
# it returns, so the continuation runs only for a code accepted in this very request.
_ACCEPTED = "step_up_accepted"


class StepUp(StrEnum):
    """Why a step-up is asked for; each purpose has exactly one continuation."""

    RESET_AUTHENTICATOR = "reset_authenticator"
    ROTATE_PASSWORD = "rotate_password"  # noqa: S105 - "I've changed it" after an alert
    RESOLVE_CASE = "resolve_case"
    APPROVE_REIMBURSEMENT = "approve_reimbursement"
    CONFIRM_LOGIN = "confirm_login"  # "Yes, it was me" about a suspicious sign-in


class Continuation(Protocol):
    def __call__(
        self,
        *,
        client: WebClient,
        services: Services,
        user: str,
        context: dict[str, Any],
        respond: Respond | None,
    ) -> None: ...


@dataclass(frozen=True)
class _Registered:
    run: Continuation
    reason: str


_CONTINUATIONS: dict[StepUp, _Registered] = {}
C = TypeVar("C", bound=Continuation)


def continuation(purpose: StepUp, *, reason: str) -> Callable[[C], C]:
    """Register what runs once a step-up for `purpose` succeeds.

    `reason` completes "To …, I need a current code" in the modal and in the DM of a member with
    no authenticator, e.g. "reset someone's authenticator link".
    """

    def register(function: C) -> C:
        known = _CONTINUATIONS.get(purpose)
        if known is not None and known.run is not function:
            raise ValueError(f"step-up purpose {purpose} already has a continuation")
        _CONTINUATIONS[purpose] = _Registered(function, reason)
        return function

    return register


def require(
    client: WebClient,
    services: Services,
    *,
    user: str,
    trigger_id: str,
    purpose: StepUp,
    context: dict[str, Any],
    respond: Respond | None = None,
) -> bool:
    """True when `user` stepped up recently; otherwise asks for a code (or an authenticator)."""
    registered = _CONTINUATIONS[purpose]
    if services.authenticator.is_fresh(user):
        return True
    if services.authenticator.status(user).state is not LinkState.ACTIVE:
        why = (
            f"To {registered.reason}, I need a code from an authenticator app linked to the bot, "
            "so that a Slack session alone can't do damage in your name. You haven't linked one "
            "yet."
        )
        send_link(client, services, user, LinkPurpose.LINK_AUTHENTICATOR, reason=why)
        tell(client, user, respond, f"{escape(why)} {views_twostep.LINK_SENT}")
        return False
    metadata = json.dumps(
        {
            "purpose": purpose.value,
            "context": context,
            "response_url": respond.response_url if respond is not None else None,
        },
        separators=(",", ":"),
    )
    if len(metadata) > MAX_METADATA:
        raise ValueError(f"step-up context for {purpose} is too large for private_metadata")
    client.views_open(
        trigger_id=trigger_id, view=views_twostep.step_up_modal(registered.reason, metadata)
    )
    return False


def perform(
    client: WebClient,
    services: Services,
    *,
    user: str,
    trigger_id: str,
    purpose: StepUp,
    context: dict[str, Any],
    respond: Respond | None = None,
) -> None:
    """Run the continuation for `purpose` at once when `user` stepped up recently, else once the
    code is right: one path either way, so acting at once can't skip what the continuation does."""
    if require(
        client,
        services,
        user=user,
        trigger_id=trigger_id,
        purpose=purpose,
        context=context,
        respond=respond,
    ):
        _CONTINUATIONS[purpose].run(
            client=client, services=services, user=user, context=context, respond=respond
        )


def send_link(
    client: WebClient,
    services: Services,
    user: str,
    purpose: LinkPurpose,
    *,
    reason: str | None = None,
) -> None:
    """DM the member a one-time link, and remember the DM so the page can update it later."""
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
    reply(client, user, respond, views.notice(text))


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


def submit_code(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services, context: BoltContext
) -> None:
    """Check the code before answering, so a wrong one is shown on the input at once."""
    if _purpose(view) is None:
        ack(response_action="errors", errors={Block.CODE: _EXPIRED})
        return
    try:
        services.authenticator.verify(body["user"]["id"], modal_input.read_code(view))
    except DomainError as refusal:
        modal_input.refuse_code(ack, context, refusal)
        return
    context[_ACCEPTED] = True
    ack()


@tells_member
def continue_after_code(
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    services: Services,
    context: BoltContext,
) -> None:
    user = body["user"]["id"]
    modal_input.tell_if_locked_out(client, user, context)
    purpose = _purpose(view)
    if context.get(_ACCEPTED) is not True or purpose is None:
        return
    metadata = json.loads(view.get("private_metadata") or "{}")
    respond = respond_from(metadata)
    saved = metadata.get("context")
    try:
        _CONTINUATIONS[purpose].run(
            client=client,
            services=services,
            user=user,
            context=saved if isinstance(saved, dict) else {},
            respond=respond,
        )
    except DomainError as error:
        tell(client, user, respond, error.user_message)


def _purpose(view: dict[str, Any]) -> StepUp | None:
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
        purpose = StepUp(metadata.get("purpose"))
    except (ValueError, AttributeError):
        return None
    return purpose if purpose in _CONTINUATIONS else None


_EXPIRED = "This request can't be completed any more. Start again from where you were."


def register(app: App) -> None:
    missing = sorted(set(StepUp) - set(_CONTINUATIONS))
    if missing:
        raise RuntimeError(f"step-up purposes without a continuation: {', '.join(missing)}")
    app.view(Callback.STEP_UP)(ack=submit_code, lazy=[continue_after_code])
