"""The platform's posture reports in the domain: accepted once, outranking self-reports, never
overwritten by an older report, and closing compromised-password alerts by password_changed_at.
Real database, fake clock."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.checklist.model import Check, Checklist, Fix, Source, State
from bot.core.clock import FakeClock
from bot.platform.posture import PostureOutcome, PostureRefused
from bot.platform.posture_document import PostureInvalid, parse_posture
from bot.services import Services
from storage.models import Alert, AuditRecord, BusinessAccount, PostureReport
from tests.conftest import START, AccountFactory, MemberFactory


def report(**changes: Any) -> bytes:
    document = {
        "id": "posture-1",
        "account_id": "7012345",
        "member_email": "ana@example.com",
        "reported_at": "2026-11-24T09:30:00Z",
        **changes,
    }
    return json.dumps({k: v for k, v in document.items() if v is not ...}).encode()


@pytest.fixture
def acme(member: MemberFactory, account: AccountFactory) -> BusinessAccount:
    ana = member("U0ANA", email="ana@example.com", name="Ana")
    raj = member("U0RAJ", email="raj@example.com", name="Raj")
    return account("Acme Shoes Ads", members=[ana, raj], platform_account_id="7012345")


def checklist(services: Services, user: str = "U0ANA") -> Checklist:
    return services.members.status(user).checklist


def audit_actions(services: Services) -> list[str]:
    with services.database.sessions() as session:
        return list(session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)))


# -- the document --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"id": ...}, "missing field: id"),
        ({"account_id": None}, "missing field: account_id"),
        ({"reported_at": ...}, "missing field: reported_at"),
        ({"reported_at": "2026-11-24T09:30:00"}, "reported_at must be an ISO 8601 time"),
        ({"password_changed_at": "yesterday"}, "password_changed_at must be an ISO 8601 time"),
        ({"two_step": "true"}, "two_step must be true or false"),
        ({"recovery_phone_set": 1}, "recovery_phone_set must be true or false"),
        ({"two_step_method": "<script>"}, "two_step_method must be a method name"),
        ({"member_email": "ana"}, "member_email is not an email address"),
        ({"id": "a b"}, "id may hold only"),
    ],
)
def test_malformed_reports_are_refused_with_the_reason(
    changes: dict[str, Any], reason: str
) -> None:
    with pytest.raises(PostureInvalid, match=reason):
        parse_posture(report(**changes))


def test_only_id_account_and_time_are_required_and_unknown_fields_are_ignored() -> None:
    document = parse_posture(report(member_email=..., new_field={"x": 1}, two_step=None))
    assert (document.id, document.account_id, document.member_email) == (
        "posture-1",
        "7012345",
        None,
    )
    assert document.evidence() == {}


def test_a_report_from_the_future_is_refused(services: Services, acme: BusinessAccount) -> None:
    with pytest.raises(PostureInvalid, match="reported_at is in the future"):
        services.posture.receive(report(reported_at="2026-11-24T10:06:00Z", two_step=True))
    with pytest.raises(PostureInvalid, match="password_changed_at is in the future"):
        services.posture.receive(report(password_changed_at="2026-11-25T10:00:00Z"))


# -- 2-step verification -------------------------------------------------------------------------


def test_the_platform_reports_2sv_on_with_its_method_and_date(
    services: Services, acme: BusinessAccount
) -> None:
    receipt = services.posture.receive(report(two_step=True, two_step_method="authenticator_app"))

    assert receipt.outcome is PostureOutcome.ACCEPTED
    assert (receipt.applied.fields, receipt.applied.members) == (("two_step",), ("U0ANA",))
    line = checklist(services).line(Check.TWO_STEP)
    assert (line.state, line.fix) == (State.PASSING, None)
    [account] = line.accounts
    assert account.explanation == "On, as the platform reports (with authenticator app)."
    assert (account.source, account.observed_at) == (Source.PLATFORM, START - timedelta(minutes=30))
    assert checklist(services, "U0RAJ").line(Check.TWO_STEP).state is State.UNKNOWN  # only Ana
    assert audit_actions(services) == ["posture.received"]


def test_the_platform_contradicting_a_self_report_turns_the_check_red_and_says_why(
    services: Services, acme: BusinessAccount, clock: FakeClock
) -> None:
    clock.set(START - timedelta(hours=2))  # the member's word comes before the platform's report
    services.self_reports.two_step_turned_on("U0ANA", acme.id, "sms")
    assert checklist(services).line(Check.TWO_STEP).state is State.PASSING
    clock.set(START)

    services.posture.receive(report(two_step=False))

    line = checklist(services).line(Check.TWO_STEP)
    assert line.state is State.NEEDS_ACTION
    assert line.fix is Fix.REPORT_TWO_STEP  # so the nudges remind the member too
    assert line.explanation == "Needs turning on: Acme Shoes Ads."
    [account] = line.accounts
    assert account.explanation == "Reported on, but the platform's later report says it is off."
    assert account.source is Source.PLATFORM


def test_turning_it_on_after_the_platform_said_off_waits_for_the_platform(
    services: Services, acme: BusinessAccount, clock: FakeClock
) -> None:
    services.posture.receive(report(two_step=False))  # dated 09:30
    services.self_reports.two_step_turned_on("U0ANA", acme.id, "authenticator_app")  # 10:00

    line = checklist(services).line(Check.TWO_STEP)
    assert (line.state, line.pending_since) == (State.UNKNOWN, START)
    assert line.explanation == "Waiting for the platform to confirm: Acme Shoes Ads."
    [account] = line.accounts
    assert account.explanation == (
        "Reported on (with authenticator app); waiting for the platform to confirm."
    )
    assert (account.source, account.pending_since) == (Source.SELF, START)

    # Only the platform's newer report settles it: "off" again is red again, and says so.
    clock.advance(timedelta(hours=2))
    services.posture.receive(
        report(id="posture-2", two_step=False, reported_at="2026-11-24T11:00:00Z")
    )
    line = checklist(services).line(Check.TWO_STEP)
    assert (line.state, line.pending_since) == (State.NEEDS_ACTION, None)
    assert line.accounts[0].explanation == (
        "Reported on, but the platform's later report says it is off."
    )
    services.posture.receive(
        report(id="posture-3", two_step=True, reported_at="2026-11-24T11:30:00Z")
    )
    assert checklist(services).line(Check.TWO_STEP).state is State.PASSING


def test_per_account_lines_name_the_account_without_2sv(
    services: Services, member: MemberFactory, account: AccountFactory
) -> None:
    ana = member("U0ANA", email="ana@example.com")
    for name, platform_id in [("Acme Hats", "1"), ("Acme Shoes", "2"), ("Acme Socks", "3")]:
        account(name, members=[ana], platform_account_id=platform_id)

    services.posture.receive(report(id="r1", account_id="1", two_step=True))
    services.posture.receive(report(id="r2", account_id="2", two_step=False))
    services.posture.receive(report(id="r3", account_id="3", two_step=True))

    line = checklist(services).line(Check.TWO_STEP)
    assert line.state is State.NEEDS_ACTION
    assert line.explanation == "Needs turning on: Acme Shoes."
    assert [(a.account.name, a.state) for a in line.accounts] == [
        ("Acme Hats", State.PASSING),
        ("Acme Shoes", State.NEEDS_ACTION),
        ("Acme Socks", State.PASSING),
    ]


def test_a_report_without_member_email_is_about_every_member_of_the_account(
    services: Services, acme: BusinessAccount
) -> None:
    receipt = services.posture.receive(report(member_email=..., two_step=True))

    assert receipt.applied.members == ("U0ANA", "U0RAJ")
    assert checklist(services, "U0RAJ").line(Check.TWO_STEP).state is State.PASSING


# -- idempotency and order -----------------------------------------------------------------------


def test_the_same_id_twice_is_taken_once(services: Services, acme: BusinessAccount) -> None:
    services.posture.receive(report(two_step=True))
    again = services.posture.receive(report(two_step=False))  # same id, other content

    assert again.outcome is PostureOutcome.DUPLICATE
    assert checklist(services).line(Check.TWO_STEP).state is State.PASSING
    with services.database.sessions() as session:
        assert len(session.scalars(select(PostureReport)).all()) == 1


def test_an_older_report_never_overwrites_a_newer_one(
    services: Services, acme: BusinessAccount
) -> None:
    services.posture.receive(report(id="new", reported_at="2026-11-24T09:00:00Z", two_step=True))

    late = services.posture.receive(
        report(
            id="old",
            reported_at="2026-11-23T09:00:00Z",
            two_step=False,
            recovery_phone_set=True,
        )
    )

    assert late.outcome is PostureOutcome.ACCEPTED
    assert (late.applied.fields, late.applied.superseded) == (
        ("recovery_phone_set",),
        ("two_step",),
    )
    line = checklist(services).line(Check.TWO_STEP)
    assert line.state is State.PASSING
    assert checklist(services).line(Check.RECOVERY_PHONE).source is Source.PLATFORM
    with services.database.sessions() as session:
        stored = session.scalars(
            select(PostureReport.applied).where(PostureReport.platform_report_id == "old")
        ).one()
    assert stored == {"fields": ["recovery_phone_set"], "superseded": ["two_step"]}


def test_reports_out_of_order_end_with_the_newest_evidence(
    services: Services, acme: BusinessAccount
) -> None:
    times = ["2026-11-24T08:00:00Z", "2026-11-24T09:00:00Z", "2026-11-24T07:00:00Z"]
    values = [False, True, False]
    for number, (at, value) in enumerate(zip(times, values, strict=True)):
        services.posture.receive(report(id=f"r{number}", reported_at=at, two_step=value))

    [account] = checklist(services).line(Check.TWO_STEP).accounts
    assert account.state is State.PASSING
    assert account.observed_at is not None and account.observed_at.hour == 9


# -- refusals --------------------------------------------------------------------------------------


def test_a_report_about_an_unknown_account_or_a_stranger_is_refused_and_audited(
    services: Services, acme: BusinessAccount, member: MemberFactory
) -> None:
    member("U0EVE", email="eve@example.com")

    with pytest.raises(PostureRefused, match="unknown account_id"):
        services.posture.receive(report(account_id="999", two_step=True))
    with pytest.raises(PostureRefused, match="member_email is not a member of that account"):
        services.posture.receive(report(id="p2", member_email="eve@example.com", two_step=True))

    assert audit_actions(services) == ["posture.refused", "posture.refused"]
    assert checklist(services, "U0EVE").line(Check.TWO_STEP).state is State.UNKNOWN


# -- recovery ---------------------------------------------------------------------------------------


def test_the_platform_confirms_a_self_reported_phone(
    services: Services, acme: BusinessAccount
) -> None:
    services.recovery_phone.record("U0ANA", "+49 30 12345612")
    assert checklist(services).line(Check.RECOVERY_PHONE).source is Source.SELF

    services.posture.receive(report(recovery_phone_set=True))

    line = checklist(services).line(Check.RECOVERY_PHONE)
    assert (line.state, line.source) == (State.PASSING, Source.PLATFORM)
    assert line.explanation == "On record, as the platform reports."


def test_the_platform_reporting_no_phone_outranks_the_members_number(
    services: Services, acme: BusinessAccount
) -> None:
    services.recovery_phone.record("U0ANA", "+49 30 12345612")

    services.posture.receive(report(recovery_phone_set=False))

    line = checklist(services).line(Check.RECOVERY_PHONE)
    assert (line.state, line.source, line.fix) == (
        State.NEEDS_ACTION,
        Source.PLATFORM,
        Fix.REPORT_RECOVERY_PHONE,
    )
    assert line.explanation == (
        "+49 ••• ••• 12 on record (self-reported), but the platform reports no recovery phone "
        "on: Acme Shoes Ads."
    )


def test_the_platform_reporting_no_recovery_email_names_the_account(
    services: Services, acme: BusinessAccount
) -> None:
    services.posture.receive(report(recovery_email_set=False))

    line = checklist(services).line(Check.RECOVERY_EMAIL)
    assert line.state is State.NEEDS_ACTION
    assert line.fix is Fix.CONFIRM_RECOVERY_EMAIL  # not confirmed with the bot either
    [account] = line.accounts
    assert account.explanation == "The platform reports no recovery email."


# -- password changes close alerts ---------------------------------------------------------------


def alert(**changes: Any) -> bytes:
    document = {
        "id": "alert-1",
        "kind": "compromised_password",
        "account_id": "7012345",
        "member_email": "ana@example.com",
        "detected_at": "2026-11-24T08:00:00Z",
        "detail": "Found in a credential dump",
        **changes,
    }
    return json.dumps(document).encode()


def alert_rows(services: Services) -> list[Alert]:
    with services.database.sessions() as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def test_a_password_change_after_the_detection_closes_the_alert_as_rotated(
    services: Services, acme: BusinessAccount
) -> None:
    services.alerts.receive(alert())
    assert checklist(services).line(Check.NO_COMPROMISED_PASSWORD).state is State.NEEDS_ACTION

    receipt = services.posture.receive(report(password_changed_at="2026-11-24T09:15:00Z"))

    [closed] = receipt.applied.closed
    assert closed.time_to_remediate == timedelta(hours=1, minutes=15)
    assert closed.closed_by == "platform"
    [row] = alert_rows(services)
    assert (row.status, row.closed_reason, row.seconds_to_remediate) == ("closed", "rotated", 4500)
    for user in ("U0ANA", "U0RAJ"):
        line = checklist(services, user).line(Check.NO_COMPROMISED_PASSWORD)
        assert line.state is State.PASSING
        assert "fixed 1 h 15 min after the alert" in line.explanation
    assert "alerts.rotated" in audit_actions(services)


def test_a_password_change_before_the_detection_closes_nothing(
    services: Services, acme: BusinessAccount
) -> None:
    services.alerts.receive(alert())

    receipt = services.posture.receive(report(password_changed_at="2026-11-24T07:59:00Z"))

    assert receipt.applied.closed == ()
    assert [row.status for row in alert_rows(services)] == ["open"]


def test_a_password_change_by_someone_else_leaves_their_colleagues_alert_open(
    services: Services, acme: BusinessAccount
) -> None:
    services.alerts.receive(alert(member_email="raj@example.com"))

    services.posture.receive(report(password_changed_at="2026-11-24T09:15:00Z"))
    assert [row.status for row in alert_rows(services)] == ["open"]

    services.posture.receive(
        report(id="p2", member_email=..., password_changed_at="2026-11-24T09:20:00Z")
    )
    assert [row.status for row in alert_rows(services)] == ["closed"]


def test_the_alert_service_closes_alerts_for_a_password_change_too(
    services: Services, acme: BusinessAccount, clock: FakeClock
) -> None:
    services.alerts.receive(alert())
    changed = START - timedelta(minutes=20)

    [closed] = services.alerts.close_for_password_change(acme.id, "ana@example.com", changed)

    assert closed.time_to_remediate == timedelta(hours=1, minutes=40)
    assert services.alerts.open_compromised("U0ANA") == []
    assert services.alerts.close_for_password_change(acme.id, None, changed) == []
