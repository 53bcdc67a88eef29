"""The words the case views share: status and charge words, people as mentions, how long
something took, and what each timeline entry says. Marked for the catalogue; translated where
shown."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.cases.model import PLATFORM, ChargeStatus, Status
from bot.checklist.notes import remediation_time
from bot.core.i18n import N_, _
from bot.core.text import escape

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
STATUS_ICONS = {
    Status.REPORTED: "🔴",
    Status.SUSPENDED: "🟠",
    Status.INVESTIGATING: "🟡",
    Status.RESOLVED: "✅",
}
STATUS_WORDS = {
    Status.REPORTED: N_("Reported"),
    # Only that it was asked: platform_words() says whether the platform confirmed.
    Status.SUSPENDED: N_("Suspension requested"),
    Status.INVESTIGATING: N_("Investigating"),
    Status.RESOLVED: N_("Resolved"),
}
# Translators: a case's status inside a sentence or a list line ("… · suspension requested · …").
STATUS_INLINE = {
    Status.REPORTED: N_("reported"),
    Status.SUSPENDED: N_("suspension requested"),
    Status.INVESTIGATING: N_("investigating"),
    Status.RESOLVED: N_("resolved"),
}
CHARGE_WORDS = {
    ChargeStatus.CLAIMED: N_("claimed, waiting for approval"),
    ChargeStatus.APPROVED: N_("approved, waiting to be processed"),
    ChargeStatus.PROCESSED: N_("reimbursed"),
    ChargeStatus.REJECTED: N_("rejected"),
}
WHO_ACTS = N_(
    "Security admins and the account manager act on this case; its handler moves it along. "
    "Notes written in this thread go on its timeline."
)
WHO_ACTS_UNMANAGED = N_(
    "Security admins and the support team act on this case; its handler moves it along. "
    "Notes written in this thread go on its timeline."
)
# What opened a case by command was to it (records.opener_role), shown as it is named there.
OPENER_ROLES = {
    "security admin": N_("security admin"),
    "account manager": N_("account manager"),
    "support": N_("support"),
}


def person(slack_id: str | None) -> str:
    """A mention for a Slack user id we stored; anything else, escaped."""
    if slack_id is None:
        return _("nobody yet")
    if slack_id == PLATFORM:
        return _("the platform")
    return f"<@{slack_id}>" if _USER_ID.match(slack_id) else escape(slack_id, limit=40)


def role_words(role: str | None) -> str:
    return _(OPENER_ROLES.get(role or "security admin", role or "security admin"))


# Translators: one timeline entry; {actor} is the person (a Slack mention) who did it.
KINDS = {
    "opened": N_("{actor} opened the case"),
    "joined": N_("{actor} reported it too"),
    "info": N_("{actor} added information"),
    "opened_by_command": N_("{actor} opened the case"),
    "taken": N_("{actor} took the case"),
    "suspended": N_("{actor} requested suspension of account access"),
    "suspend_recorded": N_(
        "{actor} requested suspension of account access (recorded only, no platform connection "
        "is configured)"
    ),
    "suspend_confirmed": N_(
        "{actor} requested suspension of account access; the platform confirmed the request"
    ),
    "restore_recorded": N_(
        "{actor} requested that account access be restored (recorded only, no platform "
        "connection is configured)"
    ),
    "restore_confirmed": N_(
        "{actor} requested that account access be restored; the platform confirmed the request"
    ),
    "charges_said": N_("{actor} said there are unauthorized charges"),
    "investigating": N_("{actor} started investigating"),
    "resolved": N_("{actor} resolved the case"),
    "reopened": N_("{actor} reopened the case"),
    "restored": N_("{actor} requested that account access be restored"),
    "note": N_("{actor} noted"),
    "note_edited": N_("{actor} edited a note"),
    "note_deleted": N_("{actor} deleted a note"),
    "charge_recorded": N_("{actor} recorded a charge"),
    "charge_approved": N_("{actor} approved a charge"),
    "charge_processed": N_("{actor} marked a charge reimbursed"),
    "charge_rejected": N_("{actor} rejected a charge"),
    "severity_critical": N_("{actor} changed the severity to critical"),
    "severity_high": N_("{actor} changed the severity to high"),
    "severity_medium": N_("{actor} changed the severity to medium"),
    "severity_low": N_("{actor} changed the severity to low"),
    "platform_ticket": N_("{actor} recorded the platform's ticket"),
    "platform_answered": N_("{actor} recorded what the platform answered"),
}


def elapsed(delta: timedelta) -> str:
    """How long, at a glance: "2 days 3 h", "31 min", "under a minute": the words the checklist
    uses for how long an alert took."""
    return remediation_time(delta)


# -- what the service answers when it cannot do what was asked -----------------------------

NO_ACCOUNT = N_("No business account with that id is in the directory.")
AMBIGUOUS = N_("That id names business accounts on several platforms; ask a security admin.")
OPEN_REFUSED = N_(
    "Sorry, only security admins and the account's manager (the support team for unmanaged "
    "clients) can open a case with "
    "`/security case open`. To report a compromised account you work on, use `/security report`."
)
TOO_LATE = N_(
    "Case #{number} was resolved more than 30 days ago, so it can't be reopened: "
    "open a new case instead."
)
