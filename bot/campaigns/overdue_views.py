"""The DMs after a campaign's deadline (bot/campaigns/overdue.py wrote what they say): an account
manager's list of their accounts with something still open, and the security admins' whole
list. Rendered when sent, in the reader's language. Pure: a payload in, a message out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.campaigns.model import Scope
from bot.campaigns.words import campaign_name
from bot.checklist.model import CHECKS, Check
from bot.core.blocks import Blocks, line_groups, mrkdwn, plain
from bot.core.i18n import _, ngettext, number
from bot.core.text import escape, mention, shorten
from bot.stats.words import long_day

MANAGERS_LISTED = 15
MAX_BLOCKS = 50  # Slack's limit for a message


def overdue_message(payload: Mapping[str, Any]) -> dict[str, Any]:
    about = payload.get("campaign") or {}
    name = _name(about)
    deadline = _deadline(about)
    accounts = list(payload.get("accounts") or [])
    total_accounts = int(payload.get("accounts_total") or 0)
    open_total = int(payload.get("open_total") or 0)
    admins = payload.get("role") == "admins"
    # Translators: {date} is the campaign's last day
    heading = _("Campaign #{number}: the deadline has passed ({date})").format(
        number=number(int(about.get("id") or 0)), date=deadline
    )
    if admins and open_total == 0:
        done = _("Everyone in scope was done by the deadline of {name} ({date}). 🎉")
        text = done.format(name=name, date=deadline)
        return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}
    pairs = ngettext("{count} member's account", "{count} members' accounts", open_total).format(
        count=number(open_total)
    )
    on = ngettext("{count} business account", "{count} business accounts", total_accounts).format(
        count=number(total_accounts)
    )
    if admins:
        # Translators: "Still open: 3 members' accounts on 2 business accounts."
        summary = _("Still open: {pairs} on {accounts}.").format(pairs=pairs, accounts=on)
    else:
        summary = _("Still open on your business accounts: {pairs} on {accounts}.").format(
            pairs=pairs, accounts=on
        )
    blocks: Blocks = [
        {"type": "header", "text": plain(shorten(heading, 150))},
        {"type": "section", "text": mrkdwn(f"*{name}*\n{summary}")},
    ]
    if admins:
        blocks.append({"type": "section", "text": mrkdwn(_managers(payload))})
    # One line per account, as many to a section as fit: a message holds 50 blocks.
    groups = line_groups([_account_line(entry, with_manager=admins) for entry in accounts])
    room = MAX_BLOCKS - len(blocks) - 2
    shown = groups[:room]
    blocks += [{"type": "section", "text": mrkdwn(text)} for text in shown]
    listed = sum(text.count("\n") + 1 for text in shown)
    hidden = total_accounts - listed
    if hidden > 0:
        more = ngettext(
            "…and {count} more business account.", "…and {count} more business accounts.", hidden
        ).format(count=number(hidden))
        blocks.append({"type": "context", "elements": [mrkdwn(more)]})
    hint = _(
        "The members keep getting their reminders. `/security status @someone` shows a "
        "member's checklist; `/security campaign show {number}` the campaign's progress."
    ).format(number=number(int(about.get("id") or 0)))
    blocks.append({"type": "context", "elements": [mrkdwn(hint)]})
    return {"text": heading, "blocks": blocks}


def _account_line(entry: Mapping[str, Any], *, with_manager: bool) -> str:
    """ "• *Acme Ads* (@dana): @ana, @raj, …and 2 more" """
    account = escape(str(entry.get("name") or ""), limit=150)
    members = [mention(str(member)) for member, _name in entry.get("members") or []]
    more = int(entry.get("more_members") or 0)
    if more:
        members.append(
            ngettext("…and {count} more", "…and {count} more", more).format(count=number(more))
        )
    line = f"• *{account}*"
    if with_manager:
        manager = entry.get("manager")
        line += " (" + (mention(str(manager)) if manager else _("no account manager")) + ")"
    return f"{line}: {', '.join(members)}"


def _managers(payload: Mapping[str, Any]) -> str:
    lines = [_("*Per account manager*")]
    rows = sorted(payload.get("managers") or [], key=lambda row: -int(row[2]))
    for manager, accounts, still_open in rows[:MANAGERS_LISTED]:
        who = mention(str(manager)) if manager else _("no account manager")
        lines.append(
            "• "
            + ngettext(
                "{who}: {count} open on {accounts} business account",
                "{who}: {count} open on {accounts} business accounts",
                int(accounts),
            ).format(who=who, count=number(int(still_open)), accounts=number(int(accounts)))
        )
    return shorten("\n".join(lines), 3000)


def _name(about: Mapping[str, Any]) -> str:
    check = CHECKS.get(str(about.get("check")), Check.TWO_STEP)
    try:
        scope = Scope(str(about.get("scope")))
    except ValueError:
        scope = Scope.EVERYONE
    return campaign_name(str(about.get("title") or ""), check, scope, about.get("scope_value"))


def _deadline(about: Mapping[str, Any]) -> str:
    try:
        return long_day(date.fromisoformat(str(about.get("deadline"))))
    except ValueError:
        return "?"
