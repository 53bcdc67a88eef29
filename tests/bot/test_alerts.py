"""The platform's alerts in the domain: accepted once, stored, turned into checks, and closed by
a rotation, against a real database with a fake clock."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from bot.checklist.model import Check, Source, State
from bot.core.clock import FakeClock
from bot.core.errors import NotAllowed
from bot.platform.alert_document import AlertInvalid
from bot.platform.alerts import Outcome, Recipient, UnknownAccount
from bot.platform.compromised import Role, remediation_time
from bot.services import Services
from storage.database import Database
from storage.models import Alert, AuditRecord, BusinessAccount, CheckResult, Member
from storage.tracing import driver_statements, queries
from tests.conftest import AccountFactory, MemberFactory

HOUR = timedelta(hours=1)


def alert(**changes: Any) -> bytes:
    document = {
        "id": "alert-123",
        "kind": "compromised_password",
        "account_id": "7012345",
        "member_email": "ana@example.com",
        "detected_at": "2026-11-24T09:00:00Z",  # an hour before the fake clock's start
        "detail": "Found in a credential dump",
        **changes,
    }
    return json.dumps(document).encode()


@pytest.fixture
def acme(member: MemberFactory, account: AccountFactory) -> BusinessAccount:
    ana = member("U0ANA", email="ana@example.com", name="Ana")
    raj = member("U0RAJ", email="raj@example.com", name="Raj")
    dana = member("U0DANA", email="dana@example.com", name="Dana")
    return account(
        "Acme Shoes Ads", members=[ana, raj], manager=dana, platform_account_id="7012345"
    )


def alerts_in(database: Database) -> list[Alert]:
    with database.sessions() as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def audit_actions(database: Database) -> list[str]:
    with database.sessions() as session:
        return list(session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)))


def check_rows(database: Database) -> list[tuple[int, int | None, str, str]]:
    with database.sessions() as session:
        rows = session.scalars(
            select(CheckResult)
            .where(CheckResult.check == Check.NO_COMPROMISED_PASSWORD)
            .order_by(CheckResult.member_id, CheckResult.business_account_id)
        )
        return [(r.member_id, r.business_account_id, r.state, r.source) for r in rows]


def compromised_line_of(services: Services, user: str) -> Any:
    return services.members.status(user).checklist.line(Check.NO_COMPROMISED_PASSWORD)


# -- receiving ----------------------------------------------------------------------------------


def test_a_compromised_password_turns_the_check_red_for_every_member_and_names_whom_to_dm(
    services: Services, database: Database, acme: BusinessAccount
) -> None:
    receipt = services.alerts.receive(alert())

    assert receipt.outcome is Outcome.ACCEPTED
    notice = receipt.notice
    assert notice is not None
    assert notice.recipients == (
        Recipient("U0ANA", Role.MEMBER),
        Recipient("U0RAJ", Role.MEMBER),
        Recipient("U0DANA", Role.MANAGER),
    )
    assert (notice.account_name, notice.detail, notice.members) == (
        "Acme Shoes Ads",
        "Found in a credential dump",
        2,
    )
    [stored] = alerts_in(database)
    assert (stored.platform_alert_id, stored.kind, stored.status) == (
        "alert-123",
        "compromised_password",
        "open",
    )
    assert stored.business_account_id == acme.id and stored.received_via == "api"
    for user in ("U0ANA", "U0RAJ"):
        checklist = services.members.status(user).checklist
        first = checklist.lines[0]
        assert first.check is Check.NO_COMPROMISED_PASSWORD  # shown first
        assert first.state is State.NEEDS_ACTION
        assert "Acme Shoes Ads" in first.explanation
        assert [line.account.name for line in first.accounts] == ["Acme Shoes Ads"]
        assert first.fix is not None
    # the manager is told, but it is not the manager's own check
    assert compromised_line_of(services, "U0DANA").state is State.UNKNOWN
    assert "alerts.received" in audit_actions(database)


def test_the_checklist_is_still_one_statement_with_an_open_alert(
    services: Services, database: Database, acme: BusinessAccount
) -> None:
    services.alerts.receive(alert())
    with driver_statements(database.reads) as statements:
        checklist = services.members.status("U0ANA").checklist

    assert checklist.line(Check.NO_COMPROMISED_PASSWORD).state is State.NEEDS_ACTION
    assert len(queries(statements)) == 1, statements


def test_a_second_delivery_of_an_id_changes_nothing(
    services: Services, database: Database, clock: FakeClock, acme: BusinessAccount
) -> None:
    services.alerts.receive(alert())
    before = (alerts_in(database)[0].received_at, check_rows(database), audit_actions(database))
    clock.advance(HOUR)

    receipt = services.alerts.receive(alert(detail="different words, same alert"))

    assert (receipt.outcome, receipt.notice) == (Outcome.DUPLICATE, None)
    after = (alerts_in(database)[0].received_at, check_rows(database), audit_actions(database))
    assert after == before
    assert len(alerts_in(database)) == 1


def test_parallel_deliveries_of_one_id_store_one_alert(
    services: Services, database: Database, acme: BusinessAccount
) -> None:
    start = threading.Barrier(6)
    outcomes: list[Outcome] = []

    def deliver() -> None:
        start.wait()
        outcomes.append(services.alerts.receive(alert()).outcome)

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == [Outcome.ACCEPTED] + [Outcome.DUPLICATE] * 5
    assert len(alerts_in(database)) == 1
    assert audit_actions(database).count("alerts.received") == 1


def test_an_unknown_account_is_refused_and_audited(
    services: Services, database: Database, acme: BusinessAccount
) -> None:
    with pytest.raises(UnknownAccount) as refused:
        services.alerts.receive(alert(account_id="9999999"))

    assert refused.value.reason == "unknown account_id"
    assert refused.value.document.account_id == "9999999"
    assert alerts_in(database) == []
    with database.sessions() as session:
        record = session.scalars(select(AuditRecord)).one()
    assert (record.action, record.actor, record.target) == (
        "alerts.refused.unknown_account",
        "platform",
        "platform_account:9999999",
    )
    assert record.details["alert"] == "alert-123"


def test_an_account_id_on_two_platforms_is_refused_rather_than_guessed(
    services: Services, database: Database, acme: BusinessAccount, account: AccountFactory
) -> None:
    account("Acme elsewhere", platform="other_platform", platform_account_id="7012345")

    with pytest.raises(UnknownAccount, match="several platforms"):
        services.alerts.receive(alert())

    assert alerts_in(database) == []


@pytest.mark.parametrize("kind", ["suspicious_login", "account_takeover"])
def test_other_kinds_are_stored_and_audited_without_touching_the_checks(
    kind: str, services: Services, database: Database, acme: BusinessAccount
) -> None:
    receipt = services.alerts.receive(alert(kind=kind))

    assert (receipt.outcome, receipt.notice) == (Outcome.ACCEPTED, None)
    assert [a.kind for a in alerts_in(database)] == [kind]
    assert audit_actions(database) == ["alerts.received"]
    assert check_rows(database) == []


def test_a_detection_in_the_future_is_refused(services: Services, acme: BusinessAccount) -> None:
    with pytest.raises(AlertInvalid, match="detected_at is in the future"):
        services.alerts.receive(alert(detected_at="2026-11-24T10:06:00Z"))
    services.alerts.receive(alert(detected_at="2026-11-24T10:04:00Z"))  # clock skew is fine


# -- closing by rotation ------------------------------------------------------------------------


@pytest.fixture
def open_alert(services: Services, acme: BusinessAccount) -> Iterator[int]:
    notice = services.alerts.receive(alert()).notice
    assert notice is not None
    services.alerts.remember_message(notice.alert_key, Recipient("U0ANA", Role.MEMBER), "D1", "1.1")
    services.alerts.remember_message(
        notice.alert_key, Recipient("U0DANA", Role.MANAGER), "D2", "2.2"
    )
    yield notice.alert_key


def test_saying_it_changed_closes_the_alert_as_waiting_for_the_platform_not_green(
    services: Services,
    database: Database,
    clock: FakeClock,
    acme: BusinessAccount,
    open_alert: int,
) -> None:
    clock.advance(2 * HOUR + timedelta(minutes=5))

    [closed] = services.alerts.report_changed("U0RAJ", acme.id)  # Raj has no authenticator

    assert closed.platform_alert_id == "alert-123"
    assert closed.waiting
    assert closed.time_to_remediate == timedelta(hours=3, minutes=5)  # from detection at 09:00
    assert (closed.closed_by, closed.closed_at, closed.account_name) == (
        "U0RAJ",
        clock.now(),
        "Acme Shoes Ads",
    )
    assert [(m.slack_user_id, m.role, m.channel, m.ts) for m in closed.messages] == [
        ("U0ANA", Role.MEMBER, "D1", "1.1"),
        ("U0DANA", Role.MANAGER, "D2", "2.2"),
    ]
    [stored] = alerts_in(database)
    assert (stored.status, stored.closed_reason, stored.closed_by) == (
        "waiting",
        "self_reported",
        "U0RAJ",
    )
    for user in ("U0ANA", "U0RAJ"):  # neither red nor green: the member's word, not the platform's
        line = compromised_line_of(services, user)
        assert line.state is State.UNKNOWN
        assert line.source is Source.SELF and line.observed_at == clock.now()
        assert line.explanation.startswith("Waiting for the platform")
        assert "Acme Shoes Ads" in line.explanation
        assert line.fix is None
        assert services.members.status(user).checklist.lines[0].check is Check.TWO_STEP
    assert ("needs_action", "platform") not in {
        (state, src) for *_, state, src in check_rows(database)
    }
    assert audit_actions(database)[-1] == "alerts.self_reported"
    assert services.alerts.open_compromised("U0ANA") == []


def test_the_platform_confirming_a_change_after_the_detection_closes_it_as_rotated(
    services: Services,
    database: Database,
    clock: FakeClock,
    acme: BusinessAccount,
    open_alert: int,
) -> None:
    services.alerts.report_changed("U0ANA", acme.id)
    clock.advance(timedelta(days=1))

    [closed] = services.alerts.close_for_password_change(
        acme.id, None, datetime(2026, 11, 24, 10, 30, tzinfo=UTC)
    )

    assert not closed.waiting and closed.closed_by == "platform"
    assert closed.time_to_remediate == timedelta(hours=1, minutes=30)
    [stored] = alerts_in(database)
    assert (stored.status, stored.closed_reason) == ("closed", "rotated")
    for user in ("U0ANA", "U0RAJ"):
        line = compromised_line_of(services, user)
        assert line.state is State.PASSING
        assert "1 h 30 min" in line.explanation
    assert audit_actions(database)[-1] == "alerts.rotated"


def test_unconfirmed_it_keeps_waiting_and_a_new_alert_turns_the_check_red_again(
    services: Services,
    database: Database,
    clock: FakeClock,
    acme: BusinessAccount,
    open_alert: int,
) -> None:
    services.alerts.report_changed("U0ANA", acme.id)
    clock.advance(timedelta(days=30))
    assert compromised_line_of(services, "U0RAJ").state is State.UNKNOWN  # still waiting

    services.alerts.receive(alert(id="alert-200", detected_at="2026-12-24T09:00:00Z"))

    line = compromised_line_of(services, "U0RAJ")
    assert line.state is State.NEEDS_ACTION
    assert [account_line.account.name for account_line in line.accounts] == ["Acme Shoes Ads"]
    assert [a.platform_alert_id for a in services.alerts.open_compromised("U0RAJ")] == ["alert-200"]


def test_a_member_with_an_authenticator_must_confirm_with_a_code_first(
    services: Services, database: Database, clock: FakeClock, acme: BusinessAccount, open_alert: int
) -> None:
    secret = services.authenticator.begin("U0ANA").secret
    services.authenticator.confirm("U0ANA", pyotp.TOTP(secret).at(clock.now()))
    assert not services.alerts.asks_for_code("U0ANA")  # linking just now counts as a code
    clock.advance(timedelta(hours=1))
    assert services.alerts.asks_for_code("U0ANA")
    assert not services.alerts.asks_for_code("U0RAJ")  # none linked: never held up

    with pytest.raises(NotAllowed):
        services.alerts.report_changed("U0ANA", acme.id)

    assert [a.status for a in alerts_in(database)] == ["open"]
    services.authenticator.verify("U0ANA", pyotp.TOTP(secret).at(clock.now()))
    assert len(services.alerts.report_changed("U0ANA", acme.id)) == 1


def test_the_password_page_passing_counts_as_saying_it_changed(
    services: Services, database: Database, acme: BusinessAccount, open_alert: int
) -> None:
    [closed] = services.alerts.close_for_rotation("U0RAJ", acme.id)

    assert closed.waiting
    assert [a.status for a in alerts_in(database)] == ["waiting"]


def test_saying_it_changed_is_counted_once(
    services: Services, acme: BusinessAccount, open_alert: int
) -> None:
    assert len(services.alerts.report_changed("U0ANA", acme.id)) == 1
    assert services.alerts.report_changed("U0ANA", acme.id) == []
    assert services.alerts.close_for_rotation("U0ANA", acme.id) == []
    assert services.alerts.open_compromised("U0ANA") == []


def test_someone_not_on_the_account_closes_nothing(
    services: Services, database: Database, acme: BusinessAccount, open_alert: int
) -> None:
    assert services.alerts.close_for_rotation("U0DANA", acme.id) == []  # the manager
    assert services.alerts.close_for_rotation("U0NOBODY", acme.id) == []
    assert services.alerts.report_changed("U0DANA", acme.id) == []
    assert services.alerts.report_changed("U0NOBODY") == []
    assert [a.status for a in alerts_in(database)] == ["open"]
    assert compromised_line_of(services, "U0ANA").state is State.NEEDS_ACTION


def test_the_check_stays_red_while_another_account_has_an_open_alert(
    services: Services,
    database: Database,
    account: AccountFactory,
    acme: BusinessAccount,
    open_alert: int,
) -> None:
    with database.sessions() as session:
        ana = session.scalars(select(Member).where(Member.slack_user_id == "U0ANA")).one()
    bolt = account("Bolt Bikes Ads", members=[ana], platform_account_id="7012346")
    services.alerts.receive(alert(id="alert-124", account_id="7012346"))
    assert [a.account_name for a in services.alerts.open_compromised("U0ANA")] == [
        "Acme Shoes Ads",
        "Bolt Bikes Ads",
    ]

    services.alerts.report_changed("U0ANA", acme.id)

    line = compromised_line_of(services, "U0ANA")
    assert line.state is State.NEEDS_ACTION
    assert [account_line.account.name for account_line in line.accounts] == ["Bolt Bikes Ads"]
    assert "Bolt Bikes Ads" in line.explanation and "Acme" not in line.explanation
    assert compromised_line_of(services, "U0RAJ").state is State.UNKNOWN  # waiting
    services.alerts.report_changed("U0ANA")  # every account of hers with an open alert
    line = compromised_line_of(services, "U0ANA")
    assert line.state is State.UNKNOWN
    assert "Acme Shoes Ads and Bolt Bikes Ads" in line.explanation
    assert bolt.id not in {a.business_account_id for a in services.alerts.open_compromised("U0ANA")}


@pytest.mark.parametrize(
    ("open_for", "said"),
    [
        (timedelta(seconds=30), "under a minute"),
        (timedelta(hours=3, minutes=5), "3 h 5 min"),
        (timedelta(days=1, hours=3, minutes=5), "1 day 3 h"),
        (timedelta(days=2), "2 days"),
    ],
)
def test_how_long_an_alert_stayed_open_reads_with_the_right_plural(
    open_for: timedelta, said: str
) -> None:
    assert remediation_time(open_for) == said
