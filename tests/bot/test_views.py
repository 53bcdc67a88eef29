"""Every Block Kit payload the bot builds stays within Slack's limits and escapes user text."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.checklist import views
from bot.checklist.model import BusinessAccountRef, Check, Evidence, MemberRef, Source, State
from bot.checklist.rules import build_checklist
from bot.core import blocks
from bot.stats import views as views_stats
from sandbox.slack_standin import validate_blocks, validate_view

HOSTILE = "<!channel> *bold* <@U123> &<> " + "x" * 250
AT = datetime(2026, 11, 24, 10, tzinfo=UTC)


def _accounts(count: int) -> list[BusinessAccountRef]:
    return [
        BusinessAccountRef(
            i, str(7_000_000 + i), f"{HOSTILE} {i}", "tiktok_business", True, "U0DANA"
        )
        for i in range(1, count + 1)
    ]


def _checklist(accounts: int) -> Any:
    refs = _accounts(accounts)
    evidence = [
        Evidence(Check.TWO_STEP, ref.id, State.PASSING, Source.SELF, AT, {"method": "sms"})
        for ref in refs[::2]
    ]
    return build_checklist(MemberRef(1, "U0ANA", HOSTILE), refs, evidence)


def _mrkdwn(node: Any) -> str:
    """Every mrkdwn text in a payload: the only place Slack parses mentions and links."""
    if isinstance(node, dict):
        own = node["text"] if node.get("type") == "mrkdwn" else ""
        return own + "".join(_mrkdwn(value) for value in node.values())
    if isinstance(node, list):
        return "".join(_mrkdwn(item) for item in node)
    return ""


def _assert_valid_blocks(blocks: list[dict[str, Any]], surface: str) -> None:
    assert validate_blocks(blocks, surface=surface) == []
    for block in blocks:
        Block.parse(block).validate_json()  # type: ignore[union-attr]


@pytest.mark.parametrize("accounts", [0, 1, 30, 200])
@pytest.mark.parametrize("own", [True, False])
def test_status_message_within_limits_and_escaped(accounts: int, own: bool) -> None:
    message = views.status_message(_checklist(accounts), own=own)
    _assert_valid_blocks(message["blocks"], "message")
    mrkdwn = _mrkdwn(message)
    assert "<!channel>" not in mrkdwn
    assert "<@U123>" not in mrkdwn
    if accounts:
        assert "&lt;!channel&gt;" in mrkdwn


@pytest.mark.parametrize("accounts", [0, 1, 200])
def test_home_view_within_limits(accounts: int) -> None:
    view = views_stats.home_view(_checklist(accounts), None)
    assert validate_view(view) == []
    View(**view).validate_json()
    assert "<!channel>" not in _mrkdwn(view)


def test_two_step_modal_within_limits() -> None:
    modal = views.two_step_modal(_accounts(150))
    assert validate_view(modal) == []
    View(**modal).validate_json()
    assert len(modal["blocks"][2]["element"]["options"]) == 100  # Slack's cap on options


def test_long_lists_of_accounts_are_summarised() -> None:
    message = views.status_message(_checklist(30), own=True)
    assert "…and 20 more accounts" in str(message)


def test_help_and_notice_within_limits() -> None:
    lines = ["`/security status`: your security checklist", "`/security help`: this list"]
    _assert_valid_blocks(views.help_message(lines)["blocks"], "message")  # the real one: handlers
    _assert_valid_blocks(blocks.notice("hello")["blocks"], "message")


def test_escape_keeps_within_the_limit_without_cutting_an_entity() -> None:
    from bot.core.text import escape

    assert escape("&" * 10, limit=12) == "&amp;&amp;…"
    assert escape("<b>", limit=None) == "&lt;b&gt;"
    assert escape("short", limit=10) == "short"


def test_a_member_without_business_accounts_is_told_why_the_other_checks_do_not_apply() -> None:
    checklist = build_checklist(MemberRef(1, "U0DANA", "Dana"), [], [])
    shown = _mrkdwn(views.status_message(checklist, own=True))
    assert "*0 of 1 check passes*" in shown
    assert "Authenticator linked to the bot" in shown
    assert "The 6 other checks (2-step verification on each business account," in shown
    assert "None are on record for you, so they don't apply." in shown


def test_a_self_report_after_the_platforms_off_shows_waiting_with_its_date() -> None:
    [shop] = _accounts(1)
    later = AT.replace(hour=11)
    evidence = [
        Evidence(Check.TWO_STEP, shop.id, State.NEEDS_ACTION, Source.PLATFORM, AT, {}),
        Evidence(Check.TWO_STEP, shop.id, State.PASSING, Source.SELF, later, {"method": "sms"}),
    ]
    checklist = build_checklist(MemberRef(1, "U0ANA", "Ana"), [shop], evidence)
    shown = _mrkdwn(views.status_message(checklist, own=True))
    assert "⚪ *2-step verification on each business account*" in shown
    assert "Reported on (with SMS); waiting for the platform to confirm." in shown
    assert f"_(reported <!date^{int(later.timestamp())}^{{date_short}}|24 Nov 2026>)_" in shown
    assert "🔴" not in shown.split("🔴 *Authenticator")[0]
