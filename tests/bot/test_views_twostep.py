"""The 2-step verification payloads stay within Slack's limits and escape user text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.core.secure_links import LinkPurpose
from bot.twostep import views as views_twostep
from bot.twostep.authenticator import LinkState, LinkStatus
from sandbox.slack_standin import validate_blocks, validate_view
from tests.bot.test_views import _checklist, _mrkdwn

AT = datetime(2026, 11, 24, 10, tzinfo=UTC)
LINKS = [
    LinkStatus(LinkState.NONE, None, 0),
    LinkStatus(LinkState.PENDING, None, 0),
    LinkStatus(LinkState.ACTIVE, AT, 10),
    LinkStatus(LinkState.ACTIVE, AT, 1),
]


@pytest.mark.parametrize("accounts", [0, 1, 20, 21, 200])
@pytest.mark.parametrize("link", LINKS, ids=lambda link: f"{link.state}-{link.recovery_codes_left}")
def test_two_step_message_within_limits_and_escaped(accounts: int, link: LinkStatus) -> None:
    message = views_twostep.two_step_message(_checklist(accounts), link)

    assert validate_blocks(message["blocks"], surface="message") == []
    for block in message["blocks"]:
        Block.parse(block).validate_json()  # type: ignore[union-attr]
    mrkdwn = _mrkdwn(message)
    assert "<!channel>" not in mrkdwn and "<@U123>" not in mrkdwn
    if accounts:
        assert "&lt;!channel&gt;" in mrkdwn
    if accounts > views_twostep.ACCOUNTS_SHOWN:
        assert f"…and {accounts - views_twostep.ACCOUNTS_SHOWN} more" in mrkdwn


def test_recovery_codes_running_low_is_said() -> None:
    message = views_twostep.two_step_message(_checklist(0), LINKS[3])
    assert "Recovery codes left: 1 (running low" in json.dumps(message)


@pytest.mark.parametrize("purpose", [LinkPurpose.LINK_AUTHENTICATOR, LinkPurpose.RECOVERY_CODES])
def test_link_dm_within_limits_and_the_url_only_in_the_button(purpose: LinkPurpose) -> None:
    url = "https://bot.example.com/secure/x/" + "t" * 43
    message = views_twostep.link_dm(purpose, url, minutes=10, reason="<!here> why")

    assert validate_blocks(message["blocks"], surface="message") == []
    assert url not in message["text"] and url not in _mrkdwn(message)
    assert "<!here>" not in _mrkdwn(message)
    assert "works once, for 10 minutes" in _mrkdwn(message)


def test_code_modals_within_limits() -> None:
    for modal in (
        views_twostep.step_up_modal("reset <!channel>", "{}"),
        views_twostep.remove_authenticator_modal("{}"),
    ):
        assert validate_view(modal) == []
        View(**modal).validate_json()
        assert "<!channel>" not in _mrkdwn(modal)
