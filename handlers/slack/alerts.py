"""Platform alerts in Slack: the DMs about a compromised password; "I've changed it" (the alert
waits for the platform, and the one-time password check page follows at once, after a code only
for a member with an authenticator linked); "Report unauthorized activity" (the case report form,
set to the alert's account); and the same DMs updated in place once reported changed or
resolved."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.cases import modals
from bot.core.i18n import N_, _, reading
from bot.core.ids import Action, Surface, read_button_value
from bot.core.secure_links import LinkPurpose
from bot.platform import views as views_alerts
from bot.platform.alerts import AlertNotice, AlertService, UnknownAccount
from bot.platform.compromised import ClosedAlert, Role
from bot.services import Services
from bot.twostep import views as views_twostep
from handlers.slack import step_up
from handlers.slack.cases import NO_ACCOUNTS
from handlers.slack.errors import tells_member
from handlers.slack.lazy import on_buttons
from handlers.slack.step_up import Act, Next, StepUp
from handlers.slack.surfaces import publish_home

logger = logging.getLogger("security_bot.alerts")

LanguageOf = Callable[[str], str]  # a member's language (services.languages.of)


def _reading_for(slack_user_id: str, language_of: LanguageOf | None) -> AbstractContextManager[Any]:
    """Text built inside is for `slack_user_id`, in their language (without `language_of`, in the
    language of the context, as before)."""
    return nullcontext() if language_of is None else reading(language_of(slack_user_id))


# -- after an alert is accepted (on a background thread, never the request's) -------------------


def notify(
    client: WebClient,
    alerts: AlertService,
    notice: AlertNotice,
    *,
    language_of: LanguageOf | None = None,
) -> None:
    """DM every member of the account, and its manager, each in their language; remember each DM
    to update it later."""
    for recipient in notice.recipients:
        with _reading_for(recipient.slack_user_id, language_of):
            message = views_alerts.compromised_dm(notice, recipient.role)
        try:
            sent = client.chat_postMessage(
                channel=recipient.slack_user_id, unfurl_links=False, unfurl_media=False, **message
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


def tell_admins(
    client: WebClient,
    admins: frozenset[str],
    refused: UnknownAccount,
    *,
    language_of: LanguageOf | None = None,
) -> None:
    """An alert nobody could be told about reaches the security admins instead."""
    if not admins:
        logger.warning(
            "alert %s names an unknown account and SECURITY_ADMINS is empty", refused.document.id
        )
    for admin in sorted(admins):
        with _reading_for(admin, language_of):
            message = views_alerts.unknown_account_dm(refused.document, refused.reason)
        try:
            client.chat_postMessage(channel=admin, **message)
        except SlackApiError as error:
            logger.warning(
                "could not tell %s about an unknown account (%s)",
                admin,
                error.response.get("error"),
            )


def update_rotated_messages(
    client: WebClient, services: Services, closed: list[ClosedAlert]
) -> None:
    """Once alerts closed (reported changed, or rotated): every DM about them says so and how long
    it took, and each member told sees their checklist change."""
    for member in sorted(mark_resolved(client, closed, language_of=services.languages.of)):
        try:
            publish_home(member, client, services)
        except SlackApiError:
            logger.warning("could not refresh the Home tab of %s after an alert closed", member)


def mark_resolved(
    client: WebClient,
    closed: Iterable[ClosedAlert],
    *,
    log: logging.Logger = logger,
    language_of: LanguageOf | None = None,
) -> set[str]:
    """Every DM about the closed alerts updated in place to say waiting for the platform, or
    resolved, and how long it took, each in its reader's language; the members among those told,
    whose Home tab is now stale.
    Shared with the posture API, which closes alerts too (`log` keeps its warnings under its own
    logger)."""
    members: set[str] = set()
    for alert in closed:
        for sent in alert.messages:
            with _reading_for(sent.slack_user_id, language_of):
                message = views_alerts.resolved_dm(alert, sent.role)
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


@tells_member
def changed_password(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    """The alert waits for the platform and the page that checks the new password follows at
    once: after a code only for a member with an authenticator linked, never a detour to link
    one first. On an alert DM the button is about its account; elsewhere, about every account
    of the member with an open alert."""
    user = body["user"]["id"]
    open_alerts = services.alerts.open_compromised(user)
    surface, item = read_button_value(_button_value(body))
    account = int(item) if surface is Surface.ALERT and item and item.isdigit() else None
    if not any(account in (None, alert.business_account_id) for alert in open_alerts):
        step_up.tell(client, user, respond, _(_NOTHING_OPEN))
        return
    arguments = {} if account is None else {"account": account}
    if services.alerts.asks_for_code(user):
        step_up.on_press(body, client, services, ROTATE, arguments, respond)
        return
    _rotate(client, services, user, account)
    step_up.reply(client, user, respond, views_alerts.link_offer())


def send_password_check(client: WebClient, services: Services, user: str, step: Next) -> None:
    """After the member's code: the alert waits for the platform, and the link follows."""
    account = step.arguments.get("account")
    _rotate(client, services, user, account if isinstance(account, int) else None)
    if step.response_url:
        step_up.tell(client, user, step.respond, views_twostep.LINK_SENT)


ROTATE = Act(StepUp.ROTATE_PASSWORD, views_alerts.ROTATION_REASON, send_password_check)


def _rotate(client: WebClient, services: Services, user: str, account: int | None) -> None:
    """Close the alerts as reported changed, DM the one-time password check link (by DM, like
    every one-time link), then show everyone told that the alerts wait for the platform."""
    closed = services.alerts.report_changed(user, account)
    step_up.send_link(
        client, services, user, LinkPurpose.PASSWORD_ROTATION, reason=_(views_alerts.LINK_REASON)
    )
    update_rotated_messages(client, services, closed)


@tells_member
def report_activity(
    body: dict[str, Any], client: WebClient, services: Services, respond: Respond
) -> None:
    """ "Report unauthorized activity": the case report form of `/security report`, set to the
    alert's account; its submission opens (or joins) the account's case like any report."""
    user = body["user"]["id"]
    surface, item = read_button_value(_button_value(body))
    accounts = services.cases.accounts_to_report(user)
    if not accounts:
        step_up.tell(client, user, respond, NO_ACCOUNTS)
        return
    chosen = [
        (id_, name) for id_, name in accounts if surface is Surface.ALERT and str(id_) == item
    ]
    client.views_open(trigger_id=body["trigger_id"], view=modals.report_modal(chosen or accounts))


def _button_value(body: dict[str, Any]) -> str | None:
    value = (body.get("actions") or [{}])[0].get("value")
    return value if isinstance(value, str) else None


_NOTHING_OPEN = N_(
    "There is no open compromised-password alert on your business accounts: it has already "
    "been resolved, or reported changed and is waiting for the platform to confirm it."
)


def register(app: App) -> None:
    on_buttons(
        app,
        {Action.PASSWORD_CHANGED: changed_password, Action.REPORT_FROM_ALERT: report_activity},
    )
