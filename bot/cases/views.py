"""The case card (one parent message per case, edited in place), a claim's own thread message,
and the answers to `/security case list` and `/security case show`. Pure builders.

Everything people or the platform wrote (what happened, summaries, notes, descriptions, account
names) is escaped, so it can neither mention, link nor notify anyone.
"""

from __future__ import annotations

import re
from typing import Any

from bot.cases import money
from bot.cases.model import (
    OUTCOME_WORDS,
    PLATFORM,
    AccountRef,
    CaseCard,
    CaseDetail,
    CaseList,
    ChargesSeen,
    ChargeStatus,
    ChargeView,
    PlatformAnswer,
    Status,
    Support,
)
from bot.core.blocks import Blocks, mrkdwn, plain
from bot.core.ids import Action
from bot.core.text import escape, shorten
from bot.core.words import account_label, plural, slack_time
from bot.platform.compromised import remediation_time

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
STATUS_ICONS = {
    Status.REPORTED: "🔴",
    Status.SUSPENDED: "🟠",
    Status.INVESTIGATING: "🟡",
    Status.RESOLVED: "✅",
}
STATUS_WORDS = {
    Status.REPORTED: "Reported",
    # Only that it was asked: platform_words() says whether the platform confirmed.
    Status.SUSPENDED: "Suspension requested",
    Status.INVESTIGATING: "Investigating",
    Status.RESOLVED: "Resolved",
}
CHARGE_WORDS = {
    ChargeStatus.CLAIMED: "claimed, waiting for approval",
    ChargeStatus.APPROVED: "approved, waiting to be processed",
    ChargeStatus.PROCESSED: "reimbursed",
    ChargeStatus.REJECTED: "rejected",
}
WHO_ACTS = (
    "Security admins and the account manager act on this case; its handler moves it along. "
    "Notes written in this thread go on its timeline."
)
WHO_ACTS_UNMANAGED = (
    "Security admins and the support team act on this case; its handler moves it along. "
    "Notes written in this thread go on its timeline."
)
NOT_CONNECTED = "recorded only, no platform connection is configured"
CONFIRMED = "the platform confirmed the request"


def person(slack_id: str | None) -> str:
    """A mention for a Slack user id we stored; anything else, escaped."""
    if slack_id is None:
        return "nobody yet"
    if slack_id == PLATFORM:
        return "the platform"
    return f"<@{slack_id}>" if _USER_ID.match(slack_id) else escape(slack_id, limit=40)


def title(card: CaseCard) -> str:
    return f"Case #{card.number} · {card.account.name}"


def account_words(account: AccountRef) -> str:
    """ "TikTok for Business · Acme Shoes Ads (7012345)", escaped for mrkdwn."""
    label = account_label(account.platform, account.name, account.platform_account_id)
    return escape(label, limit=300)


def platform_words(card: CaseCard) -> str | None:
    """What came of the latest suspend or restore request, and who must act when nothing was
    sent: only what actually happened."""
    step = card.platform_step
    if step is None or (step.action == "suspend" and not card.access_suspended):
        return None
    what = "Suspension" if step.action == "suspend" else "Restoring access"
    if step.answer is PlatformAnswer.CONFIRMED:
        return f"{what} requested from the platform; {CONFIRMED}."
    if step.answer is None:
        return f"{what} requested from the platform."
    doing = "suspend" if step.action == "suspend" else "restore"
    return (
        f"{what} requested from the platform; {NOT_CONNECTED}. {by_hand(card)} must {doing} "
        "access on the platform by hand, or contact the platform."
    )


def by_hand(card: CaseCard) -> str:
    """Who acts on the platform itself when the bot can't: the handler, and the manager."""
    manager = card.account.manager if card.account.managed else None
    who = []
    if card.handler is not None:
        who.append(f"{person(card.handler)} (the case's handler)")
    if manager is not None and manager != card.handler:
        who.append(f"the account manager {person(manager)}")
    if not who:
        return "Whoever takes the case"
    return " or ".join(who)


def reported_by(card: CaseCard) -> str:
    """The real reporters; a case opened by command names its opener and their role."""
    people = [person(r) for r in card.reporters[:5]]
    if len(card.reporters) > 5:
        people.append(f"{len(card.reporters) - 5} more")
    shown = ", ".join(people[:-1]) + " and " + people[-1] if len(people) > 1 else "".join(people)
    if card.opened_by is not None:
        opened = f"opened by {card.opener_role or 'security admin'} {person(card.opened_by)}"
        shown = f"{shown} · {opened}" if shown else "O" + opened[1:]
    return shown or "nobody"


def charges_said(card: CaseCard) -> str | None:
    """A reporter's "there are charges I didn't make", kept in sight until charges are on record."""
    if card.charges_seen is not ChargesSeen.YES:
        return None
    if not card.totals:
        return (
            "💳 Reporter says there are unauthorized charges: none recorded yet — press *Record "
            "a charge*."
        )
    return "💳 Reporter says there are unauthorized charges."


