"""What the Slack client does for its reader before anything is drawn: a mention shows the
person's name, a date token shows the moment in the reader's own time zone.

The app writes `<@U0ANA>` and `<!date^…|fallback>` exactly as it does for real Slack; the
sandbox fills in what Slack would, so the console never shows a bare user id or a UTC time the
reader did not ask for."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")
_DATE = re.compile(r"<!date\^(\d+)\^([^|>]*)(?:\|[^>]*)?>")
# Slack's date tokens, as this sandbox spells them (Slack itself follows the reader's locale).
_FORMATS = {
    "{date_num}": "%Y-%m-%d",
    "{date}": "%B %-d, %Y",
    "{date_short}": "%d %b %Y",
    "{date_long}": "%A, %B %-d, %Y",
    "{date_pretty}": "%B %-d, %Y",
    "{date_short_pretty}": "%d %b %Y",
    "{date_long_pretty}": "%A, %B %-d, %Y",
    "{time}": "%H:%M",
    "{time_secs}": "%H:%M:%S",
}


def for_reader(content: Any, names: Mapping[str, str], zone: ZoneInfo) -> Any:
    """`content` (a message, view or text) with mentions named and dates in `zone`."""
    if isinstance(content, str):
        return _dates(_mentions(content, names), zone)
    if isinstance(content, Mapping):
        return {key: for_reader(value, names, zone) for key, value in content.items()}
    if isinstance(content, list):
        return [for_reader(value, names, zone) for value in content]
    return content


def _mentions(text: str, names: Mapping[str, str]) -> str:
    def named(match: re.Match[str]) -> str:
        user = match.group(1)
        return f"<@{user}|{names[user]}>" if user in names else match.group(0)

    return _MENTION.sub(named, text)


def _dates(text: str, zone: ZoneInfo) -> str:
    def local(match: re.Match[str]) -> str:
        moment = datetime.fromtimestamp(int(match.group(1)), UTC).astimezone(zone)
        shown = match.group(2)
        for token, pattern in _FORMATS.items():
            shown = shown.replace(token, moment.strftime(pattern))
        return f"<!date^{match.group(1)}^{match.group(2)}|{shown}>"

    return _DATE.sub(local, text)
