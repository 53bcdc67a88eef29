"""The statistics in the sandbox: a member fixes a gap, the next sweep counts it, and the security
admin sees it in `/security stats`; `summary` sends the admin the weekly summary with its chart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.config import Settings
from tests.bot.stats.test_chart import size_of
from tests.sandbox.test_console import session, shown_after
from tests.sandbox.test_console_nudges import tuesday_after_a_week

pytestmark = pytest.mark.e2e
RECOVERY_PHONE = re.compile(r"Recovery phone: (\d+)% \((\d+) of (\d+)\)")


def test_a_fixed_gap_shows_in_the_statistics_and_the_summary_arrives_once(
    settings: Settings, database_url: str
) -> None:
    morning = tuesday_after_a_week().replace(hour=10)
    turns = session(
        settings,
        database_url,
        f"time {morning:%Y-%m-%dT%H:%M}",
        "as sam",
        "nudge",
        "/security stats",
        "as ana",
        "/security recovery phone",
        "type 1 030 1234 5612",
        "submit",
        "/security stats",
        "as sam",
        "nudge",
        "/security stats",
        "summary",
        "summary",
        "quit",
    )

    before = shown_after(turns, "/security stats", 0)
    assert "Gathering the figures…" in before and "Security statistics" in before
    [(_, passing, _)] = RECOVERY_PHONE.findall(before)
    assert passing == "0"
    assert "@Dana Example: 0 of 2 members" in before  # the account manager's line
    refused = shown_after(turns, "/security stats", 1)  # Ana is no security admin
    assert "Only security admins can see the security statistics." in refused
    assert "Recovery phone:" not in refused
    after = shown_after(turns, "/security stats", 2)
    [(_, passing, _)] = RECOVERY_PHONE.findall(after)
    assert passing == "1"  # Ana's recovery phone, counted by the sweep after her fix

    summary = shown_after(turns, "summary", 0)
    assert "sent 1" in summary and "Weekly security summary" in summary
    assert "new message in your DM" in summary and "📎 Adoption over time" in summary
    [saved] = re.findall(r"was saved as\s+(\S+\.png)", summary)
    assert size_of(Path(saved).read_bytes()) == (800, 500)
    assert "@sam already had this week's summary" in shown_after(turns, "summary", 1)
