"""Pure Block Kit builders: plain dicts in, plain dicts out, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.checklist.model import (
    BusinessAccountRef,
    CheckLine,
    Checklist,
    Fix,
    Source,
    State,
    TwoStepMethod,
)
from bot.core.blocks import Blocks, mrkdwn, notice, plain
from bot.core.ids import Action, Block, Callback, item_action
from bot.core.text import escape, shorten, slack_date
from bot.core.words import plural

ICONS = {State.PASSING: "✅", State.NEEDS_ACTION: "🔴", State.UNKNOWN: "⚪"}
STATE_WORDS = {
    State.PASSING: "passing",
    State.NEEDS_ACTION: "needs action",
    State.UNKNOWN: "unknown",
}
SOURCE_WORDS = {
    Source.PLATFORM: "platform-reported",
    Source.SELF: "self-reported",
    Source.BOT: "verified by the bot",
}
FIX_BUTTONS: dict[Fix, tuple[Action, str]] = {
    Fix.REPORT_TWO_STEP: (Action.REPORT_TWO_STEP, "I've turned it on"),
    Fix.LINK_AUTHENTICATOR: (Action.LINK_AUTHENTICATOR, "Link an authenticator app"),
    Fix.REPORT_RECOVERY_PHONE: (Action.REPORT_RECOVERY_PHONE, "Add a recovery phone"),
    Fix.CONFIRM_RECOVERY_EMAIL: (Action.CONFIRM_RECOVERY_EMAIL, "Confirm a recovery email"),
    Fix.CHANGED_PASSWORD: (Action.PASSWORD_CHANGED, "I've changed it"),
    Fix.CHECK_PASSWORDS: (Action.CHECK_PASSWORDS, "Check my passwords"),
}
# Fixes more than one check offers: the button carries its check, as a message may not repeat an
# action_id (handlers/slack/actions.py routes `<action>:<item>` to the action's listener).
SHARED_FIXES = frozenset({Fix.CHECK_PASSWORDS})
# An open compromised-password alert is shown in red: its button too.
FIX_STYLES: dict[Fix, str] = {Fix.CHANGED_PASSWORD: "danger"}
ACCOUNTS_SHOWN = 10
METHOD_LABELS = {
    TwoStepMethod.AUTHENTICATOR_APP: "Authenticator app",
    TwoStepMethod.SMS: "SMS",
    TwoStepMethod.EMAIL: "Email",
}
TIKTOK_STEPS = (
    "Log in to your TikTok for Business account, click your profile picture, then *User Settings*, "
    "then *Account Security*, and choose a verification method."
)


def checklist_blocks(checklist: Checklist, *, own: bool) -> Blocks:
    """The checklist with one fix button per gap; fix buttons only on the member's own view."""
    if own:
        heading = "Your security checklist"
    else:
        name = checklist.member.display_name or checklist.member.slack_user_id
        heading = f"Security checklist of {name}"
    blocks: Blocks = [
        {"type": "header", "text": plain(shorten(heading, 150))},
        {"type": "section", "text": mrkdwn(f"*{checklist.summary}*")},
        {"type": "divider"},
    ]
    for line in checklist.lines:
        blocks.extend(_check_blocks(line, own=own))
    if checklist.not_applicable:
        blocks.append({"type": "context", "elements": [mrkdwn(_not_applicable(checklist, own))]})
    if own:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": Action.REFRESH_STATUS,
                        "text": plain("Refresh"),
                    },
                    {
                        "type": "button",
                        "action_id": Action.REPORT_COMPROMISE,
                        "text": plain("Report a compromised account"),
                    },
                ],
            }
        )
    return blocks


