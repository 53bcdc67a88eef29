"""The words every surface shares: plurals, platform and account names, reader-zone times."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.words import account_label, platform_name, plural, slack_time


def test_a_count_takes_the_singular_only_for_one() -> None:
    assert plural(0, "account") == "0 accounts"
    assert plural(1, "account") == "1 account"
    assert plural(2, "reminder") == "2 reminders"
    assert plural(1, "person", "people") == "1 person"
    assert plural(3, "person", "people") == "3 people"
    assert plural(12_500, "member") == "12,500 members"


def test_platforms_and_accounts_are_named_as_people_know_them() -> None:
    assert platform_name("tiktok_business") == "TikTok for Business"
    assert platform_name("meta_ads") == "Meta Ads"
    assert account_label("tiktok_business", "Acme Shoes Ads", "7012345") == (
        "TikTok for Business · Acme Shoes Ads (7012345)"
    )


def test_a_moment_is_given_to_slack_to_show_in_the_readers_zone() -> None:
    moment = datetime(2026, 12, 13, 8, 16, tzinfo=UTC)
    assert slack_time(moment) == (
        f"<!date^{int(moment.timestamp())}^{{date_short}} {{time}}|13 Dec 2026 08:16 UTC>"
    )
