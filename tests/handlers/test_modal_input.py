"""The answer to a typed code, shared by the step-up, removing the authenticator and confirming a
recovery address (their listener tests go through the real app; these pin the shared rules)."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.core.errors import CodeRejected, DomainError
from bot.core.ids import Block
from bot.twostep import authenticator
from handlers.slack import modal_input
from sandbox.slack_standin import SlackStandIn
from tests.conftest import MemberFactory

LOCKED = "Too many wrong codes. For your safety, codes are refused for the next 15 minutes."


def submitted(values: dict[str, Any]) -> dict[str, Any]:
    return {"state": {"values": values}}


def refused(refusal: DomainError) -> tuple[dict[str, Any], BoltContext]:
    ack, context = Ack(), BoltContext()  # type: ignore[no-untyped-call]
    modal_input.refuse_code(ack, context, refusal)
    assert ack.response is not None
    return json.loads(ack.response.body), context


def test_typed_reads_a_text_input_and_nothing_else() -> None:
    view = submitted({"email": {"email": {"type": "plain_text_input", "value": "a@example.com"}}})

    assert modal_input.typed(view, Block.EMAIL) == "a@example.com"
    assert modal_input.typed(view, Block.PHONE) == ""
    assert modal_input.read_code(submitted({"code": {"code": {"value": None}}})) == ""
    assert modal_input.read_code(submitted({"code": {"code": {"value": " 123 456"}}})) == " 123 456"


def test_a_refused_code_is_shown_on_the_code_input() -> None:
    answer, context = refused(CodeRejected("That code didn't work."))

    assert answer == {"response_action": "errors", "errors": {"code": "That code didn't work."}}
    assert context.get(modal_input.LOCKED_NOW) is None


def test_any_domain_error_is_shown_on_the_code_input_without_a_lockout() -> None:
    answer, context = refused(authenticator.NoAuthenticator("You have no authenticator linked."))

    assert answer["errors"] == {"code": "You have no authenticator linked."}
    assert context.get(modal_input.LOCKED_NOW) is None


def test_the_code_that_locks_is_remembered_for_the_dm() -> None:
    answer, context = refused(CodeRejected(LOCKED, locked_now=True))

    assert answer["errors"] == {"code": LOCKED}
    assert context[modal_input.LOCKED_NOW] == LOCKED


def test_a_lockout_is_told_by_dm_and_nothing_else_is(
    standin: SlackStandIn, member: MemberFactory
) -> None:
    member("U0ANA")
    client = WebClient(token="xoxb-standin", base_url=standin.base_url)

    modal_input.tell_if_locked_out(client, "U0ANA", BoltContext())
    modal_input.tell_if_locked_out(client, "U0ANA", BoltContext({modal_input.LOCKED_NOW: None}))
    assert standin.messages("U0ANA") == []

    modal_input.tell_if_locked_out(client, "U0ANA", BoltContext({modal_input.LOCKED_NOW: LOCKED}))

    [dm] = standin.messages("U0ANA")
    assert dm["text"] == f"{LOCKED} If you didn't type those codes, tell a security admin now."
