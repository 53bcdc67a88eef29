"""What people are told about their case by DM, and the short lines in the case thread.

Worded as the platform's guidance says: a compromised account is suspended to stop further
access; after the investigation the owner is told the results and what they can do to regain
control; charges from unauthorized activity are reimbursed; managed clients contact their account
manager immediately, unmanaged clients the support team (SUPPORT_CONTACT, else its channel).

Only what actually happened: without a platform connection a suspension is requested and
recorded, not done, and the words say who must act on the platform by hand.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.cases import money
from bot.cases.model import OUTCOME_WORDS, CaseCard, ChargeView, Outcome, PlatformAnswer
from bot.cases.views import (
    STATUS_WORDS,
    account_words,
    by_hand,
    person,
    platform_words,
    support_words,
)
from bot.core.blocks import Blocks, mrkdwn, plain
from bot.core.ids import Action
from bot.core.text import escape
from bot.core.words import slack_time
from bot.platform.compromised import remediation_time

REIMBURSED = "Charges from unauthorized activity are reimbursed."


def _name(card: CaseCard) -> str:
    return f"*{account_words(card.account)}*"


def _reach(card: CaseCard) -> str:
    """Who the client reaches: their account manager, or the support team (how to reach it)."""
    if card.account.managed:
        manager = card.account.manager
        return f"your account manager {person(manager)}" if manager else "your account manager"
    return support_words(card.support)


def contact(card: CaseCard) -> str:
    """Whom the client contacts, as the guidance says."""
    return f"Contact {_reach(card)} immediately if anything else happens."


def _dm(text: str, blocks: Blocks, *, button: dict[str, Any] | None = None) -> dict[str, Any]:
    if button is not None:
        blocks = [*blocks, {"type": "actions", "elements": [button]}]
    return {"text": text, "blocks": blocks}


def _add_info(card: CaseCard) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": Action.CASE_ADD_INFO,
        "text": plain("Add information"),
        "value": str(card.number),
    }


def _what_next(card: CaseCard) -> str:
    if card.account.managed:
        who = f"Your account manager {person(card.account.manager)} has the case"
    elif card.support.channel:
        who = f"The support team has the case, in <#{card.support.channel}>"
    else:
        who = "The security admins have the case"
    return (
        f"{who}. To stop further access, access to the account may be suspended while it is "
        "investigated; afterwards you'll be told the results and what you can do to regain "
        f"control. {REIMBURSED} {contact(card)}"
    )


def opened_dm(card: CaseCard, *, by_alert: bool) -> dict[str, Any]:
    """To the reporter; or to the account's members when the platform's alert opened it, or
    someone opened it by command (who, and what they wrote)."""
    if by_alert:
        first = (
            f"The platform detected that {_name(card)} may have been taken over, so I've opened "
            f"case *#{card.number}* about it."
        )
    elif card.opened_by is not None:
        role = card.opener_role or "security admin"
        first = (
            f"The {role} {person(card.opened_by)} opened case *#{card.number}* about "
            f"{_name(card)}, a business account you work on:\n{_said(card.what_happened)}"
        )
    else:
        first = f"I've opened case *#{card.number}* about {_name(card)}."
    text = f"{first}\n{_what_next(card)}"
    return _dm(
        f"Case #{card.number} is open",
        [{"type": "header", "text": plain(f"🛡️ Case #{card.number} is open")},
         {"type": "section", "text": mrkdwn(text)}],
        button=_add_info(card),
    )  # fmt: skip


def joined_dm(card: CaseCard) -> dict[str, Any]:
    text = (
        f"Case *#{card.number}* about {_name(card)} was already open (since "
        f"{slack_time(card.opened_at)}), so your report joined it.\n{_what_next(card)}"
    )
    return _dm(
        f"Your report joined case #{card.number}",
        [{"type": "section", "text": mrkdwn(text)}],
        button=_add_info(card),
    )


def suspended_dm(card: CaseCard) -> dict[str, Any]:
    """To the account's members: what was asked of the platform, and what came of it."""
    step = card.platform_step
    if step is not None and step.answer is PlatformAnswer.RECORDED:
        done = (
            f"To stop further access, suspending access to {_name(card)} was requested for case "
            f"*#{card.number}*. No platform connection is configured, so the request is recorded "
            f"only and access is *not* suspended yet: {by_hand(card)} must suspend it on the "
            "platform by hand, or contact the platform."
        )
        icon, title = "⚠️", f"Suspension requested for the account of case #{card.number}"
    else:
        done = (
            f"To stop further access, suspending access to {_name(card)} was requested for case "
            f"*#{card.number}*, and the platform confirmed the request."
        )
        icon, title = "🟠", f"The platform confirmed the suspension request of case #{card.number}"
    text = (
        f"{done} Once the investigation ends you'll be told the results and what you can do to "
        f"regain control. {REIMBURSED} {contact(card)}"
    )
    return _dm(title, [{"type": "section", "text": mrkdwn(f"{icon} {text}")}])


def platform_line(card: CaseCard, actor: str, *, took: bool) -> str:
    """The thread line of a suspend or restore request: what was asked, and what came of it."""
    step = card.platform_step
    restore = step is not None and step.action == "restore"
    what = (
        "requested that account access be restored"
        if restore
        else ("requested suspension of account access")
    )
    if took:
        what = "took the case and " + what
    if step is not None and step.answer is PlatformAnswer.RECORDED:
        doing = "restore" if restore else "suspend"
        what += (
            f". Recorded only, no platform connection is configured: {by_hand(card)} must "
            f"{doing} access on the platform by hand, or contact the platform"
        )
    else:
        what += "; the platform confirmed the request"
    return line(actor, what)