def _check_blocks(line: CheckLine, *, own: bool) -> Blocks:
    body = f"{ICONS[line.state]} *{line.title}*\n{escape(line.explanation, limit=600)}"
    shown = line.accounts[:ACCOUNTS_SHOWN]
    for account_line in shown:
        name = escape(account_line.account.name, limit=80)
        body += f"\n• {ICONS[account_line.state]} {name}: {escape(account_line.explanation)}"
        if account_line.pending_since is not None:
            body += f" _(reported {slack_date(account_line.pending_since)})_"
        elif account_line.source is Source.PLATFORM and account_line.observed_at is not None:
            body += f" _({slack_date(account_line.observed_at)})_"
    if len(line.accounts) > ACCOUNTS_SHOWN:
        body += f"\n• …and {len(line.accounts) - ACCOUNTS_SHOWN} more accounts"
    section: dict[str, Any] = {"type": "section", "text": mrkdwn(body)}
    if own and line.fix is not None:
        action, label = FIX_BUTTONS[line.fix]
        section["accessory"] = {
            "type": "button",
            "action_id": item_action(action, line.check) if line.fix in SHARED_FIXES else action,
            "text": plain(label),
            "style": FIX_STYLES.get(line.fix, "primary"),
        }
    evidence = STATE_WORDS[line.state].capitalize()
    if line.source is not None and line.observed_at is not None:
        latest = "latest evidence " if line.accounts else ""
        evidence += f" · {latest}{SOURCE_WORDS[line.source]} · {slack_date(line.observed_at)}"
    else:
        evidence += " · no evidence yet"
    return [section, {"type": "context", "elements": [mrkdwn(evidence)]}]


def _not_applicable(checklist: Checklist, own: bool) -> str:
    """Why the checks about business accounts are missing, said once."""
    whom = "you" if own else "them"
    count = plural(len(checklist.not_applicable), "other check")
    return (
        f"The {count} ({', '.join(line.title for line in checklist.not_applicable)}) are about "
        f"business accounts on the platform. None are on record for {whom}, so they don't apply."
    )


def status_message(checklist: Checklist, *, own: bool) -> dict[str, Any]:
    """An ephemeral answer: fallback text for notifications plus the blocks."""
    return {"text": checklist.summary, "blocks": checklist_blocks(checklist, own=own)}


def two_step_modal(
    accounts: list[BusinessAccountRef], *, selected: int | None = None
) -> dict[str, Any]:
    """Platform steps in plain words, then which account and which method the member turned on.

    `selected` preselects one business account (the "I've turned it on" button of that account).
    """
    options = [
        {"text": plain(shorten(account.name, 75)), "value": str(account.id)}
        for account in accounts[:100]
    ]
    account_select: dict[str, Any] = {
        "type": "static_select",
        "action_id": Block.ACCOUNT,
        "options": options,
    }
    chosen = next((option for option in options if option["value"] == str(selected)), None)
    if chosen is not None:
        account_select["initial_option"] = chosen
    methods = [
        {"text": plain(METHOD_LABELS[method]), "value": method.value} for method in TwoStepMethod
    ]
    return {
        "type": "modal",
        "callback_id": Callback.TWO_STEP_REPORT,
        "title": plain("2-step verification"),
        "submit": plain("I've turned it on"),
        "close": plain("Cancel"),
        "blocks": [
            {"type": "section", "text": mrkdwn("*Turn on 2-step verification*\n" + TIKTOK_STEPS)},
            {
                "type": "section",
                "text": mrkdwn(
                    "Then tell the bot below. The platform's own report, when it arrives, "
                    "takes precedence over yours."
                ),
            },
            {
                "type": "input",
                "block_id": Block.ACCOUNT,
                "label": plain("Business account"),
                "element": account_select,
            },
            {
                "type": "input",
                "block_id": Block.METHOD,
                "label": plain("Verification method you chose"),
                "element": {"type": "radio_buttons", "action_id": Block.METHOD, "options": methods},
            },
        ],
    }


def help_message(lines: Sequence[str]) -> dict[str, Any]:
    """`/security help`: one line or two per subcommand, as the command's table words them."""
    return notice("\n".join(["*What I can do*", *lines, _HOME_TAB]))


_HOME_TAB = "You can also open my *Home* tab to see your checklist at any time."
