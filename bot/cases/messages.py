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
from bot.cases.incident_views import resolve_clock, take_clock
from bot.cases.model import CaseCard, ChargeView, Outcome, PlatformAnswer
from bot.cases.thread_lines import again
from bot.cases.views import account_words, by_hand, platform_words, support_words
from bot.cases.wording import STATUS_INLINE, elapsed, person, role_words
from bot.core.blocks import Blocks, mrkdwn, plain
from bot.core.i18n import N_, _
from bot.core.ids import Action
from bot.core.text import escape
from bot.core.words import slack_time

REIMBURSED = N_("Charges from unauthorized activity are reimbursed.")
# Translators: a case's outcome inside a sentence ("Case #4 … is resolved: *false alarm*.").
OUTCOME_INLINE = {
    Outcome.CONTROL_RESTORED: N_("control restored"),
    Outcome.FALSE_ALARM: N_("false alarm"),
    Outcome.NOT_RECOVERABLE: N_("not recoverable"),
}


def _name(card: CaseCard) -> str:
    return f"*{account_words(card.account)}*"


def _reach(card: CaseCard) -> str:
    """Who the client reaches: their account manager, or the support team (how to reach it)."""
    if card.account.managed:
        manager = card.account.manager
        if manager:
            return _("your account manager {person}").format(person=person(manager))
        return _("your account manager")
    return support_words(card.support)


def contact(card: CaseCard) -> str:
    """Whom the client contacts, as the guidance says."""
    return _("Contact {whom} immediately if anything else happens.").format(whom=_reach(card))


def _dm(text: str, blocks: Blocks, *, button: dict[str, Any] | None = None) -> dict[str, Any]:
    if button is not None:
        blocks = [*blocks, {"type": "actions", "elements": [button]}]
    return {"text": text, "blocks": blocks}


def _add_info(card: CaseCard) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": Action.CASE_ADD_INFO,
        "text": plain(_("Add information")),
        "value": str(card.number),
    }


def _what_next(card: CaseCard) -> str:
    if card.account.managed:
        text = _(
            "Your account manager {person} has the case. To stop further access, access to the "
            "account may be suspended while it is investigated; afterwards you'll be told the "
            "results and what you can do to regain control."
        ).format(person=person(card.account.manager))
    elif card.support.channel:
        text = _(
            "The support team has the case, in {channel}. To stop further access, access to the "
            "account may be suspended while it is investigated; afterwards you'll be told the "
            "results and what you can do to regain control."
        ).format(channel=f"<#{card.support.channel}>")
    else:
        text = _(
            "The security admins have the case. To stop further access, access to the account "
            "may be suspended while it is investigated; afterwards you'll be told the results and "
            "what you can do to regain control."
        )
    return f"{text} {_(REIMBURSED)} {contact(card)}"


def opened_dm(card: CaseCard, *, by_alert: bool) -> dict[str, Any]:
    """To the reporter; or to the account's members when the platform's alert opened it, or
    someone opened it by command (who, and what they wrote)."""
    if by_alert:
        first = _(
            "The platform detected that {account} may have been taken over, so I've opened case "
            "*#{number}* about it."
        ).format(account=_name(card), number=card.number)
    elif card.opened_by is not None:
        first = _(
            "The {role} {person} opened case *#{number}* about {account}, a business account you "
            "work on:\n{said}"
        ).format(
            role=role_words(card.opener_role),
            person=person(card.opened_by),
            number=card.number,
            account=_name(card),
            said=_said(card.what_happened),
        )
    else:
        first = _("I've opened case *#{number}* about {account}.").format(
            number=card.number, account=_name(card)
        )
    text = f"{first}\n{_what_next(card)}"
    return _dm(
        _("Case #{number} is open").format(number=card.number),
        [{"type": "header", "text": plain(_("🛡️ Case #{number} is open").format(number=card.number))},
         {"type": "section", "text": mrkdwn(text)}],
        button=_add_info(card),
    )  # fmt: skip


def joined_dm(card: CaseCard) -> dict[str, Any]:
    text = _(
        "Case *#{number}* about {account} was already open (since {when}), so your report "
        "joined it."
    ).format(number=card.number, account=_name(card), when=slack_time(card.opened_at))
    return _dm(
        _("Your report joined case #{number}").format(number=card.number),
        [{"type": "section", "text": mrkdwn(f"{text}\n{_what_next(card)}")}],
        button=_add_info(card),
    )


