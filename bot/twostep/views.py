"""Block Kit for 2-step verification: the platform's 2SV on each business account, the
authenticator linked to the bot, the one-time link DM and the modals asking for a code.

The two protections are always shown apart, with their own headings, so a member never takes one
for the other. Pure builders, like bot/checklist/views.py: plain values in, plain dicts out.
"""

from __future__ import annotations

from typing import Any

from bot.checklist.model import AccountLine, Check, Checklist, State
from bot.checklist.views import ICONS, SOURCE_WORDS, TIKTOK_STEPS
from bot.core.blocks import Blocks, modal, mrkdwn, notice, plain
from bot.core.i18n import N_, _, ngettext, number
from bot.core.ids import Action, Block, Callback, Surface, button_value, item_action
from bot.core.secure_links import LinkPurpose
from bot.core.text import escape, slack_date
from bot.twostep.authenticator import LinkState, LinkStatus

ACCOUNTS_SHOWN = 20  # a message holds 50 blocks; the rest are reported through the form
RECOVERY_CODES_LOW = 3
PENDING_ICON = "🟡"

LINK_SENT = N_("I've sent you a one-time link in a DM.")  # shown with _()
NO_DM_ASKS = N_("I will never ask for a password or a code in a DM.")


def two_step_message(checklist: Checklist, link: LinkStatus) -> dict[str, Any]:
    """`/security 2sv`: each business account's 2SV, then the member's authenticator link."""
    line = checklist.line(Check.TWO_STEP)
    blocks: Blocks = [{"type": "header", "text": plain(_("2-step verification"))}]
    blocks.extend(_platform_part(checklist, line.explanation, line.state, line.accounts))
    blocks.append({"type": "divider"})
    blocks.extend(_authenticator_part(link))
    on = sum(1 for account in line.accounts if account.state is State.PASSING)
    total = len(line.accounts)
    if link.state is LinkState.ACTIVE:
        text = ngettext(
            "2-step verification: on for {on} of {total} business account; "
            "authenticator linked to the bot",
            "2-step verification: on for {on} of {total} business accounts; "
            "authenticator linked to the bot",
            total,
        )
    else:
        text = ngettext(
            "2-step verification: on for {on} of {total} business account; "
            "no authenticator linked to the bot",
            "2-step verification: on for {on} of {total} business accounts; "
            "no authenticator linked to the bot",
            total,
        )
    return {"text": text.format(on=number(on), total=number(total)), "blocks": blocks}


def _platform_part(
    checklist: Checklist, explanation: str, state: State, accounts: tuple[AccountLine, ...]
) -> Blocks:
    intro = _(
        "*1 · Your business accounts on the platform*\n"
        "The platform's own 2-step verification asks for a second step each time someone logs in "
        "to a business account. I can't switch it on for you: follow the steps, then tell me. "
        "The platform's own report, when it arrives, outranks yours."
    )
    blocks: Blocks = [{"type": "section", "text": mrkdwn(intro)}]
    if not checklist.accounts:
        blocks.append(
            {
                "type": "section",
                "text": mrkdwn(
                    _(
                        "No business accounts are on record for you yet. "
                        "Ask your account manager to add you to the account directory."
                    )
                ),
            }
        )
        return blocks
    blocks.append(
        {"type": "section", "text": mrkdwn(f"{ICONS[state]} {escape(explanation, limit=1500)}")}
    )
    blocks.append(
        {
            "type": "section",
            "text": mrkdwn(_("*How to turn it on* (TikTok for Business)") + "\n" + _(TIKTOK_STEPS)),
        }
    )
    blocks.extend(_account_block(account) for account in accounts[:ACCOUNTS_SHOWN])
    hidden = len(accounts) - ACCOUNTS_SHOWN
    if hidden > 0:
        blocks.append(
            {
                "type": "section",
                "text": mrkdwn(
                    ngettext(
                        "…and {count} more business account.",
                        "…and {count} more business accounts.",
                        hidden,
                    ).format(count=number(hidden))
                ),
                "accessory": {
                    "type": "button",
                    "action_id": Action.REPORT_TWO_STEP,
                    "value": button_value(Surface.TWO_STEP),
                    "text": plain(_("Report another account")),
                },
            }
        )
    return blocks


def _account_block(line: AccountLine) -> dict[str, Any]:
    if line.source is not None and line.observed_at is not None:
        evidence = f"{_(SOURCE_WORDS[line.source])} · {slack_date(line.observed_at)}"
    else:
        evidence = _("no report yet")
    body = (
        f"{ICONS[line.state]} *{escape(line.account.name, limit=150)}*\n"
        f"{escape(line.explanation, limit=300)}\n_{evidence}_"
    )
    block: dict[str, Any] = {"type": "section", "text": mrkdwn(body)}
    if line.state is not State.PASSING:
        block["accessory"] = {
            "type": "button",
            "action_id": item_action(Action.REPORT_TWO_STEP, line.account.id),
            "value": button_value(Surface.TWO_STEP, line.account.id),
            "text": plain(_("I've turned it on")),
        }
    return block


