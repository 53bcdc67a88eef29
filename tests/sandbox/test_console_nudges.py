"""The nudges in the sandbox: move the app's clock, sweep, and answer the DM like a member."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.config import Settings
from tests.sandbox.test_console import session, shown_after

pytestmark = pytest.mark.e2e


def tuesday_after_a_week() -> datetime:
    """A Tuesday at least 8 days on (past the 7-day grace), at 00:00 UTC."""
    day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=8)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def test_a_reminder_arrives_in_working_hours_is_snoozed_comes_back_and_turns_green(
    settings: Settings, database_url: str
) -> None:
    day = tuesday_after_a_week()
    night, morning = day.replace(hour=21), day.replace(hour=8, minute=5) + timedelta(days=1)
    turns = session(
        settings,
        database_url,
        "as raj",
        f"time {night:%Y-%m-%dT%H:%M}",
        "nudge dry-run",
        "nudge",
        f"time {morning:%Y-%m-%dT%H:%M}",
        "nudge",
        "press Snooze 1 day",
        "time +1d",
        "nudge",
        "press I've turned it on",
        "choose 1 1",
        "choose 2 2",
        "submit",
    )
    assert "Wed 09:05 for you" in shown_after(turns, f"time {morning:%Y-%m-%dT%H:%M}")
    assert "would send 0 reminders" in shown_after(turns, "nudge dry-run")
    at_night = shown_after(turns, "nudge", 0)
    assert "Raj Example's DM" not in at_night and "your DM" not in at_night  # 22:00 in Berlin
    first = shown_after(turns, "nudge", 1)
    assert "new message in your DM" in first and "2-step verification" in first
    assert "Snoozed until" in shown_after(turns, "press Snooze 1 day")
    again = shown_after(turns, "nudge", 2)
    assert "new message in your DM" in again and "after a snooze" not in again
    done = shown_after(turns, "submit")
    assert "Done — thank you" in done