_MAY_DO = {
    Outcome.CONTROL_RESTORED: (
        "You have control of the account again. Now: change its password (`/security password` "
        "checks the new one), turn on 2-step verification, check the recovery email and phone, "
        "and review recent activity and payment methods."
    ),
    Outcome.FALSE_ALARM: (
        "The investigation found no sign that someone else used the account; nothing was lost. "
        "Keep 2-step verification on, and report again if anything looks wrong."
    ),
    Outcome.NOT_RECOVERABLE: (
        "The account could not be recovered. What you can do: ask for a new account to replace "
        "it, and move what you can (ads, catalogues, payment methods) there; keep the old "
        "password out of use everywhere."
    ),
}


def resolved_dm(card: CaseCard) -> dict[str, Any]:
    """To the account's members and the reporters: the results and what they may do."""
    assert card.outcome is not None
    summary = escape(card.resolution_summary or "", limit=1500)
    text = (
        f"Case *#{card.number}* about {_name(card)} is resolved: "
        f"*{OUTCOME_WORDS[card.outcome].lower()}*.\n*What we found*\n{summary}\n"
        f"*What you can do*\n{_MAY_DO[card.outcome]} {REIMBURSED} Questions? Contact "
        f"{_reach(card)}."
    )
    restoring = platform_words(card) if card.platform_step else None
    if restoring is not None and card.platform_step and card.platform_step.action == "restore":
        text += f"\n{restoring}"
    return _dm(f"Case #{card.number} is resolved", [{"type": "section", "text": mrkdwn(text)}])


def charge_dm(card: CaseCard, charge: ChargeView) -> dict[str, Any]:
    """To the account's members at each step of a reimbursement."""
    amount = money.shown(charge.amount_minor, charge.currency)
    what = escape(charge.description, limit=300)
    steps = {
        "claimed": f"A charge of {amount} ({what}) is recorded on case *#{card.number}* for "
        "reimbursement; it now needs a second person's approval.",
        "approved": f"The reimbursement of {amount} ({what}) on case *#{card.number}* is "
        "approved and will be processed.",
        "processed": f"The reimbursement of {amount} ({what}) on case *#{card.number}* has been "
        "processed.",
        "rejected": f"The reimbursement of {amount} ({what}) on case *#{card.number}* was "
        f"rejected: {escape(charge.rejection_reason or '', limit=500)}. {contact(card)}",
    }
    text = steps[charge.status.value]
    return _dm(f"Reimbursement on case #{card.number}", [{"type": "section", "text": mrkdwn(text)}])


def no_channel_dm(card: CaseCard) -> dict[str, Any]:
    text = (
        f"Case *#{card.number}* about {_name(card)} is open, but neither ESCALATION_CHANNEL nor "
        "SUPPORT_CHANNEL is set, so its card could not be posted. `/security case show "
        f"{card.number}` shows it."
    )
    return _dm(f"Case #{card.number} has no channel", [{"type": "section", "text": mrkdwn(text)}])


# -- reminders ----------------------------------------------------------------------------------


def not_taken_line(card: CaseCard, waited: timedelta) -> dict[str, Any]:
    who = "the account manager" if card.account.managed else "the support team"
    text = (
        f"⏰ Case *#{card.number}* about {_name(card)} has waited {remediation_time(waited)} "
        f"for someone to take it. Security admins or {who}: press *Take it* on the card."
    )
    return {"text": text, "blocks": [{"type": "section", "text": mrkdwn(text)}]}


def handler_reminder(card: CaseCard, quiet: timedelta) -> dict[str, Any]:
    text = (
        f"⏰ Case *#{card.number}* about {_name(card)}, which you handle, has had no update for "
        f"{remediation_time(quiet)}. Move it along, or write where it stands in its thread."
    )
    return _dm(f"Case #{card.number} needs an update", [{"type": "section", "text": mrkdwn(text)}])


def admins_reminder(card: CaseCard, quiet: timedelta) -> dict[str, Any]:
    text = (
        f"⚠️ Case *#{card.number}* about {_name(card)} has had no update for "
        f"{remediation_time(quiet)}. Handler: {person(card.handler)}. Status: "
        f"{STATUS_WORDS[card.status].lower()}. `/security case show {card.number}` has its timeline."
    )
    return _dm(f"Case #{card.number} is stuck", [{"type": "section", "text": mrkdwn(text)}])


# -- thread lines (safe mrkdwn, one short line each) ---------------------------------------------


def _said(text: str) -> str:
    escaped = escape(text, limit=1500) or "_nothing written_"
    return "\n".join(f">{part}" for part in escaped.splitlines()) or ">"


def line(actor: str, what: str, said: str | None = None) -> str:
    quoted = f": “{escape(said, limit=300)}”" if said else ""
    return f"{person(actor)} {what}{quoted}"


def outcome_line(card: CaseCard, actor: str) -> str:
    assert card.outcome is not None
    summary = escape(card.resolution_summary or "", limit=300)
    return f"{person(actor)} resolved the case: *{OUTCOME_WORDS[card.outcome].lower()}*. {summary}"
