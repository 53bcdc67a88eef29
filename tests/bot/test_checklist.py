"""The checklist from stored evidence, through the real services and database."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from bot.checklist.model import Check, Fix, Source, State
from bot.core.clock import FakeClock
from bot.core.errors import InvalidInput, NotAllowed
from bot.services import Services
from storage.models import AuditRecord
from storage.tracing import driver_statements, queries
from tests.conftest import ADMIN, AccountFactory, MemberFactory


def test_new_member_sees_every_check_with_nothing_passing(
    services: Services, member: MemberFactory, account: AccountFactory
) -> None:
    ana = member("U0ANA")
    account("Acme Shoes Ads", members=[ana])
    checklist = services.members.status("U0ANA").checklist
    assert [line.check for line in checklist.lines] == list(Check)
    assert checklist.summary == "0 of 7 checks pass"
    assert checklist.not_applicable == ()


def test_without_business_accounts_only_the_authenticator_applies(services: Services) -> None:
    status = services.members.status("U0NOBODY")

    checklist = status.checklist
    assert [line.check for line in checklist.lines] == [Check.AUTHENTICATOR]
    assert checklist.summary == "0 of 1 check passes"
    assert [line.check for line in checklist.not_applicable] == [
        check for check in Check if check is not Check.AUTHENTICATOR
    ]
    assert not checklist.applies(Check.TWO_STEP)
    assert checklist.line(Check.TWO_STEP).fix is None  # still there for /security 2sv
    assert checklist.line(Check.AUTHENTICATOR).state is State.NEEDS_ACTION
    assert checklist.line(Check.AUTHENTICATOR).fix is Fix.LINK_AUTHENTICATOR
    assert status.profile_stale


def test_self_reported_two_step_passes_per_account_and_is_audited(
    services: Services, member: MemberFactory, account: AccountFactory, clock: FakeClock
) -> None:
    ana = member("U0ANA")
    shoes = account("Acme Shoes Ads", members=[ana])
    hats = account("Acme Hats Ads", members=[ana])

    services.self_reports.two_step_turned_on("U0ANA", shoes.id, "authenticator_app")
    line = services.members.status("U0ANA").checklist.line(Check.TWO_STEP)
    assert line.state is State.UNKNOWN
    assert "Acme Hats Ads" in line.explanation
    assert [a.state for a in line.accounts] == [State.UNKNOWN, State.PASSING]  # sorted by name

    clock.advance(timedelta(minutes=5))
    services.self_reports.two_step_turned_on("U0ANA", hats.id, "sms")
    line = services.members.status("U0ANA").checklist.line(Check.TWO_STEP)
    assert line.state is State.PASSING
    assert line.source is Source.SELF
    assert line.observed_at == clock.now()
    assert line.fix is None
    assert "with SMS" in line.accounts[0].explanation

    with services.database.sessions() as session:
        records = session.scalars(select(AuditRecord).order_by(AuditRecord.id)).all()
    assert [(r.actor, r.action, r.target, r.details) for r in records] == [
        (
            "U0ANA",
            "twostep.self_reported",
            f"business_account:{shoes.id}",
            {"method": "authenticator_app"},
        ),
        ("U0ANA", "twostep.self_reported", f"business_account:{hats.id}", {"method": "sms"}),
    ]


def test_reporting_on_someone_elses_account_is_refused_and_audited(
    services: Services, member: MemberFactory, account: AccountFactory
) -> None:
    member("U0ANA")
    raj = member("U0RAJ")
    secret_account = account("Raj's account", members=[raj])

    with pytest.raises(NotAllowed):
        services.self_reports.two_step_turned_on("U0ANA", secret_account.id, "sms")

    assert services.members.status("U0RAJ").checklist.line(Check.TWO_STEP).state is State.UNKNOWN
    with services.database.sessions() as session:
        actions = session.scalars(select(AuditRecord.action)).all()
    assert actions == ["twostep.self_report.refused"]


def test_unknown_method_is_refused_without_change(
    services: Services, member: MemberFactory, account: AccountFactory
) -> None:
    ana = member("U0ANA")
    shoes = account("Acme Shoes Ads", members=[ana])
    with pytest.raises(InvalidInput):
        services.self_reports.two_step_turned_on("U0ANA", shoes.id, "carrier_pigeon")
    assert services.members.status("U0ANA").checklist.line(Check.TWO_STEP).state is State.UNKNOWN


def test_a_recovery_phone_on_record_passes_as_self_reported(
    services: Services, member: MemberFactory, account: AccountFactory
) -> None:
    account("Acme Shoes Ads", members=[member("U0ANA")])
    services.recovery_phone.record("U0ANA", "+44 20 7946 0958")
    line = services.members.status("U0ANA").checklist.line(Check.RECOVERY_PHONE)
    assert (line.state, line.source, line.fix) == (State.PASSING, Source.SELF, None)
    assert services.members.status("U0ANA").checklist.summary == "1 of 7 checks pass"


def test_someone_elses_checklist_only_for_admins_and_their_account_manager(
    services: Services, member: MemberFactory, account: AccountFactory
) -> None:
    ana, dana = member("U0ANA"), member("U0DANA")
    member("U0RAJ")
    account("Acme Shoes Ads", members=[ana], manager=dana)

    assert not services.members.status("U0DANA", "U0ANA").own
    assert services.members.status(ADMIN, "U0ANA").checklist.member.slack_user_id == "U0ANA"
    with pytest.raises(NotAllowed):
        services.members.status("U0RAJ", "U0ANA")
    with services.database.sessions() as session:
        records = session.scalars(select(AuditRecord).order_by(AuditRecord.id)).all()
    assert [(r.actor, r.action, r.target) for r in records] == [
        ("U0DANA", "checklist.viewed", "U0ANA"),
        (ADMIN, "checklist.viewed", "U0ANA"),
        ("U0RAJ", "checklist.view.refused", "U0ANA"),
    ]


def test_authenticator_check_follows_the_link_without_another_query(
    services: Services, member: MemberFactory, account: AccountFactory, clock: FakeClock
) -> None:
    ana = member("U0ANA")
    account("Acme Shoes Ads", members=[ana])
    secret = services.authenticator.begin("U0ANA").secret
    pending = services.members.status("U0ANA").checklist.line(Check.AUTHENTICATOR)
    assert (pending.state, pending.fix) == (State.NEEDS_ACTION, Fix.LINK_AUTHENTICATOR)
    services.authenticator.confirm("U0ANA", pyotp.TOTP(secret).at(clock.now()))
    with driver_statements(services.database.reads) as statements:
        line = services.members.status("U0ANA").checklist.line(Check.AUTHENTICATOR)

    assert (line.state, line.source, line.fix) == (State.PASSING, Source.BOT, None)
    assert line.observed_at == clock.now()
    assert len(queries(statements)) == 1, statements
