"""Who may do what with a case. Checked by the services for every request, whatever the buttons
showed: security admins and the account's manager act on a case (for an unmanaged client, the
support team, SUPPORT_HANDLERS, stands where a manager would); its handler moves it through
its states; its reporters view it and add information; anyone else is refused, politely."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
}
_DOING: dict[Operation, str] = {
    Operation.VIEW: "see",
    Operation.ADD_INFO: "add information to",
    Operation.NOTE: "add notes to the timeline of",
    Operation.TAKE: "take",
    Operation.SUSPEND: "suspend the account of",
    Operation.INVESTIGATE: "start the investigation of",
    Operation.RESOLVE: "resolve",
    Operation.REOPEN: "reopen",
    Operation.RECORD_CHARGE: "record charges on",
    Operation.APPROVE_CHARGE: "approve reimbursements on",
    Operation.PROCESS_CHARGE: "mark reimbursements processed on",
    Operation.REJECT_CHARGE: "reject reimbursements on",
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
    return (
        f"Sorry, you can't {_DOING[operation]} case #{number}: only {_WHO[operation]} can. "
        "If you think you should, ask a security admin."
    )
