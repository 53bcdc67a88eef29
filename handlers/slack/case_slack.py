"""Showing a case's change in Slack: the card posted once and edited in place, one short line in
its thread, a claim's own thread message, and the DMs. Used by listeners, the alerts API's
follow-up and the scheduled jobs alike, through the `Messenger` each of them has.

The card is rendered from the case as it is now, not as the change saw it, so two changes
published at once cannot leave the older card on top. A failed DM never stops the others.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.cases import views
from bot.cases.model import CaseChange
from bot.cases.thread_lines import ThreadLine
from bot.core.i18n import _, reading
from bot.nudges.sender import DeliveryFailed, Messenger
from bot.services import Services
from handlers.outbound.slack_messenger import SlackMessenger

logger = logging.getLogger("security_bot.cases")
_QUIET = {"unfurl_links": False, "unfurl_media": False}


def publish(client: WebClient, services: Services, change: CaseChange) -> None:
    """From a listener: its own client, whose retries suit a listener."""
    publish_with(SlackMessenger(client), services, change)


def publish_with(messenger: Messenger, services: Services, change: CaseChange) -> None:
    cases = services.cases
    number = change.case.number
    current = cases.card(number).case
    channel, card_ts = current.channel, current.card_ts
    if channel is not None:
        with reading(services.workspace_settings.current().language):  # a channel's, for all
            message = {**views.card_message(current), **_QUIET}
        try:
            if card_ts is None and change.opened:
                posted = messenger.post(channel, message)
                cases.attach_card(number, posted.channel, posted.ts)
                channel, card_ts = posted.channel, posted.ts
            elif card_ts is not None:
                messenger.update(channel, card_ts, message)
        except DeliveryFailed as failure:
            logger.warning("could not show the card of case #%s: %s", number, failure.code)
    if channel is not None and card_ts is not None:
        _in_thread(messenger, services, change, channel, card_ts)
    for notice in change.notices:
        with reading(services.languages.of(notice.recipient)):  # each person in their own
            message = {**notice.message, **_QUIET}
        _send(messenger, notice.recipient, message, number)


def _in_thread(
    messenger: Messenger, services: Services, change: CaseChange, channel: str, card_ts: str
) -> None:
    number = change.case.number
    if change.line:
        line = change.line
        if isinstance(line, ThreadLine):  # the channel's readers: its language, as the card's
            with reading(services.workspace_settings.current().language):
                line = line.render()
        _send(messenger, channel, {"text": line, "thread_ts": card_ts, **_QUIET}, number)
    charge = change.charge
    if charge is None:
        return
    with reading(services.workspace_settings.current().language):  # in the card's thread
        message = {**views.charge_message(charge, change.case.handler), **_QUIET}
    try:
        if charge.thread_ts is None:
            posted = messenger.post(channel, {**message, "thread_ts": card_ts})
            services.cases.charges.attach_message(charge.id, posted.ts)
        else:
            messenger.update(channel, charge.thread_ts, message)
    except DeliveryFailed as failure:
        logger.warning("could not show charge %s of case #%s: %s", charge.id, number, failure.code)


def _send(messenger: Messenger, channel: str, message: dict[str, Any], number: int) -> None:
    try:
        messenger.post(channel, message)
    except DeliveryFailed as failure:
        logger.warning("could not tell %s about case #%s: %s", channel, number, failure.code)


def opened_words(change: CaseChange) -> str:
    """What the person who opened a case (by command, or from the desk's form) is told."""
    card = change.case
    channel = f"<#{card.channel}>" if card.channel else ""
    if change.opened:
        text = (
            _("Case *#{number}* is open in {channel}.")
            if channel
            else _("Case *#{number}* is open.")
        )
    elif channel:
        text = _(
            "Case *#{number}* was already open for this account in {channel}: what you wrote went "
            "on its timeline."
        )
    else:
        text = _(
            "Case *#{number}* was already open for this account: what you wrote went on its "
            "timeline."
        )
    return text.format(number=card.number, channel=channel)
