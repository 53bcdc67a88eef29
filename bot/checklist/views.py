"""Pure Block Kit builders: plain dicts in, plain dicts out, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bot.campaigns.words import due_words
from bot.checklist.model import (
    EXEMPTABLE,
    BusinessAccountRef,
    Check,
    CheckLine,
    Checklist,
    Exempt,
    Fix,
    Source,
    State,
    TwoStepMethod,
)
from bot.core.blocks import Blocks, mrkdwn, notice, plain
from bot.core.i18n import N_, _, day, ngettext, number, pgettext
from bot.core.ids import Action, Block, Callback, Surface, button_value, item_action
from bot.core.text import escape, mention, shorten, slack_date

# The words below are catalogue texts: shown with `_()` where they are read.
ICONS = {State.PASSING: "✅", State.NEEDS_ACTION: "🔴", State.UNKNOWN: "⚪"}
STATE_WORDS = {
    # Translators: a check's state, inside a line ("Strong password · needs action")
    State.PASSING: N_("passing"),
    State.NEEDS_ACTION: N_("needs action"),
    State.UNKNOWN: N_("unknown"),
}
# At the start of a line: capitalised in English, as each language writes it there.
STATE_LABELS = {
    State.PASSING: N_("Passing"),
    State.NEEDS_ACTION: N_("Needs action"),
    State.UNKNOWN: N_("Unknown"),
}
SOURCE_WORDS = {
    # Translators: where a check's evidence comes from
    Source.PLATFORM: N_("platform-reported"),
    Source.SELF: N_("self-reported"),
    Source.BOT: N_("verified by the bot"),
}
FIX_BUTTONS: dict[Fix, tuple[Action, str]] = {
    Fix.REPORT_TWO_STEP: (Action.REPORT_TWO_STEP, N_("I've turned it on")),
    Fix.LINK_AUTHENTICATOR: (Action.LINK_AUTHENTICATOR, N_("Link an authenticator app")),
    Fix.REPORT_RECOVERY_PHONE: (Action.REPORT_RECOVERY_PHONE, N_("Add a recovery phone")),
    Fix.CONFIRM_RECOVERY_EMAIL: (Action.CONFIRM_RECOVERY_EMAIL, N_("Confirm a recovery email")),
    Fix.CHANGED_PASSWORD: (Action.PASSWORD_CHANGED, N_("I've changed it")),
    Fix.CHECK_PASSWORDS: (Action.CHECK_PASSWORDS, N_("Check my passwords")),
}
# Fixes more than one check offers: the button carries its check, as a message may not repeat an
# action_id (handlers/slack/actions.py routes `<action>:<item>` to the action's listener).
SHARED_FIXES = frozenset({Fix.CHECK_PASSWORDS})
# An open compromised-password alert is shown in red: its button too.
FIX_STYLES: dict[Fix, str] = {Fix.CHANGED_PASSWORD: "danger"}
ACCOUNTS_SHOWN = 10
METHOD_LABELS = {
    # Translators: a 2-step verification method, as an option to choose
    TwoStepMethod.AUTHENTICATOR_APP: N_("Authenticator app"),
    # Translators: a 2-step verification method, as an option to choose
    TwoStepMethod.SMS: N_("SMS"),
    # Translators: a 2-step verification method, as an option to choose
    TwoStepMethod.EMAIL: N_("Email"),
}
# Translators: *User Settings* and *Account Security* are TikTok's menu labels: keep them in
# English, as we do not know for sure how TikTok names them in your language
TIKTOK_STEPS = N_(
    "Log in to your TikTok for Business account, click your profile picture, then *User Settings*, "
    "then *Account Security*, and choose a verification method."
)


def checklist_blocks(checklist: Checklist, *, own: bool) -> Blocks:
    """The checklist with one fix button per gap; fix buttons only on the member's own view."""
    if own:
        heading = _("Your security checklist")
    else:
        name = checklist.member.display_name or checklist.member.slack_user_id
        heading = _("Security checklist of {name}").format(name=name)
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
                        "text": plain(_("Refresh")),
                    },
                    {
                        "type": "button",
                        "action_id": Action.REPORT_COMPROMISE,
                        "text": plain(_("Report a compromised account")),
                    },
                ],
            }
        )
    return blocks


