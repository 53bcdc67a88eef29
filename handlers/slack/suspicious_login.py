"""After a platform alert: an `account_takeover` opens a case; a `suspicious_login` asks the
account's members "Was this you?" ("No" opens a case; "Yes", after a step-up, closes the alert).

`after_alert` runs on the alerts API's background executor, after the API answered; the
scheduled job (handlers/jobs/cases.py) runs it again for any alert whose follow-up was lost.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient

from bot.cases import login_views
from bot.cases.logins import LoginAnswer
from bot.core.i18n import N_, _, reading
from bot.core.ids import Action
from bot.nudges.sender import DeliveryFailed, Messenger
from bot.services import Services
from handlers.outbound.slack_messenger import SlackMessenger
from handlers.slack import step_up
from handlers.slack.case_slack import publish_with
from handlers.slack.cases import number_on_button
from handlers.slack.errors import tells_member
from handlers.slack.lazy import on_buttons
from handlers.slack.step_up import Act, Next, StepUp

logger = logging.getLogger("security_bot.cases")


def after_alert(client: WebClient, services: Services, platform_alert_id: str) -> None:
    follow_up(SlackMessenger(client), services, platform_alert_id)


def follow_up(messenger: Messenger, services: Services, platform_alert_id: str) -> None:
    """Nothing happens for other kinds of alerts, nor twice for the same alert."""
    change = services.cases.open_from_alert(platform_alert_id)
    if change is not None:
        publish_with(messenger, services, change)
    question = services.cases.logins.question(platform_alert_id)
    if question is None:
        return
    for recipient in question.recipients:
        with reading(services.languages.of(recipient.slack_user_id)):
            message = question.message
        try:
            sent = messenger.post(recipient.slack_user_id, message)
        except DeliveryFailed as failure:
            logger.warning(
                "could not ask %s about a sign-in: %s", recipient.slack_user_id, failure.code
            )
            continue
        services.cases.logins.remember(question.alert_key, recipient, sent.channel, sent.ts)


def _alert_key(body: dict[str, Any]) -> int:
    return number_on_button(body, unclear=_(_UNCLEAR))


@tells_member
def not_me(body: dict[str, Any], client: WebClient, services: Services, respond: Respond) -> None:
    answer = services.cases.logins.not_me(body["user"]["id"], _alert_key(body))
    _show(SlackMessenger(client), services, answer)


@tells_member
def was_me(body: dict[str, Any], client: WebClient, services: Services, respond: Respond) -> None:
    user, alert = body["user"]["id"], _alert_key(body)
    services.cases.logins.check_member(user, alert)
    step_up.on_press(body, client, services, CONFIRM, {"alert": alert}, respond)


def confirmed(client: WebClient, services: Services, user: str, step: Next) -> None:
    alert = step.number("alert", unclear=_(_UNCLEAR))
    _show(SlackMessenger(client), services, services.cases.logins.was_me(user, alert))


CONFIRM = Act(StepUp.CONFIRM_LOGIN, login_views.CONFIRM_REASON, confirmed)


def _show(messenger: Messenger, services: Services, answer: LoginAnswer) -> None:
    """Every DM that asked now says who answered; a "No" shows its case."""
    for dm in answer.dms:
        try:
            messenger.update(dm.channel, dm.ts, answer.message)
        except DeliveryFailed as failure:
            logger.warning("could not update a sign-in question: %s", failure.code)
    if answer.change is not None:
        publish_with(messenger, services, answer.change)


_UNCLEAR = N_("I couldn't tell which sign-in this is about.")


def register(app: App) -> None:
    on_buttons(app, {Action.LOGIN_NOT_ME: not_me, Action.LOGIN_WAS_ME: was_me})
