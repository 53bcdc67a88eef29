"""Approved exemptions on the checklist: an exempt account keeps its true state, and a check whose
every failing account is exempt asks nothing of the member until the exemption ends."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from bot.checklist.model import (
    CHECKS,
    EXEMPTABLE,
    AccountLine,
    Check,
    CheckLine,
    Checklist,
    Exempt,
    State,
)
from bot.checklist.notes import Said, said
from bot.core.i18n import N_

# Exemptions in force for one member: by check and business account id.
Exemptions = Mapping[tuple[Check, int], Exempt]


class Approved(Protocol):
    """An approved exemption as stored: storage's rows have these fields."""

    @property
    def check(self) -> str: ...
    @property
    def business_account_id(self) -> int: ...
    @property
    def until(self) -> datetime: ...
    @property
    def approved_by(self) -> str: ...


def in_force(approved: Iterable[Approved], now: datetime) -> dict[tuple[Check, int], Exempt]:
    """The approved exemptions not yet ended at `now`, as `excuse` takes them."""
    return {
        (CHECKS[row.check], row.business_account_id): Exempt(row.until, row.approved_by)
        for row in approved
        if row.until > now and row.check in CHECKS
    }


def excuse(checklist: Checklist, exemptions: Exemptions) -> Checklist:
    """The checklist with the member's exemptions in force now (none: as it is)."""
    if not exemptions:
        return checklist
    return replace(checklist, lines=tuple(excused(line, exemptions) for line in checklist.lines))


def excused(line: CheckLine, exemptions: Exemptions) -> CheckLine:
    """`line` with its exempt accounts marked; without a fix (so without reminders) when every
    account that does not pass is exempt."""
    if line.check not in EXEMPTABLE or line.state is State.PASSING or not line.accounts:
        return line
    marked = tuple(_marked(account, line.check, exemptions) for account in line.accounts)
    exempt = [account for account in marked if account.exempt is not None]
    if not exempt:
        return line
    still_open = [
        account
        for account in marked
        if account.state is not State.PASSING and account.exempt is None
    ]
    if not still_open:
        names = ", ".join(account.account.name for account in exempt)
        # Translators: {names} lists business accounts ("Acme Ads, Bolt Ads")
        explanation = said(N_("Exempt for now: {names}."), names=names)
        return replace(
            line, said=explanation, fix=None, accounts=marked, pending_since=None, exempt=True
        )
    if line.state is State.NEEDS_ACTION and all(
        account.state is State.UNKNOWN for account in still_open
    ):
        # Only exempt accounts were red: what is left is merely unconfirmed, and is not escalated.
        names = ", ".join(account.account.name for account in still_open)
        unconfirmed = said(N_("Not confirmed yet for: {names}."), names=names)
        return replace(line, state=State.UNKNOWN, said=unconfirmed, accounts=marked)
    if line.state is State.NEEDS_ACTION and isinstance(line.said, Said):
        # "Needs turning on: {names}." names only the accounts still to do.
        names = ", ".join(
            account.account.name for account in still_open if account.state is State.NEEDS_ACTION
        )
        return replace(line, said=said(line.said.text, names=names), accounts=marked)
    return replace(line, accounts=marked)


def _marked(account: AccountLine, check: Check, exemptions: Exemptions) -> AccountLine:
    if account.state is State.PASSING:
        return account
    found = exemptions.get((check, account.account.id))
    return account if found is None else replace(account, exempt=found)
