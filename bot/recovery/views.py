"""Block Kit for recovery readiness: the recovery email modals (the address, then the code mailed
to it) and the recovery phone modal. Pure builders, like bot/checklist/views.py.

Once typed, an address or a number only ever comes back masked (bot/core/masking.py): these builders
take masked values only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.blocks import Blocks, modal, mrkdwn, plain
from bot.core.i18n import N_, _, pgettext
from bot.core.ids import Action, Block, Callback
from bot.core.text import escape, slack_date
from bot.recovery.email import RecoveryEmailStatus
from bot.recovery.phone import PhoneStatus, country_name


def _title_email() -> str:
    # Translators: a modal's title, at most 24 characters.
    return pgettext("modal title", "Recovery email")


def _title_phone() -> str:
    # Translators: a modal's title, at most 24 characters.
    return pgettext("modal title", "Recovery phone")


# Translators: "User Settings" and "Account Security" are TikTok for Business menu labels: keep
# them in English, in bold.
PLATFORM_PHONE_STEPS = N_(
    "Keep the same number on the platform: log in to your TikTok for Business account, click "
    "your profile picture, then *User Settings*, then *Account Security*, and add it there."
)


def email_modal(
    private_metadata: str, status: RecoveryEmailStatus, problem: str = ""
) -> dict[str, Any]:
    """Ask for the address to mail a code to."""
    blocks: Blocks = []
    if problem:
        blocks.append({"type": "section", "text": mrkdwn(f"⚠️ {escape(problem)}")})
    blocks.append(
        {
            "type": "section",
            "text": mrkdwn(
                _(
                    "*An address to recover your accounts with*\nUse an address only you can "
                    "read, not a shared inbox. I'll email it a 6-digit code; it's confirmed once "
                    "you type the code here."
                )
            ),
        }
    )
    if status.confirmed:
        if status.confirmed_at:
            confirmed = _(
                "Your confirmed recovery email is {address} since {date}. "
                "A new address replaces it once you confirm the new one."
            ).format(address=escape(status.confirmed), date=slack_date(status.confirmed_at))
        else:
            confirmed = _(
                "Your confirmed recovery email is {address}. "
                "A new address replaces it once you confirm the new one."
            ).format(address=escape(status.confirmed))
        blocks.append(_context(confirmed))
    blocks.append(
        {
            "type": "input",
            "block_id": Block.EMAIL,
            "label": plain(_("Recovery email address")),
            "element": {
                "type": "email_text_input",
                "action_id": Block.EMAIL,
                "placeholder": plain(_("you@example.com")),
            },
        }
    )
    return modal(
        Callback.RECOVERY_EMAIL, _title_email(), _("Email me a code"), blocks, private_metadata
    )


def code_modal(private_metadata: str, masked: str, expires_at: datetime | None) -> dict[str, Any]:
    """Ask for the code mailed to the address (shown masked)."""
    if expires_at:
        check = _(
            "*Check your inbox*\nI've emailed a 6-digit code to {address}. "
            "It works once, for 10 minutes, until {time}."
        ).format(address=escape(masked), time=_time(expires_at))
    else:
        check = _(
            "*Check your inbox*\nI've emailed a 6-digit code to {address}. "
            "It works once, for 10 minutes."
        ).format(address=escape(masked))
    blocks: Blocks = [
        {"type": "section", "text": mrkdwn(check)},
        {
            "type": "input",
            "block_id": Block.CODE,
            "label": plain(_("Code from the email")),
            "element": {
                "type": "plain_text_input",
                "action_id": Block.CODE,
                "max_length": 12,
                "placeholder": plain("123456"),
            },
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": Action.CHANGE_RECOVERY_EMAIL,
                    "text": plain(_("No email? Send a new code")),
                }
            ],
        },
    ]
    return modal(Callback.RECOVERY_CODE, _title_email(), _("Confirm"), blocks, private_metadata)


def email_confirmed_modal(masked: str) -> dict[str, Any]:
    return _done(
        _title_email(),
        _("✅ *{address} is your confirmed recovery email.*").format(address=escape(masked)),
    )


def phone_modal(private_metadata: str, status: PhoneStatus) -> dict[str, Any]:
    if status.region:
        hint = _(
            "Start with + and the country code, e.g. +49 30 1234 5678. A number without one is "
            "read as {country}, from your Slack time zone."
        ).format(country=country_name(status.region))
    else:
        hint = _("Start with + and the country code, e.g. +49 30 1234 5678.")
    blocks: Blocks = [
        {
            "type": "section",
            "text": mrkdwn(
                _(
                    "*A phone number to recover your accounts with*\n"
                    "Use a number only you can answer, on a phone you keep with you."
                )
            ),
        },
        _context(_(PLATFORM_PHONE_STEPS)),
    ]
    if status.number:
        blocks.append(
            _context(
                _("On record now: {number}. A new number replaces it.").format(
                    number=escape(status.number)
                )
            )
        )
    blocks.append(
        {
            "type": "input",
            "block_id": Block.PHONE,
            "label": plain(_("Recovery phone number")),
            "hint": plain(hint),
            "element": {
                "type": "plain_text_input",
                "action_id": Block.PHONE,
                "max_length": 40,
                "placeholder": plain("+49 30 1234 5678"),
            },
        }
    )
    return modal(Callback.RECOVERY_PHONE, _title_phone(), _("Save"), blocks, private_metadata)


def phone_saved_modal(masked: str) -> dict[str, Any]:
    return _done(
        _title_phone(),
        _(
            "✅ *{number} is on record as your recovery phone.*\n"
            "It counts as self-reported until the platform reports a recovery phone on your "
            "business accounts."
        ).format(number=escape(masked)),
    )


def _done(title: str, text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": plain(title),
        "close": plain(_("Done")),
        "blocks": [{"type": "section", "text": mrkdwn(text)}],
    }


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(text)]}


def _time(moment: datetime) -> str:
    fallback = moment.strftime("%H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{time}}|{fallback}>"
