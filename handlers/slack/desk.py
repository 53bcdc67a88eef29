"""The account manager's desk in Slack: "Remind now", "Open a case" and Previous / Next on the
Home tab (and "Remind now" and "Open a case" on an account's page), and `/security account`.

Each button is acknowledged at once and does its work after (lazy listeners); the services check
who may do what, whatever the buttons showed, and audit every refusal.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient

from bot.cases import modals
from bot.core.errors import InvalidInput
from bot.core.i18n import N_, _
from bot.core.ids import Action
from bot.desk import page_views
from bot.desk.service import AccountPage
from bot.services import Services
from handlers.outbound.slack_messenger import SlackMessenger
from handlers.slack import step_up
from handlers.slack.command_line import Call, Message, Subcommand, by_the_service
from handlers.slack.errors import tells_member
from handlers.slack.lazy import on_buttons
from handlers.slack.surfaces import publish_home


def _value(body: dict[str, Any]) -> str:
    return str((body.get("actions") or [{}])[0].get("value") or "")


@tells_member
def remind(body: dict[str, Any], client: WebClient, services: Services, respond: Respond) -> None:
    """Written through the outbox, then sent at once; what happened is said where the button was
    (an ephemeral answer on an account's page, a DM from the Home tab)."""
    user, member = body["user"]["id"], _value(body)
    if not member:
        raise InvalidInput(_("I couldn't tell whom to remind."))
    reminded = services.desk_reminders.remind(user, member)
    sent = services.desk_reminders.deliver(reminded, SlackMessenger(client))
    step_up.tell(client, user, respond, page_views.reminded_notice(reminded, sent))


@tells_member
def open_case(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    """The report form of compromise cases, for this one account (bot/cases opens or joins)."""
    value = _value(body)
    if not value.isdigit():
        raise InvalidInput(_("I couldn't tell which business account this button is about."))
    account = services.desk.opening(body["user"]["id"], int(value))
    client.views_open(trigger_id=body["trigger_id"], view=modals.report_modal([account]))


@tells_member
def turn_page(body: dict[str, Any], client: WebClient, services: Services) -> None:
    value = _value(body)
    publish_home(body["user"]["id"], client, services, int(value) if value.isdigit() else 0)


# -- `/security account <account id or name>` ---------------------------------------------------


def _account(call: Call) -> Message:
    found = call.services.desk.page(call.viewer, " ".join(call.arguments))
    if isinstance(found, AccountPage):
        return page_views.account_message(found)
    return page_views.choices_message(found)


def _some(arguments: tuple[str, ...]) -> bool:
    return bool(arguments)


ROWS = (
    Subcommand(
        "account",
        help=(
            N_(
                "`/security account <account id or name>`: a business account's posture across "
                "its members, the gaps and who owns them, and its history (its account manager, "
                "the people who work on it and security admins)"
            ),
        ),
        takes=_some,
        who=by_the_service,
        answer=_account,
    ),
)


def register(app: App) -> None:
    on_buttons(
        app,
        {
            Action.DESK_REMIND: remind,
            Action.DESK_OPEN_CASE: open_case,
            Action.DESK_NEXT: turn_page,
            Action.DESK_PREVIOUS: turn_page,
        },
    )
