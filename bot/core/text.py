"""Making user-supplied text safe for Slack: escaped in mrkdwn, shortened to Slack's limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def escape(text: str, *, limit: int | None = None) -> str:
    """Escape so names cannot mention, link or notify; the escaped result fits in `limit`."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if limit is None or len(escaped) <= limit:
        return escaped
    kept: list[str] = []
    size = 0
    for char in text:
        piece = _ESCAPES.get(char, char)
        if size + len(piece) > limit - 1:
            break
        kept.append(piece)
        size += len(piece)
    return "".join(kept) + "…"


def shorten(text: str, limit: int) -> str:
    """For plain_text fields, which Slack shows literally and never parses."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_date(moment: datetime) -> str:
    """A date Slack renders in the reader's own time zone, with a UTC fallback.

    The fallback is spelled out rather than strftime'd: the same in every locale, and cheaper on
    the status path, which dates every check."""
    utc = moment.astimezone(UTC)
    fallback = f"{utc.day:02d} {_MONTHS[utc.month - 1]} {utc.year}"
    return f"<!date^{int(moment.timestamp())}^{{date_short}}|{fallback}>"


_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")


def mention(slack_user_id: str) -> str:
    """A mention of a Slack user id we stored; anything else, escaped."""
    return (
        f"<@{slack_user_id}>" if _USER_ID.match(slack_user_id) else escape(slack_user_id, limit=40)
    )
