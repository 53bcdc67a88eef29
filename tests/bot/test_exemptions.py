"""Exemptions on a real database: who may request and decide, the step-up to approve, the audit
trail, the checklist's words, and reminders that stop while an exemption holds."""

from __future__ import annotations

from datetime import date, timedelta

import pyotp
import pytest
from sqlalchemy import select

from bot.checklist.model import Check, State
from bot.core.clock import FakeClock
from bot.core.errors import InvalidInput, NotAllowed, StepUpNeeded
from bot.exemptions.service import FormError, Status
from bot.nudges.policy import Decision
from bot.services import Services
from storage import members as member_store
from storage.models import AuditRecord, BusinessAccount, Member
from tests.conftest import ADMIN, AccountFactory, MemberFactory

LAST_DAY = date(2027, 1, 31)


@pytest.fixture
def shop(member: MemberFactory, account: AccountFactory, services: Services) -> BusinessAccount:
    """Ana works on Acme Ads, managed by Dana; the platform reports its 2SV off."""
    ana, dana = member("U0ANA"), member("U0DANA")
    acme = account("Acme Ads", members=[ana], manager=dana)
    with services.database.sessions.begin() as session:
        member_store.save_check_result(
            session, member_id=ana.id, check="two_step", business_account_id=acme.id,
            source="platform", state="needs_action", observed_at=services.clock.now(), detail={},
        )  # fmt: skip
    return acme


def _link(services: Services, clock: FakeClock, user: str) -> None:
    """Linking an authenticator counts as a fresh step-up."""
    secret = services.authenticator.begin(user).secret
    services.authenticator.confirm(user, pyotp.TOTP(secret).at(clock.now()))


def _actions(services: Services) -> list[tuple[str, str]]:
    with services.database.sessions() as session:
        rows = session.execute(
            select(AuditRecord.actor, AuditRecord.action).order_by(AuditRecord.id)
        )
        return [(actor, action) for actor, action in rows]


def _request(services: Services, shop: BusinessAccount, last_day: date = LAST_DAY) -> int:
    requested = services.exemptions.request(
        "U0ANA", "two_step", shop.id, "Agency holds 2SV", last_day
    )
    return requested.exemption.id


def test_a_request_goes_to_the_account_manager_and_is_audited(
    services: Services, shop: BusinessAccount
) -> None:
    requested = services.exemptions.request(
        "U0ANA", "two_step", shop.id, "  Shared account, 2SV held by the agency ", LAST_DAY
    )
    assert requested.approvers == ("U0DANA",)
    exemption = requested.exemption
    assert (exemption.member, exemption.account_name, exemption.check) == (
        "U0ANA", "Acme Ads", Check.TWO_STEP,
    )  # fmt: skip
    assert exemption.reason == "Shared account, 2SV held by the agency"
    assert exemption.status is Status.REQUESTED and exemption.last_day == LAST_DAY
    assert _actions(services) == [("U0ANA", "exemption.requested")]


def test_without_a_manager_the_security_admins_decide(
    services: Services, member: MemberFactory, account: AccountFactory
) -> None:
    lone = account("Lone Ads", members=[member("U0BEN")])
    requested = services.exemptions.request("U0BEN", "strong_password", lone.id, "why", LAST_DAY)
    assert requested.approvers == (ADMIN,)


@pytest.mark.parametrize(
    ("check", "last_day", "field"),
    [
        ("no_compromised_password", LAST_DAY, "check"),
        ("authenticator", LAST_DAY, "check"),
        ("two_step", date(2026, 11, 24), "ends_on"),  # today: not after it
        ("two_step", date(2027, 12, 1), "ends_on"),  # more than a year away
    ],
)
def test_requests_the_form_cannot_take(
    services: Services, shop: BusinessAccount, check: str, last_day: date, field: str
) -> None:
    with pytest.raises(FormError) as refused:
        services.exemptions.request("U0ANA", check, shop.id, "why", last_day)
    assert refused.value.field == field
    with pytest.raises(FormError) as no_reason:
        services.exemptions.request("U0ANA", "two_step", shop.id, "   ", LAST_DAY)
    assert no_reason.value.field == "reason"


def test_only_accounts_the_member_works_on_and_one_at_a_time(
    services: Services, shop: BusinessAccount, member: MemberFactory
) -> None:
    member("U0EVE")
    with pytest.raises(NotAllowed):
        services.exemptions.request("U0EVE", "two_step", shop.id, "why", LAST_DAY)
    _request(services, shop)
    with pytest.raises(FormError, match="already requested"):
        _request(services, shop)
    assert _actions(services) == [
        ("U0EVE", "exemption.request.refused"),
        ("U0ANA", "exemption.requested"),
    ]


