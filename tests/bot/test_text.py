"""Text made safe and readable for Slack."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.core.text import escape, slack_date


def test_a_date_renders_in_the_readers_zone_with_a_utc_fallback() -> None:
    moment = datetime(2026, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))  # 04:30 UTC, 2nd

    assert slack_date(moment) == f"<!date^{int(moment.timestamp())}^{{date_short}}|02 Mar 2026>"


def test_escape_keeps_names_from_mentioning_or_linking() -> None:
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert escape("a" * 10, limit=5) == "aaaa…"
