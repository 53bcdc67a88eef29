"""Block Kit's smallest pieces, shared by every feature's views: text objects, a short notice,
a modal. Pure dicts; the callers escape user text before it becomes mrkdwn."""

from __future__ import annotations

from typing import Any

from bot.core.i18n import _

Blocks = list[dict[str, Any]]


def mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn text object; `text` must already be escaped (bot.core.text.escape)."""
    return {"type": "mrkdwn", "text": text}


def plain(text: str) -> dict[str, Any]:
    """A plain_text object: Slack shows it literally, so it needs shortening, not escaping."""
    return {"type": "plain_text", "text": text, "emoji": True}


def notice(text: str) -> dict[str, Any]:
    """A short ephemeral answer; `text` must already be safe mrkdwn."""
    return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}


def modal(
    callback_id: str, title: str, submit: str, blocks: Blocks, private_metadata: str = ""
) -> dict[str, Any]:
    """A modal with a Cancel button; `private_metadata` carries what its submission is about."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title),
        "submit": plain(submit),
        "close": plain(_("Cancel")),
        "private_metadata": private_metadata,
        "blocks": blocks,
    }


def line_groups(lines: list[str], size: int = 2900) -> list[str]:
    """Lines joined into as few texts of at most `size` characters as they fit (a longer line is
    cut), so a long list fills several sections instead of being cut off."""
    groups: list[str] = []
    current = ""
    for line in lines:
        line = line if len(line) <= size else line[: size - 1] + "…"
        if current and len(current) + 1 + len(line) > size:
            groups.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        groups.append(current)
    return groups