def _check_blocks(line: CheckLine, *, own: bool) -> Blocks:
    body = f"{ICONS[line.state]} *{line.title}*\n{escape(line.explanation, limit=600)}"
    if line.due is not None:  # a campaign's deadline, in the reader's own days
        body += "\n📅 *" + due_words(line.due.deadline, line.due.today) + "*"
    shown = line.accounts[:ACCOUNTS_SHOWN]
    for account_line in shown:
        name = escape(account_line.account.name, limit=80)
        body += f"\n• {ICONS[account_line.state]} {name}: {escape(account_line.explanation)}"
        if account_line.pending_since is not None:
            # Translators: {date} is a date Slack shows in the reader's zone
            reported = _("_(reported {date})_").format(date=slack_date(account_line.pending_since))
            body += " " + reported
        elif account_line.source is Source.PLATFORM and account_line.observed_at is not None:
            body += f" _({slack_date(account_line.observed_at)})_"
        if account_line.exempt is not None:
            body += " ⏸️ " + exempt_words(account_line.exempt)
    if len(line.accounts) > ACCOUNTS_SHOWN:
        more = len(line.accounts) - ACCOUNTS_SHOWN
        body += "\n• " + ngettext(
            "…and {count} more account", "…and {count} more accounts", more
        ).format(count=number(more))
    section: dict[str, Any] = {"type": "section", "text": mrkdwn(body)}
    if own and line.fix is not None:
        action, label = FIX_BUTTONS[line.fix]
        section["accessory"] = {
            "type": "button",
            "action_id": item_action(action, line.check) if line.fix in SHARED_FIXES else action,
            "text": plain(_(label)),
            "style": FIX_STYLES.get(line.fix, "primary"),
        }
    state = _(STATE_LABELS[line.state])
    if line.source is not None and line.observed_at is not None:
        evidence = (
            # Translators: "Needs action · latest evidence platform-reported · 13 Dec 2026"
            _("{state} · latest evidence {source} · {date}")
            if line.accounts
            else _("{state} · {source} · {date}")
        ).format(
            state=state, source=_(SOURCE_WORDS[line.source]), date=slack_date(line.observed_at)
        )
    else:
        evidence = _("{state} · no evidence yet").format(state=state)
    shown_blocks: Blocks = [section, {"type": "context", "elements": [mrkdwn(evidence)]}]
    if own and _may_ask_exemption(line):
        shown_blocks.append(exemption_button(line.check, Surface.STATUS))
    return shown_blocks


def _may_ask_exemption(line: CheckLine) -> bool:
    """A check held per business account, proven failing on an account not exempt yet (a check
    merely not confirmed yet is for the member to confirm first)."""
    return line.check in EXEMPTABLE and line.state is State.NEEDS_ACTION and not line.exempt


def exemption_button(check: Check, surface: Surface) -> dict[str, Any]:
    """ "Request an exemption" under a checklist line."""
    return {"type": "actions", "elements": [exemption_element(surface, None, check)]}


def exemption_element(
    surface: Surface, item: str | int | None, check: Check | None
) -> dict[str, Any]:
    """The button, from the checklist or a reminder (`item`: its id); its value names the check
    last, when it is about one: "status:two_step", "nudge:12:two_step", "nudge:12"."""
    about = [str(part) for part in (item, check.value if check else None) if part is not None]
    return {
        "type": "button",
        # A message may not repeat an action_id; the router strips the check again.
        "action_id": item_action(Action.REQUEST_EXEMPTION, check or "any"),
        "text": plain(_("Request an exemption")),
        "value": button_value(surface, ":".join(about) or None),
    }


def exempt_words(exempt: Exempt) -> str:
    """ "Exempt until 31 Jan 2027, approved by @dana", in italics: the end date the member chose."""
    last_day = day(exempt.until - timedelta(days=1), "UTC")
    # Translators: {date} is the exemption's last day; {person} mentions who approved it
    words = _("Exempt until {date}, approved by {person}.")
    return "_" + words.format(date=last_day, person=mention(exempt.approved_by)) + "_"


def _not_applicable(checklist: Checklist, own: bool) -> str:
    """Why the checks about business accounts are missing, said once."""
    count = len(checklist.not_applicable)
    titles = ", ".join(line.title for line in checklist.not_applicable)
    if own:
        text = ngettext(
            "The {count} other check ({titles}) is about business accounts on the platform. "
            "None are on record for you, so it doesn't apply.",
            "The {count} other checks ({titles}) are about business accounts on the platform. "
            "None are on record for you, so they don't apply.",
            count,
        )
    else:
        text = ngettext(
            "The {count} other check ({titles}) is about business accounts on the platform. "
            "None are on record for them, so it doesn't apply.",
            "The {count} other checks ({titles}) are about business accounts on the platform. "
            "None are on record for them, so they don't apply.",
            count,
        )
    return text.format(count=number(count), titles=titles)


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
        {"text": plain(_(METHOD_LABELS[method])), "value": method.value} for method in TwoStepMethod
    ]
    return {
        "type": "modal",
        "callback_id": Callback.TWO_STEP_REPORT,
        # Translators: a modal's title, at most 24 characters
        # Translators: a modal's title, at most 24 characters.
        "title": plain(pgettext("modal title", "2-step verification")),
        "submit": plain(_("I've turned it on")),
        "close": plain(_("Cancel")),
        "blocks": [
            {
                "type": "section",
                "text": mrkdwn(_("*Turn on 2-step verification*") + "\n" + _(TIKTOK_STEPS)),
            },
            {
                "type": "section",
                "text": mrkdwn(
                    _(
                        "Then tell the bot below. The platform's own report, when it arrives, "
                        "takes precedence over yours."
                    )
                ),
            },
            {
                "type": "input",
                "block_id": Block.ACCOUNT,
                "label": plain(_("Business account")),
                "element": account_select,
            },
            {
                "type": "input",
                "block_id": Block.METHOD,
                "label": plain(_("Verification method you chose")),
                "element": {"type": "radio_buttons", "action_id": Block.METHOD, "options": methods},
            },
        ],
    }


def help_message(lines: Sequence[str]) -> dict[str, Any]:
    """`/security help`: one line or two per subcommand, as the command's table words them."""
    return notice("\n".join([_("*What I can do*"), *lines, _(_HOME_TAB)]))


_HOME_TAB = N_("You can also open my *Home* tab to see your checklist at any time.")
