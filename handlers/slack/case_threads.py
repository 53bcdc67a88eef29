"""Message events (message.channels, message.groups): notes written in a case's thread become
its timeline, and so do their edits and deletions. Everything else is acknowledged and ignored;
only a message in a thread is even looked up."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.cases.notes import Noted
from bot.core.ids import Event
from bot.services import Services
from handlers.slack.lazy import acknowledge

logger = logging.getLogger("security_bot.cases")
NEW = (None, "thread_broadcast", "file_share")  # subtypes of a message someone wrote


def about_a_thread(event: dict[str, Any]) -> bool:
    """A person's message in a thread, or the edit or deletion of one."""
    subtype = event.get("subtype")
    if subtype == "message_changed":
        message = event.get("message") or {}
    elif subtype == "message_deleted":
        message = event.get("previous_message") or {}
    elif subtype in NEW:
        message = event
    else:
        return False
    thread_ts = message.get("thread_ts")
    by_a_bot = bool(message.get("bot_id")) or message.get("subtype") == "bot_message"
    return bool(thread_ts) and thread_ts != message.get("ts") and not by_a_bot


def thread_message(event: dict[str, Any], client: WebClient, services: Services) -> None:
    notes = services.cases.notes
    channel, subtype = str(event.get("channel") or ""), event.get("subtype")
    if subtype == "message_changed":
        message = event["message"]
        edited = (message.get("edited") or {}).get("ts") or str(event.get("ts") or "")
        notes.edited(
            channel, message["thread_ts"], message["ts"], edited,
            str(message.get("user") or ""), str(message.get("text") or ""),
        )  # fmt: skip
        return
    if subtype == "message_deleted":
        previous = event["previous_message"]
        ts = str(event.get("deleted_ts") or previous.get("ts"))
        notes.deleted(channel, previous["thread_ts"], ts, str(previous.get("user") or ""))
        return
    author = str(event.get("user") or "")
    result = notes.note(
        channel, event["thread_ts"], event["ts"], author, str(event.get("text") or "")
    )
    if result.outcome is Noted.REFUSED and result.message and author:
        try:
            client.chat_postEphemeral(
                channel=channel, user=author, thread_ts=event["thread_ts"], text=result.message
            )
        except SlackApiError as error:
            logger.warning(
                "could not tell %s their note was refused: %s", author, error.response.get("error")
            )


def register(app: App) -> None:
    # Bolt wants a listener for every event it gets; only thread messages do any work.
    app.event(Event.MESSAGE, matchers=[about_a_thread])(ack=acknowledge, lazy=[thread_message])
    app.event(Event.MESSAGE)(acknowledge)
