"""`/security report` and `/security case list | show <number> | open <account id> <summary>`.

Answers go in the acknowledgement; the report modal (which needs the trigger within 3 seconds)
and a new case's card follow it, in handlers/slack/commands.py's lazy listener.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.cases import views as case_views
from bot.cases.model import CaseChange
from bot.checklist import views
from bot.core.errors import DomainError
from bot.services import Services
from handlers.slack.case_slack import publish
from handlers.slack.cases import CHANGE, open_report_modal

USAGE = (
    "`/security case list`: the open cases you can see\n"
    "`/security case show <number>`: a case with its timeline\n"
    "`/security case open <account id> <summary>`: open a case (security admins and the "
    "account's manager)\n"
    "`/security report`: report a compromised business account you work on"
)


def answer_report(ack: Ack) -> None:
    ack()  # the modal opens right after: views.open needs this request's trigger


def answer_case(
    ack: Ack, viewer: str, arguments: tuple[str, ...], services: Services, context: BoltContext
) -> None:
    action = arguments[0].lower() if arguments else "list"
    try:
        if action == "list" and len(arguments) <= 1:
            ack(response_type="ephemeral", **case_views.case_list(services.cases.list_for(viewer)))
        elif action == "show" and len(arguments) == 2 and _is_number(arguments[1]):
            detail = services.cases.show(viewer, int(arguments[1].lstrip("#")))
            ack(response_type="ephemeral", **case_views.case_detail(detail))
        elif action == "open" and len(arguments) >= 3:
            change = services.cases.open_by_command(viewer, arguments[1], " ".join(arguments[2:]))
            context[CHANGE] = change
            ack(response_type="ephemeral", **views.notice(_opened(change)))
        else:
            ack(response_type="ephemeral", **views.notice(USAGE))
    except DomainError as error:
        ack(response_type="ephemeral", **views.notice(error.user_message))


def is_opening(name: str, arguments: tuple[str, ...]) -> bool:
    return name == "case" and len(arguments) >= 3 and arguments[0].lower() == "open"


def after_answer(
    command: dict[str, Any],
    client: WebClient,
    services: Services,
    respond: Respond,
    context: BoltContext,
) -> None:
    """`report`: the modal; `case open`: the card, the thread line and the DMs."""
    change = context.get(CHANGE)
    if isinstance(change, CaseChange):
        publish(client, services, change)
    elif command.get("text", "").lower().split() == ["report"]:
        open_report_modal(command["user_id"], command["trigger_id"], client, services, respond)


def _is_number(word: str) -> bool:
    return word.lstrip("#").isdigit()


def _opened(change: CaseChange) -> str:
    card = change.case
    where = f" in <#{card.channel}>" if card.channel else ""
    if change.opened:
        return f"Case *#{card.number}* is open{where}."
    return (
        f"Case *#{card.number}* was already open for this account{where}: what you wrote went on "
        "its timeline."
    )
