"""`/security` and its subcommands. The answer goes in ack() itself, so Slack gets it at once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.checklist import views
from bot.core.ids import Command
from bot.core.text import escape
from bot.services import Services
from handlers.slack import case_commands, nudges, passwords, recovery, stats, two_step
from handlers.slack.profiles import refresh_profile_if_stale

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
SUBCOMMANDS = (
    "status",
    "2sv",
    "password",
    "recovery",
    "exclude",
    "include",
    "excluded",
    "report",
    "case",
    "stats",
    "help",
)


@dataclass(frozen=True)
class Invocation:
    name: str
    arguments: tuple[str, ...]


def parse(text: str) -> Invocation:
    words = tuple(text.split())
    if not words:
        return Invocation("status", ())
    return Invocation(words[0].lower(), words[1:])


def mentioned(word: str) -> str | None:
    """The user id of a mention as Slack escapes it (`<@U123|name>`), or None."""
    match = _MENTION.match(word)
    return None if match is None else match.group(1)


def is_reset(invocation: Invocation) -> bool:
    """`/security 2sv reset @someone`."""
    arguments = invocation.arguments
    return invocation.name == "2sv" and len(arguments) == 2 and arguments[0].lower() == "reset"


def security_command(
    ack: Ack, command: dict[str, Any], services: Services, context: BoltContext, client: WebClient
) -> None:
    invocation = parse(command.get("text", ""))
    viewer = command["user_id"]
    if invocation.name == "help" and not invocation.arguments:
        ack(response_type="ephemeral", **views.help_message())
    elif invocation.name == "status" and len(invocation.arguments) <= 1:
        subject = viewer
        if invocation.arguments:
            found = mentioned(invocation.arguments[0])
            if found is None:
                ack(response_type="ephemeral", **views.notice(_BAD_MENTION))
                return
            subject = found
        status = services.members.status(viewer, subject)
        ack(response_type="ephemeral", **views.status_message(status.checklist, own=status.own))
        if status.profile_stale:
            # Only now and then, and without the copy of the request a lazy listener costs.
            executor = context.listener_runner.listener_executor
            executor.submit(refresh_profile_if_stale, viewer, client, services)
    elif invocation.name == "2sv" and not invocation.arguments:
        two_step.answer(ack, viewer, services)
    elif invocation.name == "recovery" and recovery.wants_modal(invocation.arguments):
        ack()  # the modal opens after the acknowledgement
    elif invocation.name == "password" and not invocation.arguments:
        passwords.answer(ack)
    elif is_reset(invocation):
        subject = mentioned(invocation.arguments[1])
        if subject is None:
            ack(response_type="ephemeral", **views.notice(_BAD_RESET_MENTION))
            return
        two_step.answer_reset(ack, viewer, subject, services)
    elif invocation.name in ("exclude", "include", "excluded"):
        arguments = invocation.arguments
        subject = mentioned(arguments[0]) if arguments else None
        nudges.answer_exclusions(ack, viewer, invocation.name, subject, arguments[1:], services)
    elif invocation.name == "report" and not invocation.arguments:
        case_commands.answer_report(ack)
    elif invocation.name == "case":
        case_commands.answer_case(ack, viewer, invocation.arguments, services, context)
    elif stats.is_stats(invocation.name, invocation.arguments):
        stats.answer(ack, viewer, services, context)
    else:
        ack(response_type="ephemeral", **views.notice(_unknown(command.get("text", ""))))


def needs_work_after_answer(command: dict[str, Any]) -> bool:
    """Only these subcommands call Slack after the answer; the others stay a single round trip."""
    invocation = parse(command.get("text", ""))
    return (
        is_reset(invocation)
        or (invocation.name, invocation.arguments) == ("password", ())
        or (invocation.name == "recovery" and recovery.wants_modal(invocation.arguments))
        or (invocation.name, invocation.arguments) == ("report", ())
        or case_commands.is_opening(invocation.name, invocation.arguments)
        or stats.is_stats(invocation.name, invocation.arguments)
    )


def after_answer(
    command: dict[str, Any],
    client: WebClient,
    services: Services,
    respond: Respond,
    context: BoltContext,
) -> None:
    """After the answer: an admin's reset (its step-up needs the trigger within 3 seconds, so it
    goes first), then the caller's Slack profile, cached on first contact."""
    invocation = parse(command.get("text", ""))
    subject = mentioned(invocation.arguments[1]) if is_reset(invocation) else None
    if subject is not None:
        two_step.reset_after_answer(
            viewer=command["user_id"],
            subject=subject,
            trigger_id=command["trigger_id"],
            client=client,
            services=services,
            respond=respond,
        )
    if invocation.name == "recovery" and recovery.wants_modal(invocation.arguments):
        recovery.open_from_command(
            arguments=invocation.arguments,
            viewer=command["user_id"],
            trigger_id=command["trigger_id"],
            client=client,
            services=services,
            respond=respond,
        )
    if (invocation.name, invocation.arguments) == ("report", ()) or case_commands.is_opening(
        invocation.name, invocation.arguments
    ):
        case_commands.after_answer(command, client, services, respond, context)
    if invocation.name == "password" and not invocation.arguments:
        passwords.send_after_answer(
            viewer=command["user_id"], client=client, services=services, respond=respond
        )
    if stats.is_stats(invocation.name, invocation.arguments):
        stats.send_after_answer(
            command=command, services=services, respond=respond, context=context
        )
    refresh_profile_if_stale(command["user_id"], client, services)


_BAD_MENTION = (
    "I couldn't tell who you mean. Pick the person from the autocomplete list, "
    "like `/security status @dana`."
)
_BAD_RESET_MENTION = (
    "I couldn't tell who you mean. Pick the person from the autocomplete list, "
    "like `/security 2sv reset @dana`."
)


def _unknown(text: str) -> str:
    shown = escape(text.strip(), limit=60)
    return (
        f"I don't know `{shown}`. Try `/security status` for your checklist, "
        "`/security 2sv` for 2-step verification, `/security password` to check your passwords, "
        "or `/security help` for everything I can do."
    )


def answered_in_full(command: dict[str, Any]) -> bool:
    return not needs_work_after_answer(command)


def register(app: App) -> None:
    # `/security status`, the commonest request, matches the first listener tried.
    app.command(Command.SECURITY, matchers=[answered_in_full])(security_command)
    app.command(Command.SECURITY, matchers=[needs_work_after_answer])(
        ack=security_command, lazy=[after_answer]
    )
