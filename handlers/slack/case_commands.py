"""`/security report` and `/security case list | show <number> | open <account id> <summary>`.

Answers go in the acknowledgement; the report modal (which needs the trigger within 3 seconds)
and a new case's card follow it (handlers/slack/commands.py runs them after the acknowledgement).
"""

from __future__ import annotations

from bot.cases import views as case_views
from bot.core import blocks
from bot.core.i18n import N_, _
from handlers.slack.case_slack import opened_words, publish
from handlers.slack.cases import CHANGE, open_report_modal
from handlers.slack.command_line import Call, Message

USAGE = N_(
    "`/security case list`: the open cases you can see\n"
    "`/security case show <number>`: a case with its timeline\n"
    "`/security case open <account id> <summary>`: open a case (security admins and the "
    "account's manager)\n"
    "`/security case severity <number> <critical|high|medium|low> <reason>`: change a case's "
    "severity\n"
    "`/security case ticket <number> <reference> [what the platform answered]`: the platform's "
    "ticket or appeal\n"
    "`/security case review <number>`: the post-incident review of a resolved case\n"
    "`/security report`: report a compromised business account you work on"
)


def answer_report(call: Call) -> None:
    """Nothing to say: the modal opens right after, as views.open needs this request's trigger."""


def open_report(call: Call) -> None:
    open_report_modal(call.viewer, call.line.trigger_id, call.client, call.services, call.respond)


def answer_case(call: Call) -> Message:
    """`case list`, `case show <number>`, or how to use them (`case open` is a row of its own)."""
    arguments = call.arguments
    action = arguments[0].lower() if arguments else "list"
    if action == "list" and len(arguments) <= 1:
        return case_views.case_list(call.services.cases.list_for(call.viewer))
    if action == "show" and len(arguments) == 2 and _is_number(arguments[1]):
        detail = call.services.cases.show(call.viewer, int(arguments[1].lstrip("#")))
        return case_views.case_detail(detail)
    return blocks.notice(_(USAGE))


def takes_opening(arguments: tuple[str, ...]) -> bool:
    """`case open <account id> <summary>`; with less, `case` answers how to use it."""
    return len(arguments) >= 2


def open_case(call: Call) -> Message:
    arguments = call.arguments
    change = call.services.cases.open_by_command(call.viewer, arguments[0], " ".join(arguments[1:]))
    call.context[CHANGE] = change
    return blocks.notice(opened_words(change))


def publish_opened(call: Call) -> None:
    """The card, the thread line and the DMs of the case `open_case` opened."""
    publish(call.client, call.services, call.context[CHANGE])


def _is_number(word: str) -> bool:
    return word.lstrip("#").isdigit()