def support_words(support: Support) -> str:
    """How a reporter reaches the support team: SUPPORT_CONTACT, else its channel."""
    if support.contact:
        return f"the support team: {escape(support.contact, limit=200)}"
    if support.channel:
        return f"the support team, in <#{support.channel}>"
    return "the security admins"


def card_message(card: CaseCard) -> dict[str, Any]:
    account = card.account
    client = (
        f"Managed · account manager {person(account.manager)}"
        if account.managed
        else "Not managed · support team"
    )
    status = f"{STATUS_ICONS[card.status]} {STATUS_WORDS[card.status]}"
    if card.access_suspended and card.status is not Status.SUSPENDED:
        status += " · suspension requested"
    fields = [
        f"*Status*\n{status}",
        f"*Account*\n{account_words(account)}",
        f"*Client*\n{client}",
        f"*Reported by*\n{reported_by(card)}",
        f"*Handler*\n{person(card.handler)}",
        f"*Open*\n{_open_for(card)}",
        f"*Charges*\n{charge_totals(card)}",
    ]
    blocks: Blocks = [
        {
            "type": "header",
            "text": plain(shorten(f"{STATUS_ICONS[card.status]} {title(card)}", 150)),
        },
        {"type": "section", "fields": [mrkdwn(field) for field in fields]},
    ]
    platform = platform_words(card)
    if platform is not None:
        answer = card.platform_step.answer if card.platform_step else None
        icon = "✅" if answer is PlatformAnswer.CONFIRMED else "⚠️"
        blocks.append({"type": "section", "text": mrkdwn(f"{icon} {platform}")})
    said = charges_said(card)
    if said is not None:
        blocks.append({"type": "section", "text": mrkdwn(said)})
    blocks.append(
        {"type": "section", "text": mrkdwn("*What happened*\n" + _quoted(card.what_happened))}
    )
    if card.outcome is not None:
        summary = escape(card.resolution_summary or "", limit=1500)
        blocks.append(
            {
                "type": "section",
                "text": mrkdwn(f"*Outcome: {OUTCOME_WORDS[card.outcome]}*\n{summary}"),
            }
        )
    buttons = card_buttons(card)
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    who_acts = WHO_ACTS if account.managed else WHO_ACTS_UNMANAGED
    blocks.append({"type": "context", "elements": [mrkdwn(who_acts)]})
    # The fallback text is mrkdwn too (notifications, screen readers): escaped like the rest.
    text = f"Case #{card.number} · {escape(account.name, limit=150)}: {STATUS_WORDS[card.status].lower()}"
    return {"text": text, "blocks": blocks}


def card_buttons(card: CaseCard) -> list[dict[str, Any]]:
    """The buttons that fit the state; every one is checked again on the server when pressed."""
    value = str(card.number)
    if card.status is Status.RESOLVED:
        return [_button(Action.CASE_REOPEN, "Reopen", value)] if card.may_reopen else []
    buttons = []
    if card.handler is None:
        buttons.append(_button(Action.CASE_TAKE, "Take it", value, "primary"))
    if not card.access_suspended:
        buttons.append(_button(Action.CASE_SUSPEND, "Suspend account access", value, "danger"))
    if card.status is not Status.INVESTIGATING:
        buttons.append(_button(Action.CASE_INVESTIGATE, "Start investigating", value))
    buttons.append(_button(Action.CASE_RECORD_CHARGE, "Record a charge", value))
    buttons.append(_button(Action.CASE_RESOLVE, "Resolve", value))
    return buttons


def charge_totals(card: CaseCard) -> str:
    if not card.totals:
        return "none recorded"
    lines = []
    for total in card.totals:
        claimed = money.shown(total.claimed, total.currency)
        approved = money.shown(total.approved, total.currency).split(" ", 1)[1]
        paid = money.shown(total.reimbursed, total.currency).split(" ", 1)[1]
        lines.append(f"{claimed} claimed · {approved} approved · {paid} reimbursed")
    return "\n".join(lines)