def _authenticator_part(link: LinkStatus) -> Blocks:
    intro = _(
        "*2 · Your authenticator app, linked to this bot*\n"
        "Separate from the platform's 2-step verification: I ask for a code from this app before "
        "sensitive actions, so a Slack session alone can't do damage in your name."
    )
    if link.state is LinkState.ACTIVE:
        if link.confirmed_at:
            linked = _("*Authenticator linked, verified {date}*").format(
                date=slack_date(link.confirmed_at)
            )
        else:
            linked = _("*Authenticator linked*")
        left = link.recovery_codes_left
        if left <= RECOVERY_CODES_LOW:
            codes = _("Recovery codes left: {count} (running low: get new ones)")
        else:
            codes = _("Recovery codes left: {count}")
        state = f"{ICONS[State.PASSING]} {linked}\n{codes.format(count=number(left))}"
        buttons = [
            _button(Action.NEW_RECOVERY_CODES, _("New recovery codes")),
            _button(Action.REMOVE_AUTHENTICATOR, _("Remove authenticator"), style="danger"),
        ]
    elif link.state is LinkState.PENDING:
        state = f"{PENDING_ICON} " + _(
            "*Pending*\nYou started linking an app but haven't entered a code "
            "from it yet. Start again for a new link."
        )
        buttons = [_button(Action.LINK_AUTHENTICATOR, _("Link an authenticator app"), "primary")]
    else:
        state = f"{ICONS[State.NEEDS_ACTION]} " + _(
            "*Not linked*\nLink an authenticator app (such as "
            "Google Authenticator, Microsoft Authenticator or 1Password) through a one-time link "
            "I send you in a DM."
        )
        buttons = [_button(Action.LINK_AUTHENTICATOR, _("Link an authenticator app"), "primary")]
    return [
        {"type": "section", "text": mrkdwn(intro)},
        {"type": "section", "text": mrkdwn(state)},
        {"type": "actions", "elements": buttons},
    ]


def _button(action: Action, label: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": action,
        "value": button_value(Surface.TWO_STEP),
        "text": plain(label),
    }
    if style is not None:
        button["style"] = style
    return button


_LINK_PAGES: dict[LinkPurpose, tuple[str, str]] = {
    LinkPurpose.LINK_AUTHENTICATOR: (
        N_("Link an authenticator app to the bot"),
        N_(
            "Open the link below. The page shows a QR code to scan with your authenticator app, "
            "then asks for the code the app shows."
        ),
    ),
    LinkPurpose.RECOVERY_CODES: (
        N_("New recovery codes"),
        N_(
            "Open the link below and enter a current code from your authenticator app. You'll get "
            "ten new recovery codes, and the old ones stop working."
        ),
    ),
    LinkPurpose.PASSWORD_CHECK: (
        N_("Check your passwords"),
        N_(
            "Open the link below and type the password of each business account on the page, never "
            "in Slack. They are checked on the server and thrown away: only the verdict is kept."
        ),
    ),
    LinkPurpose.PASSWORD_ROTATION: (
        N_("Check your new password"),
        N_(
            "Open the link below and type your new password on the page, never in Slack. The alert "
            "closes once it passes: strong, accepted by the platform, not breached, not reused."
        ),
    ),
}


def link_dm(
    purpose: LinkPurpose, url: str, *, minutes: int, reason: str | None = None
) -> dict[str, Any]:
    """The DM carrying a one-time link: the URL travels only in the button, never in the text.
    `reason`, in the reader's language, says why it comes (escaped here)."""
    title, how = (_(text) for text in _LINK_PAGES[purpose])
    body = f"*{title}*\n"
    if reason is not None:
        body += escape(reason, limit=1000) + "\n"
    body += how
    lasts = ngettext(
        "This link works once, for {count} minute, and only for you.",
        "This link works once, for {count} minutes, and only for you.",
        minutes,
    ).format(count=number(minutes))
    return {
        "text": _("{title}: your one-time link").format(title=title),
        "blocks": [
            {"type": "section", "text": mrkdwn(body)},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": Action.OPEN_SECURE_LINK,
                        "text": plain(_("Open your one-time link")),
                        "url": url,
                        "style": "primary",
                    }
                ],
            },
            {
                "type": "context",
                "elements": [mrkdwn(f"{lasts} {_(NO_DM_ASKS)}")],
            },
        ],
    }


def link_sent() -> dict[str, Any]:
    return notice(_(LINK_SENT))


def step_up_modal(explanation: str, private_metadata: str) -> dict[str, Any]:
    """The modal "Enter a code from your authenticator app"; `explanation`, in the reader's
    language, says which action needs it (escaped here): "To resolve a compromise case, I need a
    current code from the authenticator app you linked to the bot." """
    return _code_modal(
        callback_id=Callback.STEP_UP,
        title=_("Confirm it's you"),
        submit=_("Confirm"),
        explanation=escape(explanation, limit=1000),
        private_metadata=private_metadata,
    )


def remove_authenticator_modal(private_metadata: str) -> dict[str, Any]:
    return _code_modal(
        callback_id=Callback.REMOVE_AUTHENTICATOR,
        title=_("Remove authenticator"),
        submit=_("Remove"),
        explanation=_(
            "Without a linked app I can't confirm it's you before sensitive actions, and your "
            "recovery codes stop working. You can link a new app afterwards."
        ),
        private_metadata=private_metadata,
    )


def _code_modal(
    *, callback_id: Callback, title: str, submit: str, explanation: str, private_metadata: str
) -> dict[str, Any]:
    code_input: Blocks = [
        {"type": "section", "text": mrkdwn(explanation)},
        {
            "type": "input",
            "block_id": Block.CODE,
            "label": plain(_("Enter a code from your authenticator app")),
            "hint": plain(_("The 6-digit code your app shows now, or one of your recovery codes.")),
            "element": {
                "type": "plain_text_input",
                "action_id": Block.CODE,
                "max_length": 32,
                "placeholder": plain("123456"),
            },
        },
    ]
    return modal(callback_id, title, submit, code_input, private_metadata)