def suspended_dm(card: CaseCard) -> dict[str, Any]:
    """To the account's members: what was asked of the platform, and what came of it."""
    step = card.platform_step
    if step is not None and step.answer is PlatformAnswer.RECORDED:
        done = _(
            "To stop further access, suspending access to {account} was requested for case "
            "*#{number}*. No platform connection is configured, so the request is recorded only "
            "and access is *not* suspended yet: {who} must suspend it on the platform by hand, "
            "or contact the platform."
        ).format(account=_name(card), number=card.number, who=by_hand(card))
        icon = "⚠️"
        title = _("Suspension requested for the account of case #{number}")
    else:
        done = _(
            "To stop further access, suspending access to {account} was requested for case "
            "*#{number}*, and the platform confirmed the request."
        ).format(account=_name(card), number=card.number)
        icon = "🟠"
        title = _("The platform confirmed the suspension request of case #{number}")
    after = _(
        "Once the investigation ends you'll be told the results and what you can do to regain "
        "control."
    )
    text = f"{icon} {done} {after} {_(REIMBURSED)} {contact(card)}"
    return _dm(title.format(number=card.number), [{"type": "section", "text": mrkdwn(text)}])


@again
def platform_line(card: CaseCard, actor: str, *, took: bool) -> str:
    """The thread line of a suspend or restore request: what was asked, and what came of it."""
    step = card.platform_step
    restore = step is not None and step.action == "restore"
    recorded = step is not None and step.answer is PlatformAnswer.RECORDED
    text = _PLATFORM_LINES[(restore, took, recorded)]
    if recorded:
        return line(_(text).format(actor=person(actor), who=by_hand(card)))
    return line(_(text).format(actor=person(actor)))


# Translators: a thread line; {actor} asked the platform, {who} must act on it by hand.
_PLATFORM_LINES = {
    (False, False, False): N_(
        "{actor} requested suspension of account access; the platform confirmed the request"
    ),
    (False, True, False): N_(
        "{actor} took the case and requested suspension of account access; the platform "
        "confirmed the request"
    ),
    (False, False, True): N_(
        "{actor} requested suspension of account access. Recorded only, no platform connection "
        "is configured: {who} must suspend access on the platform by hand, or contact the "
        "platform"
    ),
    (False, True, True): N_(
        "{actor} took the case and requested suspension of account access. Recorded only, no "
        "platform connection is configured: {who} must suspend access on the platform by hand, "
        "or contact the platform"
    ),
    (True, False, False): N_(
        "{actor} requested that account access be restored; the platform confirmed the request"
    ),
    (True, True, False): N_(
        "{actor} took the case and requested that account access be restored; the platform "
        "confirmed the request"
    ),
    (True, False, True): N_(
        "{actor} requested that account access be restored. Recorded only, no platform "
        "connection is configured: {who} must restore access on the platform by hand, or "
        "contact the platform"
    ),
    (True, True, True): N_(
        "{actor} took the case and requested that account access be restored. Recorded only, "
        "no platform connection is configured: {who} must restore access on the platform by "
        "hand, or contact the platform"
    ),
}

MAY_DO = {
    Outcome.CONTROL_RESTORED: N_(
        "You have control of the account again. Now: change its password (`/security password` "
        "checks the new one), turn on 2-step verification, check the recovery email and phone, "
        "and review recent activity and payment methods."
    ),
    Outcome.FALSE_ALARM: N_(
        "The investigation found no sign that someone else used the account; nothing was lost. "
        "Keep 2-step verification on, and report again if anything looks wrong."
    ),
    Outcome.NOT_RECOVERABLE: N_(
        "The account could not be recovered. What you can do: ask for a new account to replace "
        "it, and move what you can (ads, catalogues, payment methods) there; keep the old "
        "password out of use everywhere."
    ),
}


def resolved_dm(card: CaseCard) -> dict[str, Any]:
    """To the account's members and the reporters: the results and what they may do."""
    assert card.outcome is not None
    summary = escape(card.resolution_summary or "", limit=1500)
    text = _(
        "Case *#{number}* about {account} is resolved: *{outcome}*.\n*What we found*\n"
        "{summary}\n*What you can do*\n{may_do} {reimbursed} Questions? Contact {whom}."
    ).format(
        number=card.number,
        account=_name(card),
        outcome=_(OUTCOME_INLINE[card.outcome]),
        summary=summary,
        may_do=_(MAY_DO[card.outcome]),
        reimbursed=_(REIMBURSED),
        whom=_reach(card),
    )
    restoring = platform_words(card) if card.platform_step else None
    if restoring is not None and card.platform_step and card.platform_step.action == "restore":
        text += f"\n{restoring}"
    return _dm(
        _("Case #{number} is resolved").format(number=card.number),
        [{"type": "section", "text": mrkdwn(text)}],
    )


