"""conversations.history for the stand-in: the messages of a channel, newest first, after
`oldest`, a page at a time, with their message metadata when `include_all_metadata` is set.

The bot reads only its own DM with a member, to learn whether a reminder that a killed sender was
posting arrived (bot/nudges/sender.py)."""

from __future__ import annotations

import copy
from typing import Any

from sandbox.slack_methods import ApiError, Workspace

__all__ = ["METHODS"]
_SHOWN = ("type", "user", "bot_id", "text", "blocks", "ts", "thread_ts", "files")


def history(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = str(args.get("channel") or "")
    if not channel:
        raise ApiError("channel_not_found")
    if channel[:1] in ("U", "W"):
        raise ApiError("channel_not_found")  # Slack wants the conversation's id, not a user's
    ws.channel(channel)
    oldest = _seconds(args.get("oldest"), 0.0)
    latest = _seconds(args.get("latest"), float("inf"))
    inclusive = _flag(args.get("inclusive"))
    limit = max(1, min(int(args.get("limit") or 100), 999))
    start = int(args.get("cursor") or 0)
    found = [
        message
        for message in reversed(ws.messages)
        if message["channel"] == channel
        and not message.get("ephemeral")
        and _within(float(message["ts"]), oldest, latest, inclusive)
    ]
    page = found[start : start + limit]
    more = start + limit < len(found)
    metadata = _flag(args.get("include_all_metadata"))
    return {
        "messages": [_shown(message, metadata) for message in page],
        "has_more": more,
        "response_metadata": {"next_cursor": str(start + limit) if more else ""},
    }


def _shown(message: dict[str, Any], metadata: bool) -> dict[str, Any]:
    shown = {key: copy.deepcopy(message[key]) for key in _SHOWN if message.get(key) is not None}
    if metadata and message.get("metadata"):
        shown["metadata"] = copy.deepcopy(message["metadata"])
    return shown


def _within(ts: float, oldest: float, latest: float, inclusive: bool) -> bool:
    if inclusive:
        return oldest <= ts <= latest
    return oldest < ts < latest


def _seconds(value: Any, default: float) -> float:
    if value in (None, ""):
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ApiError("invalid_ts_oldest") from None


def _flag(value: Any) -> bool:
    return str(value).lower() in ("1", "true")


METHODS = {"conversations.history": history}
