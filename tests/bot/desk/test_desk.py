"""The desk on a real database: a manager's accounts as their members' checklists say, exemptions
counted as exempt, the riskiest first; a business account's page for its manager, its members
and security admins, refused (audited) to anyone else, found by id or by name in any case, with
its history newest first; and who may open a case from there."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.cases.model import ChargesSeen
from bot.checklist.model import Check, Source, State
from bot.core.clock import FakeClock
from bot.core.errors import NotAllowed, NotFound
from bot.desk.history import AlertEntry, CaseEntry, ManagerEntry, PostureEntry
from bot.desk.service import AccountPage, Choices, Role
from bot.directory.service import DirectoryImport, SlackUser
from bot.services import Services
from storage.exemption_models import Exemption
from tests.bot.desk.conftest import Say, World, audited
from tests.conftest import ADMIN, AccountFactory


def _page(found: AccountPage | Choices) -> AccountPage:
    assert isinstance(found, AccountPage), found
    return found


def test_the_manager_sees_each_account_as_its_members_checklists_say_it(
    services: Services, world: World, say: Say, clock: FakeClock
) -> None:
    say(world.ana, Check.TWO_STEP, State.PASSING, account=world.acme, source=Source.PLATFORM)
    say(
        world.ana,
        Check.TWO_STEP,
        State.NEEDS_ACTION,
        account=world.northwind,
        source=Source.PLATFORM,
    )
    say(world.raj, Check.TWO_STEP, State.PASSING, account=world.acme, source=Source.SELF)
    say(world.ana, Check.STRONG_PASSWORD, State.PASSING, account=world.acme)
    say(world.raj, Check.STRONG_PASSWORD, State.NEEDS_ACTION, account=world.acme)
    say(world.ana, Check.RECOVERY_EMAIL, State.PASSING)
    say(world.ana, Check.RECOVERY_PHONE, State.PASSING, source=Source.SELF)
    with services.database.sessions.begin() as session:  # approved for Raj: exempt, not a gap
        session.add(
            Exemption(
                member_id=world.raj.id, business_account_id=world.acme.id, check="strong_password",
                reason="shared", ends_at=clock.now() + timedelta(days=5), status="approved",
                requested_at=clock.now(), decided_by="U0DANA", decided_at=clock.now(),
            )
        )  # fmt: skip

    accounts = {account.name: account for account in services.desk.accounts("U0DANA")}

    assert set(accounts) == {"Acme Shoes Ads", "Northwind Travel Ads"}  # not Bolt Ads
    acme = accounts["Acme Shoes Ads"]
    assert acme.confirmed_two_step == 1  # Raj's word alone is not the platform's
    assert acme.strong_passwords == 1
    assert acme.recovery_ready == 1  # Ana: a confirmed email and a phone
    assert acme.exempt(Check.STRONG_PASSWORD) == 1
    raj = next(member for member in acme.members if member.slack_user_id == "U0RAJ")
    assert Check.STRONG_PASSWORD not in {gap.check for gap in raj.gaps}
    for posture in accounts.values():
        for member in posture.members:
            checklist = services.members.status(member.slack_user_id or "").checklist
            line = next(
                a for a in checklist.line(Check.TWO_STEP).accounts
                if a.account.id == posture.account_id
            )  # fmt: skip
            assert member.two_step is line.state
            wide = {gap.check: gap.state for gap in member.gaps}
            for check in (Check.UNIQUE_PASSWORDS, Check.RECOVERY_EMAIL, Check.RECOVERY_PHONE):
                assert wide.get(check, State.PASSING) is checklist.line(check).state


def test_someone_who_manages_no_account_has_no_desk(services: Services, world: World) -> None:
    assert services.desk.accounts("U0ANA") == ()
    assert services.desk.accounts(ADMIN) == ()


def test_an_open_case_and_a_compromised_password_come_before_more_gaps(
    services: Services, world: World, say: Say
) -> None:
    say(world.ana, Check.RECOVERY_EMAIL, State.PASSING)
    say(world.ana, Check.RECOVERY_PHONE, State.PASSING, source=Source.SELF)
    assert services.desk.accounts("U0DANA")[0].name == "Acme Shoes Ads"  # the most gaps
    services.cases.report("U0ANA", world.northwind.id, "Ads I never made", ChargesSeen.YES)
    ordered = services.desk.accounts("U0DANA")
    assert [a.name for a in ordered] == ["Northwind Travel Ads", "Acme Shoes Ads"]
    assert ordered[0].case is not None and ordered[0].case.severity.value == "critical"


# -- a business account's page -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "role"),
    [("U0DANA", Role.MANAGER), ("U0ANA", Role.MEMBER), (ADMIN, Role.ADMIN)],
)
def test_the_manager_its_members_and_security_admins_see_an_account(
    services: Services, world: World, viewer: str, role: Role
) -> None:
    page = _page(services.desk.page(viewer, "7012345"))
    assert page.posture.name == "Acme Shoes Ads" and page.role is role
    assert page.manager == "U0DANA"
    assert page.may_remind is (role is not Role.MEMBER)
    target = f"business_account:{world.acme.id}"
    assert audited(services, "desk.account") == [
        (viewer, "desk.account.viewed", target, {"role": role.value})
    ]


def test_anyone_else_is_refused_and_the_refusal_audited(services: Services, world: World) -> None:
    with pytest.raises(NotAllowed, match="only its account manager"):
        services.desk.page("U0EVE", "Acme Shoes Ads")
    [(actor, action, target, details)] = audited(services, "desk.account")
    assert (actor, action, target) == (
        "U0EVE",
        "desk.account.refused",
        f"business_account:{world.acme.id}",
    )
    assert details["words"] == "Acme Shoes Ads"


def test_a_name_in_any_case_and_the_choices_when_several_answer(
    services: Services, world: World, account: AccountFactory
) -> None:
    assert (
        _page(services.desk.page("U0DANA", "  acme SHOES   ads ")).posture.name == "Acme Shoes Ads"
    )
    account("Acme Shoes Ads", platform="meta_business", platform_account_id="555")
    same = services.desk.page(ADMIN, "Acme Shoes Ads")
    assert isinstance(same, Choices) and same.same_name
    assert [found.platform_account_id for found in same.accounts] == ["555", "7012345"]
    # Dana may see only one of the two: hers opens at once.
    assert _page(services.desk.page("U0DANA", "acme shoes ads")).posture.account_id == world.acme.id
    suggested = services.desk.page("U0DANA", "ads")
    assert isinstance(suggested, Choices) and not suggested.same_name
    assert {found.name for found in suggested.accounts} == {
        "Acme Shoes Ads",
        "Northwind Travel Ads",
    }


def test_an_unknown_account_gets_a_friendly_answer(services: Services, world: World) -> None:
    with pytest.raises(NotFound, match="I don't know a business account") as raised:
        services.desk.page("U0DANA", "<!channel> nowhere")
    assert "<!channel>" not in raised.value.user_message  # escaped, never a ping
    assert audited(services, "desk.account") == []


def test_the_history_is_newest_first_with_every_kind(
    services: Services, world: World, clock: FakeClock
) -> None:
    report = {"id": "p-1", "account_id": "7012345", "member_email": "u0ana@example.com",
              "two_step": False, "reported_at": "2026-11-24T09:00:00Z"}  # fmt: skip
    services.posture.receive(json.dumps(report))
    clock.advance(timedelta(minutes=5))
    alert = {"id": "a-1", "kind": "compromised_password", "account_id": "7012345",
             "member_email": "u0raj@example.com", "detected_at": "2026-11-24T10:01:00Z",
             "detail": "in a dump"}  # fmt: skip
    services.alerts.receive(json.dumps(alert))
    clock.advance(timedelta(minutes=5))
    services.cases.report("U0RAJ", world.acme.id, "Ads I never made", ChargesSeen.NO)
    clock.advance(timedelta(minutes=5))
    directory = (
        "account_id,account_name,platform,managed,account_manager_email,member_emails\n"
        "7012345,Acme Shoes Ads,tiktok_business,true,u0eve@example.com,"
        "u0ana@example.com;u0raj@example.com\n"
    )
    users = [SlackUser(f"U0{n}", "T0STANDIN", f"u0{n.lower()}@example.com", n.title(), "UTC")
             for n in ("ANA", "RAJ", "EVE")]  # fmt: skip

    class Slack:
        def all_users(self) -> list[SlackUser]:
            return users

    DirectoryImport(services.database, clock).run(directory, Slack(), source="directory.csv")

    history = _page(services.desk.page("U0EVE", "7012345")).history  # Eve manages it now
    kinds = [type(entry) for entry in history]
    assert kinds == [ManagerEntry, CaseEntry, AlertEntry, PostureEntry]
    manager, case, alert_entry, posture = history
    assert isinstance(manager, ManagerEntry) and manager.before and manager.after
    assert (manager.before.slack_user_id, manager.after.slack_user_id) == ("U0DANA", "U0EVE")
    assert isinstance(case, CaseEntry) and case.severity.value == "medium"
    assert isinstance(alert_entry, AlertEntry) and alert_entry.person.slack_user_id == "U0RAJ"
    assert isinstance(posture, PostureEntry) and posture.fields == {"two_step": False}
    assert posture.at == datetime(2026, 11, 24, 9, tzinfo=UTC)


# -- opening a case from the desk ---------------------------------------------------------------


def test_the_manager_may_open_a_case_on_an_account_she_does_not_work_on(
    services: Services, world: World
) -> None:
    assert services.desk.opening("U0DANA", world.acme.id) == (world.acme.id, "Acme Shoes Ads")
    assert services.desk.opening("U0ANA", world.acme.id)[0] == world.acme.id  # a member reports
    assert services.desk.opening(ADMIN, world.bolt.id)[0] == world.bolt.id
    change = services.cases.report("U0DANA", world.acme.id, "Strange ads", ChargesSeen.UNSURE)
    assert change.opened and change.case.account.name == "Acme Shoes Ads"


def test_a_stranger_may_not_open_one_and_is_audited(services: Services, world: World) -> None:
    with pytest.raises(NotAllowed):
        services.desk.opening("U0EVE", world.acme.id)
    assert audited(services, "desk.case") == [
        (
            "U0EVE",
            "desk.case.refused",
            f"business_account:{world.acme.id}",
            {"reason": "not_allowed"},
        )
    ]
    with pytest.raises(NotAllowed):  # nor through the form itself
        services.cases.report("U0EVE", world.acme.id, "forged", ChargesSeen.UNSURE)
