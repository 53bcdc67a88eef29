"""What people are told about their case by DM, and the short lines in the case thread.

Worded as the platform's guidance says: a compromised account is suspended to stop further
access; after the investigation the owner is told the results and what they can do to regain
control; charges from unauthorized activity are reimbursed; managed clients contact their account
manager immediately, unmanaged clients contact customer support.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.alerts import remediation_time
from bot.cases import money
from bot.cases.model import OUTCOME_WORDS, CaseCard, ChargeView, Outcome
from bot.cases.views import person
from bot.text import escape, slack_date
from bot.views import Blocks, mrkdwn, plain
from handlers.ids import Action

REIMBURSED = "Charges from unauthorized activity are reimbursed."


def _name(card: CaseCard) -> str:
    return f"*{escape(card.account.name, limit=150)}*"


def contact(card: CaseCard) -> str:
    """Whom the client contacts, as the guidance says."""
    if card.account.managed:
        manager = person(card.account.manager) if card.account.manager else "your account manager"
        return f"Contact your account manager {manager} immediately if anything else happens."
    return "Contact customer support immediately if anything else happens."


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
    else:
        who = "Customer support has the case"
    return (
        f"{who}. To stop further access, access to the account may be suspended while it is "
        "investigated; afterwards you'll be told the results and what you can do to regain "
        f"control. {REIMBURSED} {contact(card)}"
    )


def opened_dm(card: CaseCard, *, by_alert: bool) -> dict[str, Any]:
    """To the reporter, or to the account's members when the platform's alert opened it."""
    if by_alert:
        first = (
            f"The platform detected that {_name(card)} may have been taken over, so I've opened "
            f"case *#{card.number}* about it."
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
        f"{slack_date(card.opened_at)}), so your report joined it.\n{_what_next(card)}"
    )
    return _dm(
        f"Your report joined case #{card.number}",
        [{"type": "section", "text": mrkdwn(text)}],
        button=_add_info(card),
    )


def suspended_dm(card: CaseCard) -> dict[str, Any]:
    text = (
        f"To stop further access, access to {_name(card)} is now suspended while case "
        f"*#{card.number}* is investigated. Once the investigation ends you'll be told the "
        f"results and what you can do to regain control. {REIMBURSED} {contact(card)}"
    )
    return _dm(f"Access to the account of case #{card.number} is suspended",
               [{"type": "section", "text": mrkdwn("🟠 " + text)}])  # fmt: skip


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
        f"*What you can do*\n{_MAY_DO[card.outcome]} {REIMBURSED} "
        + (
            f"Questions? Contact your account manager {person(card.account.manager)}."
            if card.account.managed
            else "Questions? Contact customer support."
        )
    )
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
    text = (
        f"⏰ Case *#{card.number}* about {_name(card)} has waited {remediation_time(waited)} "
        "for someone to take it. Security admins or the account manager: press *Take it* on "
        "the card."
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
        f"{card.status.value}. `/security case show {card.number}` has its timeline."
    )
    return _dm(f"Case #{card.number} is stuck", [{"type": "section", "text": mrkdwn(text)}])


# -- thread lines (safe mrkdwn, one short line each) ---------------------------------------------


def line(actor: str, what: str, said: str | None = None) -> str:
    quoted = f": “{escape(said, limit=300)}”" if said else ""
    return f"{person(actor)} {what}{quoted}"


def outcome_line(card: CaseCard, actor: str) -> str:
    assert card.outcome is not None
    summary = escape(card.resolution_summary or "", limit=300)
    return f"{person(actor)} resolved the case: *{OUTCOME_WORDS[card.outcome].lower()}*. {summary}"


def step_up_done(number: int) -> dict[str, Any]:
    """After the code for resolving: the modal needs a fresh click to open (Slack's trigger)."""
    text = f"Code accepted. Press *Resolve* to write the outcome of case *#{number}*."
    button = {
        "type": "button",
        "action_id": Action.CASE_RESOLVE,
        "text": plain(f"Resolve case #{number}"),
        "value": str(number),
        "style": "primary",
    }
    return _dm(text, [{"type": "section", "text": mrkdwn(text)}], button=button)
