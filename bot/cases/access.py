"""Who may do what with a case. Checked by the services for every request, whatever the buttons
showed: security admins and the account's manager act on a case (for an unmanaged client, the
support team, SUPPORT_HANDLERS, stands where a manager would); its handler moves it through
its states; its reporters view it and add information; anyone else is refused, politely."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.i18n import N_, _


class Operation(StrEnum):
    VIEW = "view"
    ADD_INFO = "add_info"
    NOTE = "note"
    TAKE = "take"
    SUSPEND = "suspend"
    INVESTIGATE = "investigate"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    RECORD_CHARGE = "record_charge"
    APPROVE_CHARGE = "approve_charge"
    PROCESS_CHARGE = "process_charge"
    REJECT_CHARGE = "reject_charge"
    SEVERITY = "severity"
    TICKET = "ticket"
    REVIEW = "review"


@dataclass(frozen=True)
class Party:
    """What one person is to one case."""

    admin: bool = False
    manager: bool = False
    support: bool = False  # a SUPPORT_HANDLERS member, on an unmanaged client's case
    handler: bool = False
    reporter: bool = False

    @property
    def acts(self) -> bool:
        return self.admin or self.manager or self.support

    @property
    def moves(self) -> bool:
        return self.acts or self.handler

    @property
    def views(self) -> bool:
        return self.moves or self.reporter


ACTORS = "security admins and the account's manager (the support team for unmanaged clients)"
MOVERS = (
    "security admins, the account's manager (the support team for unmanaged clients) and the "
    "case's handler"
)
VIEWERS = (
    "security admins, the account's manager (the support team for unmanaged clients), the "
    "case's handler and whoever reported it"
)

_WHO: dict[Operation, str] = {
    Operation.VIEW: VIEWERS,
    Operation.ADD_INFO: VIEWERS,
    Operation.NOTE: VIEWERS,
    Operation.TAKE: ACTORS,
    Operation.SUSPEND: MOVERS,
    Operation.INVESTIGATE: MOVERS,
    Operation.RESOLVE: MOVERS,
    Operation.REOPEN: MOVERS,
    Operation.RECORD_CHARGE: MOVERS,
    Operation.APPROVE_CHARGE: ACTORS,
    Operation.PROCESS_CHARGE: MOVERS,
    Operation.REJECT_CHARGE: MOVERS,
    Operation.SEVERITY: MOVERS,
    Operation.TICKET: MOVERS,
    Operation.REVIEW: MOVERS,
}


def allowed(party: Party, operation: Operation) -> bool:
    who = _WHO[operation]
    if who is ACTORS:
        return party.acts
    if who is MOVERS:
        return party.moves
    return party.views


def refusal(operation: Operation, number: int) -> str:
    """What the refused person reads: who may, and nothing about the case itself."""
    return _(_REFUSALS[operation]).format(number=number)


# Translators: {number} is the case's number.
_REFUSALS: dict[Operation, str] = {
    Operation.VIEW: N_(
        "Sorry, you can't see case #{number}: only security admins, the account's manager (the "
        "support team for unmanaged clients), the case's handler and whoever reported it can. If "
        "you think you should, ask a security admin."
    ),
    Operation.ADD_INFO: N_(
        "Sorry, you can't add information to case #{number}: only security admins, the account's "
        "manager (the support team for unmanaged clients), the case's handler and whoever "
        "reported it can. If you think you should, ask a security admin."
    ),
    Operation.NOTE: N_(
        "Sorry, you can't add notes to the timeline of case #{number}: only security admins, the "
        "account's manager (the support team for unmanaged clients), the case's handler and "
        "whoever reported it can. If you think you should, ask a security admin."
    ),
    Operation.TAKE: N_(
        "Sorry, you can't take case #{number}: only security admins and the account's manager "
        "(the support team for unmanaged clients) can. If you think you should, ask a security "
        "admin."
    ),
    Operation.SUSPEND: N_(
        "Sorry, you can't suspend the account of case #{number}: only security admins, the "
        "account's manager (the support team for unmanaged clients) and the case's handler can. "
        "If you think you should, ask a security admin."
    ),
    Operation.INVESTIGATE: N_(
        "Sorry, you can't start the investigation of case #{number}: only security admins, the "
        "account's manager (the support team for unmanaged clients) and the case's handler can. "
        "If you think you should, ask a security admin."
    ),
    Operation.RESOLVE: N_(
        "Sorry, you can't resolve case #{number}: only security admins, the account's manager "
        "(the support team for unmanaged clients) and the case's handler can. If you think you "
        "should, ask a security admin."
    ),
    Operation.REOPEN: N_(
        "Sorry, you can't reopen case #{number}: only security admins, the account's manager (the"
        " support team for unmanaged clients) and the case's handler can. If you think you "
        "should, ask a security admin."
    ),
    Operation.RECORD_CHARGE: N_(
        "Sorry, you can't record charges on case #{number}: only security admins, the account's "
        "manager (the support team for unmanaged clients) and the case's handler can. If you "
        "think you should, ask a security admin."
    ),
    Operation.APPROVE_CHARGE: N_(
        "Sorry, you can't approve reimbursements on case #{number}: only security admins and the "
        "account's manager (the support team for unmanaged clients) can. If you think you should,"
        " ask a security admin."
    ),
    Operation.PROCESS_CHARGE: N_(
        "Sorry, you can't mark reimbursements processed on case #{number}: only security admins, "
        "the account's manager (the support team for unmanaged clients) and the case's handler "
        "can. If you think you should, ask a security admin."
    ),
    Operation.REJECT_CHARGE: N_(
        "Sorry, you can't reject reimbursements on case #{number}: only security admins, the "
        "account's manager (the support team for unmanaged clients) and the case's handler can. "
        "If you think you should, ask a security admin."
    ),
    Operation.SEVERITY: N_(
        "Sorry, you can't change the severity of case #{number}: only security admins, the "
        "account's manager (the support team for unmanaged clients) and the case's handler can. "
        "If you think you should, ask a security admin."
    ),
    Operation.TICKET: N_(
        "Sorry, you can't record the platform's ticket on case #{number}: only security admins, "
        "the account's manager (the support team for unmanaged clients) and the case's handler "
        "can. If you think you should, ask a security admin."
    ),
    Operation.REVIEW: N_(
        "Sorry, you can't post the review of case #{number}: only security admins, the account's "
        "manager (the support team for unmanaged clients) and the case's handler can. If you "
        "think you should, ask a security admin."
    ),
}
