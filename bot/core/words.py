"""How the product names things to people: counts with their plural, platforms and business
accounts by name, and moments Slack shows in the reader's own time zone.

Every surface uses these, so a member never reads "1 accounts", a platform slug, or a UTC time."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.i18n import _

TIKTOK_BUSINESS = "tiktok_business"
PLATFORM_NAMES = {TIKTOK_BUSINESS: "TikTok for Business"}


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`plural(1, "account")` is "1 account", `plural(2, "account")` "2 accounts"; irregular
    words name their plural (`plural(3, "person", "people")`)."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"


def platform_name(platform: str) -> str:
    """ "tiktok_business" reads "TikTok for Business"; an unknown slug is spelled out."""
    return PLATFORM_NAMES.get(platform, platform.replace("_", " ").strip().title() or _("Platform"))


def account_label(platform: str, name: str, platform_account_id: str) -> str:
    """A business account as people know it: "TikTok for Business · Acme Shoes Ads (7012345)".
    Not escaped: callers escape for mrkdwn."""
    return f"{platform_name(platform)} · {name} ({platform_account_id})"


def slack_time(moment: datetime) -> str:
    """A date and time Slack shows in the reader's own time zone, with a UTC fallback."""
    fallback = moment.astimezone(UTC).strftime("%d %b %Y %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short}} {{time}}|{fallback}>"
