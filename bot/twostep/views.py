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
from bot.core.ids import Action, Block, Callback, Surface, button_value, item_action
from bot.core.secure_links import LinkPurpose
from bot.core.text import escape, slack_date
from bot.twostep.authenticator import LinkState, LinkStatus

ACCOUNTS_SHOWN = 20  # a message holds 50 blocks; the rest are reported through the form
RECOVERY_CODES_LOW = 3
PENDING_ICON = "🟡"

LINK_SENT = "I've sent you a one-time link in a DM."
NO_DM_ASKS = "I will never ask for a password or a code in a DM."


def two_step_message(checklist: Checklist, link: LinkStatus) -> dict[str, Any]:
    """`/security 2sv`: each business account's 2SV, then the member's authenticator link."""
    line = checklist.line(Check.TWO_STEP)
    blocks: Blocks = [{"type": "header", "text": plain("2-step verification")}]
    blocks.extend(_platform_part(checklist, line.explanation, line.state, line.accounts))
    blocks.append({"type": "divider"})
    blocks.extend(_authenticator_part(link))
    on = sum(1 for account in line.accounts if account.state is State.PASSING)
    text = f"2-step verification: on for {on} of {len(line.accounts)} business accounts; " + (
        "authenticator linked to the bot"
        if link.state is LinkState.ACTIVE
        else "no authenticator linked to the bot"
    )
    return {"text": text, "blocks": blocks}


def _platform_part(
    checklist: Checklist, explanation: str, state: State, accounts: tuple[AccountLine, ...]
) -> Blocks:
    intro = (
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
                    "No business accounts are on record for you yet. "
                    "Ask your account manager to add you to the account directory."
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
            "text": mrkdwn("*How to turn it on* (TikTok for Business)\n" + TIKTOK_STEPS),
        }
    )
    blocks.extend(_account_block(account) for account in accounts[:ACCOUNTS_SHOWN])
    hidden = len(accounts) - ACCOUNTS_SHOWN
    if hidden > 0:
        blocks.append(
            {
                "type": "section",
                "text": mrkdwn(f"…and {hidden} more business accounts."),
                "accessory": {
                    "type": "button",
                    "action_id": Action.REPORT_TWO_STEP,
                    "value": button_value(Surface.TWO_STEP),
                    "text": plain("Report another account"),
                },
            }
        )
    return blocks


def _account_block(line: AccountLine) -> dict[str, Any]:
    if line.source is not None and line.observed_at is not None:
        evidence = f"{SOURCE_WORDS[line.source]} · {slack_date(line.observed_at)}"
    else:
        evidence = "no report yet"
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
            "text": plain("I've turned it on"),
        }
    return block


def _authenticator_part(link: LinkStatus) -> Blocks:
    intro = (
        "*2 · Your authenticator app, linked to this bot*\n"
        "Separate from the platform's 2-step verification: I ask for a code from this app before "
        "sensitive actions, so a Slack session alone can't do damage in your name."
    )
    if link.state is LinkState.ACTIVE:
        verified = f", verified {slack_date(link.confirmed_at)}" if link.confirmed_at else ""
        state = (
            f"{ICONS[State.PASSING]} *Authenticator linked{verified}*\n"
            f"Recovery codes left: {link.recovery_codes_left}"
        )
        if link.recovery_codes_left <= RECOVERY_CODES_LOW:
            state += " (running low: get new ones)"
        buttons = [
            _button(Action.NEW_RECOVERY_CODES, "New recovery codes"),
            _button(Action.REMOVE_AUTHENTICATOR, "Remove authenticator", style="danger"),
        ]
    elif link.state is LinkState.PENDING:
        state = (
            f"{PENDING_ICON} *Pending*\nYou started linking an app but haven't entered a code "
            "from it yet. Start again for a new link."
        )
        buttons = [_button(Action.LINK_AUTHENTICATOR, "Link an authenticator app", "primary")]
    else:
        state = (
            f"{ICONS[State.NEEDS_ACTION]} *Not linked*\nLink an authenticator app (such as "
            "Google Authenticator, Microsoft Authenticator or 1Password) through a one-time link "
            "I send you in a DM."
        )
        buttons = [_button(Action.LINK_AUTHENTICATOR, "Link an authenticator app", "primary")]
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
        "Link an authenticator app to the bot",
        "Open the link below. The page shows a QR code to scan with your authenticator app, "
        "then asks for the code the app shows.",
    ),
    LinkPurpose.RECOVERY_CODES: (
        "New recovery codes",
        "Open the link below and enter a current code from your authenticator app. You'll get "
        "ten new recovery codes, and the old ones stop working.",
    ),
    LinkPurpose.PASSWORD_CHECK: (
        "Check your passwords",
        "Open the link below and type the password of each business account on the page, never "
        "in Slack. They are checked on the server and thrown away: only the verdict is kept.",
    ),
    LinkPurpose.PASSWORD_ROTATION: (
        "Check your new password",
        "Open the link below and type your new password on the page, never in Slack. The alert "
        "closes once it passes: strong, accepted by the platform, not breached, not reused.",
    ),
}


def link_dm(
    purpose: LinkPurpose, url: str, *, minutes: int, reason: str | None = None
) -> dict[str, Any]:
    """The DM carrying a one-time link: the URL travels only in the button, never in the text."""
    title, how = _LINK_PAGES[purpose]
    body = f"*{title}*\n"
    if reason is not None:
        body += escape(reason, limit=1000) + "\n"
    body += how
    return {
        "text": f"{title}: your one-time link",
        "blocks": [
            {"type": "section", "text": mrkdwn(body)},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": Action.OPEN_SECURE_LINK,
                        "text": plain("Open your one-time link"),
                        "url": url,
                        "style": "primary",
                    }
                ],
            },
            {
                "type": "context",
                "elements": [
                    mrkdwn(
                        f"This link works once, for {minutes} minutes, and only for you. "
                        + NO_DM_ASKS
                    )
                ],
            },
        ],
    }


def link_sent() -> dict[str, Any]:
    return notice(LINK_SENT)


def step_up_modal(reason: str, private_metadata: str) -> dict[str, Any]:
    """The modal "Enter a code from your authenticator app", before the action `reason` names."""
    return _code_modal(
        callback_id=Callback.STEP_UP,
        title="Confirm it's you",
        submit="Confirm",
        explanation=(
            f"To {escape(reason, limit=500)}, I need a current code from the authenticator app "
            "you linked to the bot."
        ),
        private_metadata=private_metadata,
    )


def remove_authenticator_modal(private_metadata: str) -> dict[str, Any]:
    return _code_modal(
        callback_id=Callback.REMOVE_AUTHENTICATOR,
        title="Remove authenticator",
        submit="Remove",
        explanation=(
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
            "label": plain("Enter a code from your authenticator app"),
            "hint": plain("The 6-digit code your app shows now, or one of your recovery codes."),
            "element": {
                "type": "plain_text_input",
                "action_id": Block.CODE,
                "max_length": 32,
                "placeholder": plain("123456"),
            },
        },
    ]
    return modal(callback_id, title, submit, code_input, private_metadata)
