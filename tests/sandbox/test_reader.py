"""The sandbox shows what Slack shows its reader: names for mentions, dates in the reader's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.core.words import slack_time
from sandbox import render
from sandbox.reader import for_reader

NAMES = {"U0ANA": "Ana Example"}
BERLIN = ZoneInfo("Europe/Berlin")


def test_a_mention_shows_the_persons_name_not_their_id() -> None:
    shown = for_reader({"text": "Hi <@U0ANA>, <@U0NOBODY> asked"}, NAMES, BERLIN)
    assert render.mrkdwn(shown["text"], color=False) == "Hi @Ana Example, @U0NOBODY asked"


def test_a_date_token_shows_the_moment_in_the_readers_zone() -> None:
    token = slack_time(datetime(2026, 12, 13, 8, 16, tzinfo=UTC))
    shown = for_reader({"blocks": [{"text": {"text": f"ended {token}"}}]}, NAMES, BERLIN)
    text = shown["blocks"][0]["text"]["text"]
    assert render.mrkdwn(text, color=False) == "ended 13 Dec 2026 09:16"
    in_tokyo = for_reader(f"ended {token}", NAMES, ZoneInfo("Asia/Tokyo"))
    assert render.mrkdwn(in_tokyo, color=False) == "ended 13 Dec 2026 17:16"
