"""Reimbursements: recorded in minor units, approved by a second person after a step-up (four
eyes), then processed or rejected with a reason; the owners are told each step; the card totals."""

from __future__ import annotations

import pytest

from bot.cases import money
from bot.cases.model import ChargeStatus
from bot.core.errors import InvalidInput, NotAllowed, StepUpNeeded
from bot.services import Services
from storage.database import Database
from tests.bot.cases.conftest import ANA, DANA, RAJ, StepUp, World, audit_trail, reported
from tests.conftest import ADMIN


@pytest.fixture
def number(services: Services, world: World) -> int:
    number = reported(services, world).case.number
    services.cases.take(DANA, number)
    return number


def test_a_charge_goes_from_claimed_to_reimbursed_with_four_eyes(
    services: Services, number: int, step_up: StepUp, database: Database
) -> None:
    charges = services.cases.charges
    recorded = charges.record(DANA, number, "120.50", "eur", "Ads bought by the intruder")
    charge = recorded.charge
    assert charge is not None
    assert (charge.amount_minor, charge.currency, charge.status) == (12050, "EUR", "claimed")
    assert {n.recipient for n in recorded.notices} == {ANA, RAJ}
    assert recorded.case.totals[0].claimed == 12050

    step_up(DANA)
    with pytest.raises(NotAllowed, match="four eyes"):
        charges.approve(DANA, charge.id)  # the handler, who also recorded it
    with pytest.raises(StepUpNeeded):
        charges.approve(ADMIN, charge.id)
    step_up(ADMIN)
    approved = charges.approve(ADMIN, charge.id)
    processed = charges.processed(DANA, charge.id)

    assert approved.charge is not None and approved.charge.approved_by == ADMIN
    assert approved.case.totals[0].approved == 12050
    assert processed.charge is not None and processed.charge.status is ChargeStatus.PROCESSED
    assert processed.case.totals[0].reimbursed == 12050
    assert "has been processed" in processed.notices[0].message["blocks"][0]["text"]["text"]
    actions = [a for _, a in audit_trail(database, f"case:{number}")]
    assert actions[-4:] == [
        "cases.refused",
        "cases.refused",
        "cases.charge.approved",
        "cases.charge.processed",
    ]


def test_who_recorded_a_charge_may_not_approve_it_either(
    services: Services, number: int, step_up: StepUp
) -> None:
    charge = services.cases.charges.record(ADMIN, number, "10", "USD", "Card fee").charge
    assert charge is not None
    step_up(ADMIN)
    with pytest.raises(NotAllowed):
        services.cases.charges.approve(ADMIN, charge.id)


def test_a_reporter_may_not_approve(services: Services, number: int, step_up: StepUp) -> None:
    charge = services.cases.charges.record(DANA, number, "10", "USD", "Card fee").charge
    assert charge is not None
    step_up(ANA)
    with pytest.raises(NotAllowed):
        services.cases.charges.check_approval(ANA, charge.id)


def test_a_rejection_needs_a_reason_and_tells_the_owners(services: Services, number: int) -> None:
    charge = services.cases.charges.record(DANA, number, "99", "GBP", "Subscription").charge
    assert charge is not None
    with pytest.raises(InvalidInput):
        services.cases.charges.reject(ADMIN, charge.id, " ")

    rejected = services.cases.charges.reject(ADMIN, charge.id, "Bought by the client <@U1>")

    assert rejected.charge is not None and rejected.charge.status is ChargeStatus.REJECTED
    assert rejected.case.totals[0].claimed == 0
    text = rejected.notices[0].message["blocks"][0]["text"]["text"]
    assert "rejected: Bought by the client &lt;@U1&gt;" in text
    with pytest.raises(InvalidInput):
        services.cases.charges.processed(DANA, charge.id)


def test_totals_per_currency(services: Services, number: int) -> None:
    services.cases.charges.record(DANA, number, "1.5", "EUR", "a")
    services.cases.charges.record(DANA, number, "1200", "JPY", "b")
    change = services.cases.charges.record(DANA, number, "2", "EUR", "c")
    assert [(t.currency, t.claimed) for t in change.case.totals] == [("EUR", 350), ("JPY", 1200)]


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [
        ("120.50", "EUR", 12050),
        ("120,5", "EUR", 12050),
        ("1200", "JPY", 1200),
        ("1.234", "KWD", 1234),
    ],
)
def test_amounts_in_minor_units(typed: str, currency: str, minor: int) -> None:
    assert money.minor_units(typed, currency) == minor


@pytest.mark.parametrize(
    ("typed", "currency"),
    [("0", "EUR"), ("1.234", "EUR"), ("1.5", "JPY"), ("ten", "EUR"), ("-5", "EUR")],
)
def test_bad_amounts_are_refused(typed: str, currency: str) -> None:
    with pytest.raises(InvalidInput):
        money.minor_units(typed, currency)


def test_amounts_are_shown_in_their_currency() -> None:
    assert money.shown(1234567, "EUR") == "EUR 12,345.67"
    assert money.shown(1200, "JPY") == "JPY 1,200"
    with pytest.raises(InvalidInput):
        money.currency_of("euro")