def charge_dm(card: CaseCard, charge: ChargeView) -> dict[str, Any]:
    """To the account's members at each step of a reimbursement."""
    steps = {
        "claimed": N_(
            "A charge of {amount} ({what}) is recorded on case *#{number}* for reimbursement; it "
            "now needs a second person's approval."
        ),
        "approved": N_(
            "The reimbursement of {amount} ({what}) on case *#{number}* is approved and will be "
            "processed."
        ),
        "processed": N_(
            "The reimbursement of {amount} ({what}) on case *#{number}* has been processed."
        ),
        "rejected": N_(
            "The reimbursement of {amount} ({what}) on case *#{number}* was rejected: {reason}. "
            "{contact}"
        ),
    }
    text = _(steps[charge.status.value]).format(
        amount=money.said(charge.amount_minor, charge.currency),
        what=escape(charge.description, limit=300),
        number=card.number,
        reason=escape(charge.rejection_reason or "", limit=500),
        contact=contact(card),
    )
    return _dm(
        _("Reimbursement on case #{number}").format(number=card.number),
        [{"type": "section", "text": mrkdwn(text)}],
    )


def no_channel_dm(card: CaseCard) -> dict[str, Any]:
    text = _(
        "Case *#{number}* about {account} is open, but neither ESCALATION_CHANNEL nor "
        "SUPPORT_CHANNEL is set, so its card could not be posted. `/security case show "
        "{number}` shows it."
    ).format(number=card.number, account=_name(card))
    return _dm(
        _("Case #{number} has no channel").format(number=card.number),
        [{"type": "section", "text": mrkdwn(text)}],
    )


# -- reminders ----------------------------------------------------------------------------------


def not_taken_line(card: CaseCard, waited: timedelta) -> dict[str, Any]:
    if card.account.managed:
        template = _(
            "⏰ Case *#{number}* about {account} has waited {elapsed} for someone to take it. "
            "Security admins or the account manager: press *Take it* on the card."
        )
    else:
        template = _(
            "⏰ Case *#{number}* about {account} has waited {elapsed} for someone to take it. "
            "Security admins or the support team: press *Take it* on the card."
        )
    text = template.format(number=card.number, account=_name(card), elapsed=elapsed(waited))
    blocks: Blocks = [
        {"type": "section", "text": mrkdwn(text)},
        {"type": "context", "elements": [mrkdwn(take_clock(card))]},
    ]
    return {"text": text, "blocks": blocks}


def handler_reminder(card: CaseCard, quiet: timedelta) -> dict[str, Any]:
    text = _(
        "⏰ Case *#{number}* about {account}, which you handle, has had no update for "
        "{elapsed}. Move it along, or write where it stands in its thread."
    ).format(number=card.number, account=_name(card), elapsed=elapsed(quiet))
    return _dm(
        _("Case #{number} needs an update").format(number=card.number),
        [
            {"type": "section", "text": mrkdwn(text)},
            {"type": "context", "elements": [mrkdwn(resolve_clock(card))]},
        ],
    )


def admins_reminder(card: CaseCard, quiet: timedelta) -> dict[str, Any]:
    text = _(
        "⚠️ Case *#{number}* about {account} has had no update for {elapsed}. Handler: "
        "{handler}. Status: {status}. `/security case show {number}` has its timeline."
    ).format(
        number=card.number,
        account=_name(card),
        elapsed=elapsed(quiet),
        handler=person(card.handler),
        status=_(STATUS_INLINE[card.status]),
    )
    return _dm(
        _("Case #{number} is stuck").format(number=card.number),
        [
            {"type": "section", "text": mrkdwn(text)},
            {"type": "context", "elements": [mrkdwn(resolve_clock(card))]},
        ],
    )


# -- thread lines (safe mrkdwn, one short line each) ---------------------------------------------


def _said(text: str) -> str:
    escaped = escape(text, limit=1500) or _("_nothing written_")
    return "\n".join(f">{part}" for part in escaped.splitlines()) or ">"


@again
def line(sentence: str, said: str | None = None) -> str:
    """A thread line: a translated sentence naming who did what, then what they wrote."""
    quoted = f": “{escape(said, limit=300)}”" if said else ""
    return f"{sentence}{quoted}"


@again
def actor_line(actor: str, sentence: str, said: str | None = None) -> str:
    """A thread line from a catalogue sentence with an {actor} placeholder (`N_`-marked)."""
    return line(_(sentence).format(actor=person(actor)), said)


@again
def outcome_line(card: CaseCard, actor: str) -> str:
    assert card.outcome is not None
    summary = escape(card.resolution_summary or "", limit=300)
    return _("{actor} resolved the case: *{outcome}*. {summary}").format(
        actor=person(actor), outcome=_(OUTCOME_INLINE[card.outcome]), summary=summary
    )
