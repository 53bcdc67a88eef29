"""Block Kit for the account manager's desk on the Home tab: a page of business accounts, riskiest
first, each with its posture across its members, the gaps and who owns them, "Remind now" and a
DM link per gap owner, and "Open a case". Pure: postures in, blocks out.

The Home tab holds at most 100 blocks, the security overview and the member's own checklist
included: the page takes as many accounts as the rest leaves room for, and says which ones.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.cases.severity import SEVERITY_ICONS, SEVERITY_WORDS
from bot.cases.wording import STATUS_INLINE
from bot.checklist.model import Check, Checklist
from bot.checklist.views import ICONS, checklist_blocks
from bot.core.blocks import Blocks, mrkdwn, plain
from bot.core.i18n import N_, _, ngettext, number
from bot.core.ids import Action, item_action
from bot.core.text import escape, mention
from bot.core.words import platform_name
from bot.desk.posture import AccountPosture, MemberPosture

_SLACK_ID = re.compile(r"^[A-Z0-9]{2,32}$")
HOME_LIMIT = 100  # blocks on a Home tab, Slack's limit
OWNERS_ON_HOME = 3  # gap owners shown per account on the Home tab; the account's page shows all
MOST_ON_A_PAGE = 20
_AROUND_THE_PAGE = 4  # header, the page's line, Previous / Next, the divider after

# Catalogue texts, shown with `_()`: a gap's check in a list of one member's gaps.
GAP_WORDS = {
    Check.NO_COMPROMISED_PASSWORD: N_("compromised password"),
    Check.TWO_STEP: N_("2-step verification"),
    Check.STRONG_PASSWORD: N_("strong password"),
    Check.UNIQUE_PASSWORDS: N_("unique passwords"),
    Check.RECOVERY_EMAIL: N_("recovery email"),
    Check.RECOVERY_PHONE: N_("recovery phone"),
    Check.AUTHENTICATOR: N_("authenticator linked to the bot"),  # in what a reminder was about
}


def home_view(
    checklist: Checklist, overview: Blocks, accounts: Sequence[AccountPosture], start: int
) -> dict[str, Any]:
    """An account manager's Home tab: the security overview (admins), the desk, then their own
    checklist as every member sees it."""
    own = checklist_blocks(checklist, own=True)
    budget = HOME_LIMIT - len(overview) - len(own)
    return {"type": "home", "blocks": overview + desk_blocks(accounts, start, budget) + own}


def page_size(budget: int) -> int:
    """How many accounts fit in `budget` blocks, each with its most blocks."""
    per_account = 2 + OWNERS_ON_HOME  # its heading, its gap owners, "…and more"
    return max(1, min(MOST_ON_A_PAGE, (budget - _AROUND_THE_PAGE) // per_account))


def desk_blocks(accounts: Sequence[AccountPosture], start: int, budget: int) -> Blocks:
    """The page of `accounts` from `start` that fits in `budget` blocks, with Previous / Next."""
    size = page_size(budget)
    total = len(accounts)
    start = max(0, min(start, (total - 1) // size * size))
    shown = accounts[start : start + size]
    order = _("riskiest first: open cases and compromised passwords, then the most gaps.")
    if len(shown) == total:
        line = ngettext("{total} account, {order}", "All {total} accounts, {order}", total).format(
            total=number(total), order=order
        )
    else:
        line = ngettext(
            "Accounts {first}-{last} of {total}, {order}",
            "Accounts {first}-{last} of {total}, {order}",
            total,
        ).format(
            first=number(start + 1),
            last=number(start + len(shown)),
            total=number(total),
            order=order,
        )
    blocks: Blocks = [
        {"type": "header", "text": plain(_("Your business accounts"))},
        {"type": "context", "elements": [mrkdwn(line)]},
    ]
    for account in shown:
        blocks += account_blocks(account, owners_shown=OWNERS_ON_HOME, may_remind=True)
    steps = []
    if start > 0:
        steps.append(_step(Action.DESK_PREVIOUS, _("Previous"), max(0, start - size)))
    if start + size < total:
        steps.append(_step(Action.DESK_NEXT, _("Next"), start + size))
    if steps:
        blocks.append({"type": "actions", "elements": steps})
    blocks.append({"type": "divider"})
    return blocks


def _step(action: Action, label: str, start: int) -> dict[str, Any]:
    return {"type": "button", "action_id": action, "text": plain(label), "value": str(start)}


def account_blocks(account: AccountPosture, *, owners_shown: int, may_remind: bool) -> Blocks:
    """One account: its heading with its posture and "Open a case" (for its manager, its members
    and security admins: whoever sees it), then a line per gap owner with their gaps (and "Remind
    now" for those who may); past `owners_shown`, how many more."""
    heading: dict[str, Any] = {"type": "section", "text": mrkdwn(_heading(account))}
    heading["accessory"] = {
        "type": "button",
        "action_id": item_action(Action.DESK_OPEN_CASE, account.account_id),
        "text": plain(_("Open a case")),
        "value": str(account.account_id),
    }
    blocks: Blocks = [heading]
    owners = account.owners
    for owner in owners[:owners_shown]:
        blocks.append(_owner_block(account, owner, may_remind))
    more = len(owners) - owners_shown
    if more > 0:
        text = ngettext(
            "…and {count} more member with gaps: `/security account {id}` lists everyone.",
            "…and {count} more members with gaps: `/security account {id}` lists everyone.",
            more,
        ).format(count=number(more), id=escape(account.platform_account_id, limit=64))
        blocks.append({"type": "context", "elements": [mrkdwn(text)]})
    return blocks


def _heading(account: AccountPosture) -> str:
    icon = "🚨" if account.compromised or account.case else ("🔴" if account.red else "⚪")
    if not account.gaps and not account.case:
        icon = "✅"
    name = escape(account.name, limit=150)
    where = f"{escape(platform_name(account.platform))} · {escape(account.platform_account_id)}"
    lines = [f"{icon} *{name}* · {where}", posture_line(account)]
    alarms = _alarms(account)
    if alarms:
        lines.append(alarms)
    return "\n".join(lines)


def posture_line(account: AccountPosture) -> str:
    """The account's posture across its members, in one line."""
    members = len(account.members)
    if not members:
        return _("No members on record for this account.")
    two_step = _("2-step verification confirmed by the platform: *{count} of {members}*").format(
        count=number(account.confirmed_two_step), members=number(members)
    )
    strong = _("strong passwords: *{count} of {members}*").format(
        count=number(account.strong_passwords), members=number(members)
    )
    ready = _("recovery ready: *{count} of {members}*").format(
        count=number(account.recovery_ready), members=number(members)
    )
    parts = [two_step, strong, ready]
    exempt = account.exempt(Check.TWO_STEP) + account.exempt(Check.STRONG_PASSWORD)
    if exempt:
        parts.append(
            ngettext("{count} exemption in force", "{count} exemptions in force", exempt).format(
                count=number(exempt)
            )
        )
    if account.gaps:
        parts.append(
            ngettext("{count} gap", "{count} gaps", account.gaps).format(count=number(account.gaps))
        )
    else:
        parts.append(_("no gaps"))
    return " · ".join(parts)


def _alarms(account: AccountPosture) -> str:
    """Compromised passwords, open alerts and the open case, when there are any."""
    parts = []
    if account.compromised:
        parts.append(
            ngettext(
                "🚨 *{count} compromised password*",
                "🚨 *{count} compromised passwords*",
                account.compromised,
            ).format(count=number(account.compromised))
        )
    if account.open_alerts:
        parts.append(
            ngettext("{count} open alert", "{count} open alerts", account.open_alerts).format(
                count=number(account.open_alerts)
            )
        )
    case = account.case
    if case is not None:
        parts.append(
            _("case *#{number}* {icon} {severity}, {status}").format(
                number=case.number,
                icon=SEVERITY_ICONS[case.severity],
                severity=_(SEVERITY_WORDS[case.severity]),
                status=_(STATUS_INLINE[case.status]),
            )
        )
    return " · ".join(parts)


def _owner_block(account: AccountPosture, owner: MemberPosture, may_remind: bool) -> dict[str, Any]:
    gaps = " · ".join(
        f"{'🚨' if gap.check is Check.NO_COMPROMISED_PASSWORD else ICONS[gap.state]} "
        f"{_(GAP_WORDS[gap.check])}"
        for gap in owner.gaps
    )
    text = f"{person(owner)}: {gaps}{_dm_link(owner)}"
    block: dict[str, Any] = {"type": "section", "text": mrkdwn(text)}
    if may_remind and owner.slack_user_id:
        block["accessory"] = {
            "type": "button",
            # A view may not repeat an action_id: the account and the member make it unique.
            "action_id": item_action(
                Action.DESK_REMIND, f"{account.account_id}-{owner.slack_user_id}"
            ),
            "text": plain(_("Remind now")),
            "value": owner.slack_user_id,
        }
    return block


def person(owner: MemberPosture) -> str:
    """A member by name: a mention Slack shows as the name they go by, else the directory's."""
    if owner.slack_user_id:
        return mention(owner.slack_user_id)
    if owner.name:
        return escape(owner.name, limit=80)
    return _("a member not yet on Slack")


def _dm_link(owner: MemberPosture) -> str:
    """A link that opens a DM with the member in Slack (a deep link)."""
    if not all(_SLACK_ID.match(part or "") for part in (owner.slack_user_id, owner.team_id)):
        return ""  # only ids as Slack writes them go into a link
    url = f"slack://user?team={owner.team_id}&id={owner.slack_user_id}"
    # Translators: a link that opens a direct message with the member
    label = _("Send a DM")
    return f"\n<{url}|{label}>"


def gap_words(checks: Sequence[Check]) -> str:
    return ", ".join(_(GAP_WORDS[check]) for check in checks if check in GAP_WORDS)
