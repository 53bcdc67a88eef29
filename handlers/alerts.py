"""Platform alerts in Slack: the DMs about a compromised password, "I've changed it" (a step-up,
then the one-time password check page), and the same DMs updated in place once the new password
passed and the alert closed."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import views_alerts, views_twostep
from bot.alerts import AlertNotice, AlertService, ClosedAlert, Role, UnknownAccount
from bot.secure_links import LinkPurpose
from bot.services import Services
from handlers import step_up
from handlers.errors import tells_member
from handlers.ids import Action
from handlers.step_up import StepUp
from handlers.surfaces import publish_home

logger = logging.getLogger("security_bot.alerts")


# -- after an alert is accepted (on a background thread, never the request's) -------------------


def notify(client: WebClient, alerts: AlertService, notice: AlertNotice) -> None:
    """DM every member of the account, and its manager; remember each DM to update it later."""
    for recipient in notice.recipients:
        try:
            sent = client.chat_postMessage(
                channel=recipient.slack_user_id,
                unfurl_links=False,
                unfurl_media=False,
                **views_alerts.compromised_dm(notice, recipient.role),
            )
        except SlackApiError as error:
            logger.warning(
                "could not DM %s about alert %s (%s)",
                recipient.slack_user_id,
                notice.platform_alert_id,
                error.response.get("error"),
            )
            continue
        alerts.remember_message(notice.alert_key, recipient, sent["channel"], sent["ts"])


def tell_admins(client: WebClient, admins: frozenset[str], refused: UnknownAccount) -> None:
    """An alert nobody could be told about reaches the security admins instead."""
    if not admins:
        logger.warning(
            "alert %s names an unknown account and SECURITY_ADMINS is empty", refused.document.id
        )
    for admin in sorted(admins):
        try:
            client.chat_postMessage(
                channel=admin, **views_alerts.unknown_account_dm(refused.document, refused.reason)
            )
        except SlackApiError as error:
            logger.warning(
                "could not tell %s about an unknown account (%s)",
                admin,
                error.response.get("error"),
            )


def update_rotated_messages(
    client: WebClient, services: Services, closed: list[ClosedAlert]
) -> None:
    """Once `AlertService.close_for_rotation` closed alerts: every DM about them now says they are
    resolved and how long it took, and each member told sees their checklist go green."""
    for member in sorted(mark_resolved(client, closed)):
        try:
            publish_home(member, client, services)
        except SlackApiError:
            logger.warning("could not refresh the Home tab of %s after an alert closed", member)


def mark_resolved(
    client: WebClient, closed: Iterable[ClosedAlert], *, log: logging.Logger = logger
) -> set[str]:
    """Every DM about the closed alerts updated in place to say resolved, and how long it took;
    the members among those told, whose Home tab is now stale. Shared with the posture API, which
    closes alerts too (`log` keeps its warnings under its own logger)."""
    members: set[str] = set()
    for alert in closed:
        message = views_alerts.resolved_dm(alert)
        for sent in alert.messages:
            try:
                client.chat_update(channel=sent.channel, ts=sent.ts, **message)
            except SlackApiError as error:
                log.warning(
                    "could not update the DM about alert %s (%s)",
                    alert.platform_alert_id,
                    error.response.get("error"),
                )
            if sent.role is Role.MEMBER:
                members.add(sent.slack_user_id)
    return members


# -- "I've changed it" --------------------------------------------------------------------------


def acknowledge(ack: Ack) -> None:
    ack()


@tells_member
def changed_password(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    """Step up (or link an authenticator first), then the page that checks the new password."""
    user = body["user"]["id"]
    if not services.alerts.open_compromised(user):
        step_up.tell(client, user, respond, _NOTHING_OPEN)
        return
    step_up.perform(
        client,
        services,
        user=user,
        trigger_id=body["trigger_id"],
        purpose=StepUp.ROTATE_PASSWORD,
        context={},  # the page checks every account of the member
        respond=respond,
    )


@step_up.continuation(StepUp.ROTATE_PASSWORD, reason=views_alerts.ROTATION_REASON)
def send_password_check(
    *,
    client: WebClient,
    services: Services,
    user: str,
    context: dict[str, Any],
    respond: Respond | None,
) -> None:
    """The one-time password check link, by DM like every one-time link."""
    step_up.send_link(
        client, services, user, LinkPurpose.PASSWORD_ROTATION, reason=views_alerts.LINK_REASON
    )
    if respond is not None and respond.response_url:
        step_up.tell(client, user, respond, views_twostep.LINK_SENT)


_NOTHING_OPEN = (
    "There is no open compromised-password alert on your business accounts: "
    "it has already been resolved."
)


def register(app: App) -> None:
    app.action(Action.PASSWORD_CHANGED)(ack=acknowledge, lazy=[changed_password])
