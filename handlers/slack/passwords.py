"""Passwords in Slack: `/security password` and the checklist's "Check my passwords" both DM the
one-time link to the password check page. A password is never asked for, or typed, in Slack."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient

from bot.core import blocks
from bot.core.i18n import N_, _
from bot.core.ids import Action
from bot.core.secure_links import LinkPurpose
from bot.services import Services
from bot.twostep import views as views_twostep
from handlers.slack import step_up
from handlers.slack.command_line import Call, Message
from handlers.slack.errors import tells_member
from handlers.slack.lazy import on_buttons

LINK_COMING = N_(
    "I'm sending you a one-time link in a DM: the page it opens checks your passwords. "
    "Never type a password in Slack."
)


def answer(call: Call) -> Message:
    """`/security password`: say what is coming at once; the link follows the acknowledgement."""
    return blocks.notice(_(LINK_COMING))


def send_after_answer(call: Call) -> None:
    step_up.send_link(call.client, call.services, call.viewer, LinkPurpose.PASSWORD_CHECK)


@tells_member
def check_passwords(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    step_up.send_link(client, services, body["user"]["id"], LinkPurpose.PASSWORD_CHECK)
    if respond.response_url:  # from the Home tab, the DM itself is the answer
        respond(response_type="ephemeral", replace_original=False, **views_twostep.link_sent())


def register(app: App) -> None:
    on_buttons(app, {Action.CHECK_PASSWORDS: check_passwords})