def charge_message(charge: ChargeView, handler: str | None) -> dict[str, Any]:
    """A claim's own message in the case thread, with the buttons its state allows."""
    amount = money.shown(charge.amount_minor, charge.currency)
    description = escape(charge.description, limit=500)
    lines = [
        f"💳 *Charge {amount}*: {description}",
        f"Recorded by {person(charge.recorded_by)} · {CHARGE_WORDS[charge.status]}",
    ]
    if charge.approved_by:
        lines.append(f"Approved by {person(charge.approved_by)}")
    if charge.status is ChargeStatus.PROCESSED and charge.decided_by:
        lines.append(f"Marked reimbursed by {person(charge.decided_by)}")
    if charge.status is ChargeStatus.REJECTED:
        reason = escape(charge.rejection_reason or "", limit=500)
        lines.append(f"Rejected by {person(charge.decided_by)}: {reason}")
    blocks: Blocks = [{"type": "section", "text": mrkdwn("\n".join(lines))}]
    value = str(charge.id)
    buttons = []
    if charge.status is ChargeStatus.CLAIMED:
        buttons.append(_button(Action.CHARGE_APPROVE, "Approve", value, "primary"))
    if charge.status is ChargeStatus.APPROVED:
        buttons.append(_button(Action.CHARGE_PROCESSED, "Mark reimbursed", value, "primary"))
    if charge.status in (ChargeStatus.CLAIMED, ChargeStatus.APPROVED):
        buttons.append(_button(Action.CHARGE_REJECT, "Reject", value, "danger"))
        who = f"anyone but the handler ({person(handler)}) or who recorded it"
        blocks.append({"type": "actions", "elements": buttons})
        blocks.append(
            {
                "type": "context",
                "elements": [mrkdwn(f"Approval: a security admin or the account manager, {who}.")],
            }
        )
    return {"text": f"Charge {amount}: {CHARGE_WORDS[charge.status]}", "blocks": blocks}


def case_list(found: CaseList) -> dict[str, Any]:
    if not found.cases:
        text = "There are no open cases you can see." if not found.everything else "No open cases."
        return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}
    heading = "Open cases" if found.everything else "Open cases you can see"
    lines = [f"*{heading}*, newest first"]
    for case in found.cases:
        name = escape(case.account_name, limit=80)
        client = "managed" if case.managed else "not managed"
        lines.append(
            f"{STATUS_ICONS[case.status]} *#{case.number}* {name} ({client}) · "
            f"{STATUS_WORDS[case.status].lower()} · handler {person(case.handler)} · "
            f"opened {slack_time(case.opened_at)}"
        )
    if found.total > len(found.cases):
        lines.append(f"…and {plural(found.total - len(found.cases), 'older case')}.")
    lines.append("`/security case show <number>` shows a case with its timeline.")
    text = "\n".join(lines)
    return {"text": heading, "blocks": [{"type": "section", "text": mrkdwn(shorten(text, 3000))}]}


def case_detail(detail: CaseDetail) -> dict[str, Any]:
    """The card without its buttons, then the timeline, oldest first."""
    card = card_message(detail.card)
    blocks = [block for block in card["blocks"] if block["type"] != "actions"][:-1]
    lines = []
    for entry in detail.timeline:
        said = f": {escape(entry.text, limit=300)}" if entry.text else ""
        what = _KINDS.get(entry.kind, entry.kind.replace("_", " "))
        lines.append(f"• {slack_time(entry.at)} {person(entry.actor)} {what}{said}")
    timeline = "\n".join(lines) or "Nothing yet."
    blocks.append({"type": "section", "text": mrkdwn(shorten("*Timeline*\n" + timeline, 3000))})
    for charge in detail.charges[:10]:
        blocks.append(charge_message(charge, detail.card.handler)["blocks"][0])
    return {"text": card["text"], "blocks": blocks}


_KINDS = {
    "opened": "opened the case",
    "joined": "reported it too",
    "info": "added information",
    "opened_by_command": "opened the case",
    "taken": "took the case",
    "suspended": "requested suspension of account access",
    "suspend_recorded": f"requested suspension of account access ({NOT_CONNECTED})",
    "suspend_confirmed": f"requested suspension of account access; {CONFIRMED}",
    "restore_recorded": f"requested that account access be restored ({NOT_CONNECTED})",
    "restore_confirmed": f"requested that account access be restored; {CONFIRMED}",
    "charges_said": "said there are unauthorized charges",
    "investigating": "started investigating",
    "resolved": "resolved the case",
    "reopened": "reopened the case",
    "restored": "requested that account access be restored",
    "note": "noted",
    "note_edited": "edited a note",
    "note_deleted": "deleted a note",
    "charge_recorded": "recorded a charge",
    "charge_approved": "approved a charge",
    "charge_processed": "marked a charge reimbursed",
    "charge_rejected": "rejected a charge",
}


def _open_for(card: CaseCard) -> str:
    opened = slack_time(card.opened_at)
    if card.resolved_at is not None:
        return (
            f"opened {opened}, resolved after {remediation_time(card.resolved_at - card.opened_at)}"
        )
    return f"since {opened} ({remediation_time(card.now - card.opened_at)})"


def _quoted(text: str) -> str:
    escaped = escape(text, limit=1500) or "_nothing written_"
    return "\n".join(f">{line}" for line in escaped.splitlines()) or ">"


def _button(action: Action, label: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": action,
        "text": plain(label),
        "value": value,
    }
    if style:
        button["style"] = style
    return button
