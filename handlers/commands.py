"""`/security` and its subcommands. The answer goes in ack() itself, so Slack gets it at once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import views
from bot.services import Services
from bot.text import escape
from handlers.ids import Command
from handlers.profiles import refresh_profile_if_stale

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
SUBCOMMANDS = ("status", "help")


@dataclass(frozen=True)
class Invocation:
    name: str
    arguments: tuple[str, ...]


def parse(text: str) -> Invocation:
    words = tuple(text.split())
    if not words:
        return Invocation("status", ())
    return Invocation(words[0].lower(), words[1:])


def security_command(ack: Ack, command: dict[str, Any], services: Services) -> None:
    invocation = parse(command.get("text", ""))
    viewer = command["user_id"]
    if invocation.name == "help" and not invocation.arguments:
        ack(response_type="ephemeral", **views.help_message())
    elif invocation.name == "status" and len(invocation.arguments) <= 1:
        subject = viewer
        if invocation.arguments:
            match = _MENTION.match(invocation.arguments[0])
            if match is None:
                ack(response_type="ephemeral", **views.notice(_BAD_MENTION))
                return
            subject = match.group(1)
        status = services.members.status(viewer, subject)
        ack(response_type="ephemeral", **views.status_message(status.checklist, own=status.own))
    else:
        ack(response_type="ephemeral", **views.notice(_unknown(command.get("text", ""))))


def refresh_caller_profile(command: dict[str, Any], client: WebClient, services: Services) -> None:
    """After the answer: cache the caller's Slack profile on first contact."""
    refresh_profile_if_stale(command["user_id"], client, services)


_BAD_MENTION = (
    "I couldn't tell who you mean. Pick the person from the autocomplete list, "
    "like `/security status @dana`."
)


def _unknown(text: str) -> str:
    shown = escape(text.strip(), limit=60)
    return (
        f"I don't know `{shown}`. Try `/security status` for your checklist "
        "or `/security help` for everything I can do."
    )


def register(app: App) -> None:
    app.command(Command.SECURITY)(ack=security_command, lazy=[refresh_caller_profile])
