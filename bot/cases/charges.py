"""Reimbursements: charges from unauthorized activity, recorded on a case and claimed back.

A claim is approved by someone other than the case's handler and whoever recorded it (four
eyes), after a fresh step-up code; then it is marked processed, or rejected with a reason. The
account's members are told at each step; the card shows the totals.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TypeVar

from sqlalchemy.orm import Session

from bot.cases import messages, money, records
from bot.cases.access import Operation, Party
from bot.cases.model import OPEN, CaseChange, ChargeStatus, Notice
from bot.cases.records import Desk, Refused
from bot.cases.wording import person
from bot.core.errors import InvalidInput, NotFound
from bot.core.i18n import N_, _
from storage import cases as case_store
from storage.case_models import Case, CaseCharge

T = TypeVar("T")
DESCRIPTION_LIMIT = 500
FOUR_EYES = N_(
    "A reimbursement needs four eyes: someone other than the case's handler and whoever "
    "recorded the charge must approve it."
)


class Reimbursements:
    def __init__(self, desk: Desk) -> None:
        self._desk = desk

    def record(
        self, actor: str, number: int, amount: str, currency: str, description: str
    ) -> CaseChange:
        code = money.currency_of(currency)
        minor = money.minor_units(amount, code)
        description = description.strip()[:DESCRIPTION_LIMIT]
        if not description:
            raise InvalidInput(_("Describe the charge: what it was for, and when."))

        def apply(session: Session, case: Case, who: Party, now: datetime) -> CaseChange:
            if case.status not in OPEN:
                raise InvalidInput(
                    _("Case #{number} is resolved. Reopen it to record charges.").format(
                        number=number
                    )
                )
            charge = CaseCharge(
                case_id=case.id, amount_minor=minor, currency=code, description=description,
                status=ChargeStatus.CLAIMED.value, recorded_by=actor, recorded_at=now,
            )  # fmt: skip
            session.add(charge)
            session.flush()
            shown = money.shown(minor, code)
            records.event(session, case, now, actor, "charge_recorded", f"{shown}: {description}")
            records.record(
                session, now, actor, "cases.charge.recorded", number, charge=charge.id,
                amount_minor=minor, currency=code,
            )  # fmt: skip
            return self._change(session, case, charge, now, None)

        return self._desk.act(actor, number, Operation.RECORD_CHARGE, apply)

    def attach_message(self, charge_id: int, ts: str) -> None:
        """Where the claim's own thread message is, to update it in place."""
        with self._desk.database.sessions.begin() as session:
            charge = case_store.charge(session, charge_id, lock=True)
            if charge is not None:
                charge.thread_ts = ts

    def check_approval(self, actor: str, charge_id: int) -> None:
        """Before asking for a step-up code: refuse (audited) whoever could not approve anyway."""
        self._act(actor, charge_id, Operation.APPROVE_CHARGE, lambda *_: None)

    def approve(self, actor: str, charge_id: int) -> CaseChange:
        def apply(session: Session, case: Case, charge: CaseCharge, now: datetime) -> CaseChange:
            _require(charge, ChargeStatus.CLAIMED)
            charge.status, charge.approved_by, charge.approved_at = "approved", actor, now
            return self._step(session, case, charge, now, actor, "approved")

        return self._act(actor, charge_id, Operation.APPROVE_CHARGE, apply, step_up=True)

    def processed(self, actor: str, charge_id: int) -> CaseChange:
        def apply(session: Session, case: Case, charge: CaseCharge, now: datetime) -> CaseChange:
            _require(charge, ChargeStatus.APPROVED)
            charge.status, charge.decided_by, charge.decided_at = "processed", actor, now
            return self._step(session, case, charge, now, actor, "processed")

        return self._act(actor, charge_id, Operation.PROCESS_CHARGE, apply)

    def check_rejection(self, actor: str, charge_id: int) -> None:
        self._act(actor, charge_id, Operation.REJECT_CHARGE, lambda *_: None)

    def reject(self, actor: str, charge_id: int, reason: str) -> CaseChange:
        reason = reason.strip()[:DESCRIPTION_LIMIT]
        if not reason:
            raise InvalidInput(_("Give the reason for rejecting the reimbursement."))

        def apply(session: Session, case: Case, charge: CaseCharge, now: datetime) -> CaseChange:
            if charge.status not in (ChargeStatus.CLAIMED.value, ChargeStatus.APPROVED.value):
                raise InvalidInput(_(_ALREADY[charge.status]))
            charge.status, charge.decided_by, charge.decided_at = "rejected", actor, now
            charge.rejection_reason = reason
            return self._step(session, case, charge, now, actor, "rejected", reason=reason)

        return self._act(actor, charge_id, Operation.REJECT_CHARGE, apply)

    # -- shared -----------------------------------------------------------------------------------

    def _act(
        self,
        actor: str,
        charge_id: int,
        operation: Operation,
        apply: Callable[[Session, Case, CaseCharge, datetime], T],
        *,
        step_up: bool = False,
    ) -> T:
        with self._desk.database.sessions() as session:
            found = case_store.charge(session, charge_id)
            number = found.case_id if found is not None else None
        if number is None:
            raise NotFound(_("That charge is no longer on record."))

        def checked(session: Session, case: Case, who: Party, now: datetime) -> T | Refused:
            charge = case_store.charge(session, charge_id, lock=True)
            if charge is None:
                raise NotFound(_("That charge is no longer on record."))
            four_eyes = (case.handler, charge.recorded_by)
            if operation is Operation.APPROVE_CHARGE and actor in four_eyes:
                return Refused("four_eyes", _(FOUR_EYES))
            return apply(session, case, charge, now)

        return self._desk.act(actor, number, operation, checked, step_up=step_up)

    def _step(
        self,
        session: Session,
        case: Case,
        charge: CaseCharge,
        now: datetime,
        actor: str,
        step: str,
        **details: str,
    ) -> CaseChange:
        shown = money.shown(charge.amount_minor, charge.currency)
        records.event(session, case, now, actor, f"charge_{step}", shown)
        records.record(
            session, now, actor, f"cases.charge.{step}", case.id, charge=charge.id, **details
        )
        words = {
            "approved": N_("{actor} approved the charge of {amount}"),
            "processed": N_("{actor} marked the charge of {amount} reimbursed"),
            "rejected": N_("{actor} rejected the charge of {amount}"),
        }
        sentence = _(words[step]).format(
            actor=person(actor), amount=money.said(charge.amount_minor, charge.currency)
        )
        line = messages.line(sentence, details.get("reason"))
        return self._change(session, case, charge, now, line)

    def _change(
        self, session: Session, case: Case, charge: CaseCharge, now: datetime, line: str | None
    ) -> CaseChange:
        card = self._desk.card(session, case, now)
        view = records.charge_view(charge)
        owners = case_store.owners(session, case.business_account_id)
        notices = tuple(Notice(owner, partial(messages.charge_dm, card, view)) for owner in owners)
        return CaseChange(card, line, notices, charge=view)


def _require(charge: CaseCharge, wanted: ChargeStatus) -> None:
    if charge.status != wanted.value:
        raise InvalidInput(_(_NOT_NOW[(wanted.value, charge.status)]))


_ALREADY = {
    "claimed": N_("This charge is already claimed."),
    "approved": N_("This charge is already approved."),
    "processed": N_("This charge is already processed."),
    "rejected": N_("This charge is already rejected."),
}
_NOT_NOW = {
    ("claimed", "claimed"): N_("This charge is claimed, so it can't be approved now."),
    ("claimed", "approved"): N_("This charge is approved, so it can't be approved now."),
    ("claimed", "processed"): N_("This charge is processed, so it can't be approved now."),
    ("claimed", "rejected"): N_("This charge is rejected, so it can't be approved now."),
    ("approved", "claimed"): N_("This charge is claimed, so it can't be marked reimbursed now."),
    ("approved", "approved"): N_("This charge is approved, so it can't be marked reimbursed now."),
    ("approved", "processed"): N_(
        "This charge is processed, so it can't be marked reimbursed now."
    ),
    ("approved", "rejected"): N_("This charge is rejected, so it can't be marked reimbursed now."),
}
