"""The platform's alerts in the domain: accepted once, stored and turned into checks, against a
real database with a fake clock."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.checklist.model import Check, State
from bot.core.clock import FakeClock
from bot.platform.alert_document import AlertInvalid
from bot.platform.alerts import Outcome, Recipient, UnknownAccount
from bot.platform.compromised import Role
from bot.services import Services
from storage.database import Database
from storage.models import Alert, AuditRecord, BusinessAccount, CheckResult
from storage.tracing import driver_statements, queries
from tests.conftest import AccountFactory, MemberFactory, carrying

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

    threads = [threading.Thread(target=carrying(deliver)) for _ in range(6)]
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