def test_approving_needs_the_manager_or_an_admin_and_a_fresh_step_up(
    services: Services, shop: BusinessAccount, clock: FakeClock, member: MemberFactory
) -> None:
    number = _request(services, shop)
    member("U0EVE")
    for stranger in ("U0EVE", "U0ANA"):  # someone else; the requester herself
        with pytest.raises(NotAllowed):
            services.exemptions.check_decision(stranger, number)
    with pytest.raises(StepUpNeeded):
        services.exemptions.approve("U0DANA", number)
    _link(services, clock, "U0DANA")
    approved = services.exemptions.approve("U0DANA", number)
    assert (approved.status, approved.decided_by) == (Status.APPROVED, "U0DANA")
    with pytest.raises(InvalidInput, match="already approved by <@U0DANA>"):
        services.exemptions.reject(ADMIN, number)
    decided = [row for row in _actions(services) if row[1].startswith("exemption.")]
    assert decided[-1] == ("U0DANA", "exemption.approved")
    assert [actor for actor, action in decided if action == "exemption.decision.refused"] == [
        "U0EVE", "U0ANA", "U0DANA",
    ]  # fmt: skip


def test_an_admin_rejects_without_a_step_up(services: Services, shop: BusinessAccount) -> None:
    number = _request(services, shop)
    rejected = services.exemptions.reject(ADMIN, number)
    assert (rejected.status, rejected.decided_by) == (Status.REJECTED, ADMIN)
    assert _actions(services)[-1] == (ADMIN, "exemption.rejected")
    assert services.members.status("U0ANA").checklist.line(Check.TWO_STEP).fix is not None


def _gaps(services: Services) -> set[Check]:
    decisions: list[Decision] = []
    services.nudges.sweep(dry_run=True, on_decision=decisions.append)
    ana = next(d for d in decisions if d.situation.slack_user_id == "U0ANA")
    return {gap.check for gap in ana.situation.gaps}


def test_while_approved_the_checklist_says_so_and_reminders_stop_until_it_ends(
    services: Services, shop: BusinessAccount, clock: FakeClock
) -> None:
    assert Check.TWO_STEP in _gaps(services)
    number = _request(services, shop, date(2026, 12, 10))
    assert Check.TWO_STEP in _gaps(services)  # only a request so far
    _link(services, clock, ADMIN)
    services.exemptions.approve(ADMIN, number)

    line = services.members.status("U0ANA").checklist.line(Check.TWO_STEP)
    assert line.exempt and line.fix is None
    assert line.state is State.NEEDS_ACTION  # the truth stays: the platform says off
    assert line.explanation == "Exempt for now: Acme Ads."
    exempt = line.accounts[0].exempt
    assert exempt is not None and exempt.approved_by == ADMIN
    assert Check.TWO_STEP not in _gaps(services)

    clock.advance(timedelta(days=17))  # 11 Dec: the day after the last day
    line = services.members.status("U0ANA").checklist.line(Check.TWO_STEP)
    assert not line.exempt and line.fix is not None and line.accounts[0].exempt is None
    assert Check.TWO_STEP in _gaps(services)


def test_an_exempt_account_beside_a_failing_one_is_marked_and_the_other_still_reminded(
    services: Services, shop: BusinessAccount, clock: FakeClock, account: AccountFactory
) -> None:
    with services.database.sessions() as session:
        ana = session.scalars(select(Member).where(Member.slack_user_id == "U0ANA")).one()
    other = account("Bolt Ads", members=[ana])
    with services.database.sessions.begin() as session:
        member_store.save_check_result(
            session, member_id=ana.id, check="two_step", business_account_id=other.id,
            source="platform", state="needs_action", observed_at=clock.now(), detail={},
        )  # fmt: skip
    _link(services, clock, ADMIN)
    services.exemptions.approve(ADMIN, _request(services, shop))
    line = services.members.status("U0ANA").checklist.line(Check.TWO_STEP)
    assert not line.exempt and line.state is State.NEEDS_ACTION
    assert line.explanation == "Needs turning on: Bolt Ads."
    assert [a.exempt is not None for a in line.accounts] == [True, False]
    assert Check.TWO_STEP in _gaps(services)
