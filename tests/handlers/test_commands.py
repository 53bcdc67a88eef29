"""The `/security` table through the real Bolt app: a row added to it is all a new subcommand
takes, and a row without a follow-up is answered without the copy a lazy listener costs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.core import blocks
from bot.core.errors import NotAllowed
from handlers.slack import commands
from handlers.slack.command_line import Call, Message, Subcommand, any_arguments
from sandbox.slack_standin import SlackStandIn
from tests.conftest import ADMIN, MemberFactory
from tests.handlers.conftest import Slack


def admins_only(call: Call) -> None:
    if not call.services.members.is_admin(call.viewer):
        raise NotAllowed("Only security admins can ping.")


def pong(call: Call) -> Message:
    return blocks.notice(f"pong {' '.join(call.arguments)}")


def pong_again(call: Call) -> None:
    call.respond(response_type="ephemeral", replace_original=False, text=f"again, <@{call.viewer}>")


PING = Subcommand(
    "ping",
    help=("`/security ping`: check that I'm here (security admins only)",),
    takes=any_arguments,
    who=admins_only,
    answer=pong,
    follow_up=pong_again,
)


def test_a_row_added_to_the_table_is_answered_followed_up_and_guarded(
    slack: Slack, standin: SlackStandIn, member: MemberFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    member(ADMIN)
    member("U0RAJ", profile_fresh=False)  # so the follow-up listener ends with a users.info call
    monkeypatch.setitem(commands.SUBCOMMANDS, "ping", PING)

    answer = slack.command(ADMIN, "PING twice")

    assert answer == {"response_type": "ephemeral", **blocks.notice("pong twice")}
    [followed] = standin.wait_for(standin.response_url_posts)
    assert followed["text"] == f"again, <@{ADMIN}>"

    refused = slack.command("U0RAJ", "ping")

    assert refused["text"] == "Only security admins can ping."
    standin.wait_for(lambda: standin.calls("users.info"))  # the follow-up listener has finished
    assert len(standin.response_url_posts()) == 1  # nothing followed the refusal
    shown = slack.command("U0RAJ", "help")["text"]
    assert shown.index("`/security help`") < shown.index("`/security ping`: check that I'm here")


class Copies:
    """Counts the copies Bolt makes of the request's context (two per lazy listener started)."""

    def __init__(self) -> None:
        self.made = 0

    def __deepcopy__(self, memo: dict[int, object]) -> Copies:
        self.made += 1
        return self


class WithCopies(Middleware):
    def __init__(self, copies: Copies) -> None:
        self._copies = copies

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        req.context["copies"] = self._copies
        return next()


@pytest.mark.parametrize(
    ("typed", "copied"), [("status", False), ("help", False), ("password", True)]
)
def test_only_a_row_with_a_follow_up_costs_a_copy_of_the_request(
    slack: Slack, member: MemberFactory, typed: str, copied: bool
) -> None:
    member("U0ANA")
    copies = Copies()
    slack.app.use(WithCopies(copies))

    answer: dict[str, Any] = slack.command("U0ANA", typed)

    assert answer["response_type"] == "ephemeral"
    assert (copies.made > 0) == copied
