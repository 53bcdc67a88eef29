"""Making user-supplied text safe for Slack's mrkdwn."""

from __future__ import annotations

from datetime import datetime

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape(text: str, *, limit: int | None = None) -> str:
    """Escape control characters so names cannot mention, link or notify; optionally shorten first."""
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.translate(_ESCAPES)


def slack_date(moment: datetime) -> str:
    """A date Slack renders in the reader's own time zone, with a UTC fallback."""
    fallback = moment.strftime("%d %b %Y")
    return f"<!date^{int(moment.timestamp())}^{{date_short}}|{fallback}>"
