"""What a member types into a modal, and the answer to a typed code: an authenticator code (a
step-up, removing the authenticator) or a code mailed to a recovery address. A refused code is
shown on the code input in the acknowledgement; a lockout caused by that very submission is also
told by DM after it, because whoever typed the codes may not be the member.

Every code modal has the same shape, built once by `checked_listeners`: the code is checked in the
acknowledgement (Slack's 3 seconds are plenty), and the slow part runs after it, in a lazy
listener, only for a code accepted in that very request. The recovery phone modal has it too,
with the typed number in place of the code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.core import blocks
from bot.core.errors import CodeRejected, DomainError
from bot.core.i18n import _
from bot.core.ids import Block
from bot.services import Services
from handlers.slack.errors import tells_member

# Set by a submission's ack listener; Bolt hands lazy listeners a copy of the context taken after
# it returns, so what follows acts only on what this very request did.
LOCKED_NOW = "code_locked_now"
ACCEPTED = "code_accepted"
T = TypeVar("T")


@dataclass(frozen=True)
class Accepted(Generic[T]):
    """A code accepted in the acknowledgement: `then` is what the part after it needs, `answer`
    the acknowledgement's response (empty: the modal closes)."""

    then: T
    answer: dict[str, Any] = field(default_factory=dict)


# (member, submitted view, services) -> Accepted; raises the DomainError to show on the input.
Accept = Callable[[str, dict[str, Any], Services], Accepted[T]]
# (Accepted.then, member, submitted view, client, services), after the acknowledgement.
After = Callable[[T, str, dict[str, Any], WebClient, Services], None]


def checked_listeners(
    accept: Accept[T], after: After[T], *, on: Block = Block.CODE
) -> tuple[Callable[..., None], Callable[..., None]]:
    """The ack and lazy listeners of a code modal, registered as
    `app.view(callback)(ack=submit, lazy=[follow])`: `accept` checks the typed code in the
    acknowledgement (a refusal shows on input `on`), `after` runs the slow part once it was
    accepted."""

    def submit(
        ack: Ack,
        body: dict[str, Any],
        view: dict[str, Any],
        services: Services,
        context: BoltContext,
    ) -> None:
        try:
            accepted = accept(body["user"]["id"], view, services)
        except DomainError as refusal:
            refuse_code(ack, context, refusal, on)
            return
        context[ACCEPTED] = accepted
        ack(**accepted.answer)

    @tells_member
    def follow(
        body: dict[str, Any],
        view: dict[str, Any],
        client: WebClient,
        services: Services,
        context: BoltContext,
    ) -> None:
        member = body["user"]["id"]
        tell_if_locked_out(client, member, context)
        accepted = context.get(ACCEPTED)
        if isinstance(accepted, Accepted):
            after(accepted.then, member, view, client, services)

    return submit, follow


def typed(view: dict[str, Any], block: Block) -> str:
    """A text input's value from a submitted modal ("" when there is none)."""
    value = view["state"]["values"].get(block, {}).get(block, {}).get("value")
    return value if isinstance(value, str) else ""


def read_code(view: dict[str, Any]) -> str:
    return typed(view, Block.CODE)


def refuse_code(
    ack: Ack, context: BoltContext, refusal: DomainError, on: Block = Block.CODE
) -> None:
    """In the acknowledgement: why the code was refused, on the code input (or input `on`)."""
    if isinstance(refusal, CodeRejected) and refusal.locked_now:
        context[LOCKED_NOW] = refusal.user_message
    ack(response_action="errors", errors={on: refusal.user_message})


def tell_if_locked_out(client: WebClient, member: str, context: BoltContext) -> None:
    """After the acknowledgement: a DM when `refuse_code` saw this submission lock the member out."""
    locked = context.get(LOCKED_NOW)
    if locked:
        client.chat_postMessage(
            channel=member,
            **blocks.notice(
                f"{locked} " + _("If you didn't type those codes, tell a security admin now.")
            ),
        )
