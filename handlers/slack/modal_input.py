"""What a member types into a modal, and the answer to a typed code: an authenticator code (a
step-up, removing the authenticator) or a code mailed to a recovery address. A refused code is
shown on the code input in the acknowledgement; a lockout caused by that very submission is also
told by DM after it, because whoever typed the codes may not be the member."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.checklist import views
from bot.core.errors import CodeRejected, DomainError
from bot.core.ids import Block

# Set by a submission's ack listener; Bolt hands lazy listeners a copy of the context taken after
# it returns, so the DM goes out only for a lockout this very request caused.
LOCKED_NOW = "code_locked_now"


def typed(view: dict[str, Any], block: Block) -> str:
    """A text input's value from a submitted modal ("" when there is none)."""
    value = view["state"]["values"].get(block, {}).get(block, {}).get("value")
    return value if isinstance(value, str) else ""


def read_code(view: dict[str, Any]) -> str:
    return typed(view, Block.CODE)


def refuse_code(ack: Ack, context: BoltContext, refusal: DomainError) -> None:
    """In the acknowledgement: why the code was refused, on the code input."""
    if isinstance(refusal, CodeRejected) and refusal.locked_now:
        context[LOCKED_NOW] = refusal.user_message
    ack(response_action="errors", errors={Block.CODE: refusal.user_message})


def tell_if_locked_out(client: WebClient, member: str, context: BoltContext) -> None:
    """After the acknowledgement: a DM when `refuse_code` saw this submission lock the member out."""
    locked = context.get(LOCKED_NOW)
    if locked:
        client.chat_postMessage(
            channel=member,
            **views.notice(f"{locked} If you didn't type those codes, tell a security admin now."),
        )
