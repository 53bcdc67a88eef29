"""`alerts import`: the API's documents as JSON lines, checked the same way, all or nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.checklist.model import Check, State
from bot.core.clock import FakeClock
from bot.platform.alert_import import AlertImport
from bot.services import Services
from storage.database import Database
from storage.models import Alert, AuditRecord
from tests.conftest import AccountFactory, MemberFactory
from tests.e2e.conftest import row_counts


def line(**changes: Any) -> str:
    document = {
        "id": "alert-1",
        "kind": "compromised_password",
        "account_id": "7012345",
        "member_email": "ana@example.com",
        "detected_at": "2026-11-24T09:00:00Z",
        "detail": "Found in a credential dump",
        **changes,
    }
    return json.dumps(document)


GOOD_FILE = (
    "\n".join(
        [
            line(),
            line(id="alert-2", kind="suspicious_login", detail="Login from a new country"),
            "",  # blank lines are skipped, but still counted
            line(id="alert-3", account_id="7012346", kind="account_takeover"),
        ]
    )
    + "\n"
)


@pytest.fixture(autouse=True)
def directory(member: MemberFactory, account: AccountFactory) -> None:
    ana = member("U0ANA", email="ana@example.com")
    account("Acme Shoes Ads", members=[ana], platform_account_id="7012345")
    account("Bolt Bikes Ads", members=[ana], platform_account_id="7012346")


@pytest.fixture
def importer(database: Database, clock: FakeClock) -> AlertImport:
    return AlertImport(database, clock)


def test_a_good_file_is_imported_and_the_compromised_password_shows(
    importer: AlertImport, database: Database, services: Services
) -> None:
    report = importer.run(GOOD_FILE, source="alerts.jsonl")

    assert report.ok
    assert (report.accepted, report.duplicates) == (3, 0)
    assert report.lines() == ["alerts.jsonl: 3 alerts accepted, 0 already received before"]
    assert [notice.platform_alert_id for notice in report.notices] == ["alert-1"]
    assert [r.slack_user_id for r in report.notices[0].recipients] == ["U0ANA"]
    with database.sessions() as session:
        stored = session.execute(select(Alert.platform_alert_id, Alert.received_via)).all()
    assert sorted(stored) == [("alert-1", "import"), ("alert-2", "import"), ("alert-3", "import")]
    line_ = services.members.status("U0ANA").checklist.lines[0]
    assert (line_.check, line_.state) == (Check.NO_COMPROMISED_PASSWORD, State.NEEDS_ACTION)


def test_importing_the_same_file_again_changes_nothing(
    importer: AlertImport, database: Database
) -> None:
    importer.run(GOOD_FILE, source="alerts.jsonl")
    before = row_counts(database)

    report = importer.run(GOOD_FILE, source="alerts.jsonl")

    assert report.ok and report.notices == ()
    assert (report.accepted, report.duplicates) == (0, 3)
    assert row_counts(database) == before


def test_a_repeated_id_within_a_file_is_one_alert(
    importer: AlertImport, database: Database
) -> None:
    report = importer.run(line() + "\n" + line(detail="again") + "\n", source="twice.jsonl")

    assert (report.accepted, report.duplicates) == (1, 1)
    assert row_counts(database)["alerts"] == 1


def test_bad_lines_are_each_reported_by_number_and_nothing_is_applied(
    importer: AlertImport, database: Database
) -> None:
    text = "\n".join(
        [
            line(),  # 1: fine
            "{broken",  # 2
            line(id="alert-3", kind="weak_password"),  # 3
            line(id="alert-4", account_id="9999999"),  # 4: not in the directory
            line(id="alert-5", detected_at="yesterday"),  # 5
            json.dumps({"id": "alert-6"}),  # 6
        ]
    )
    before = row_counts(database)

    report = importer.run(text, source="bad.jsonl")

    assert not report.ok
    assert report.lines() == [
        "line 2: body is not valid JSON",
        "line 3: kind must be one of: compromised_password, suspicious_login, account_takeover",
        "line 4: unknown account_id",
        "line 5: detected_at must be an ISO 8601 time with a time zone, e.g. 2026-11-24T10:00:00Z",
        "line 6: missing field: kind",
        "bad.jsonl: nothing was imported (5 bad lines)",
    ]
    after = row_counts(database)
    assert after.pop("audit_records") == before.pop("audit_records") + 1
    assert after == before
    with database.sessions() as session:
        refused = session.scalars(select(AuditRecord)).one()
    assert refused.action == "alerts.import.refused"
    assert refused.details["bad_lines"][2] == "line 4: unknown account_id"


def test_an_empty_file_imports_nothing(importer: AlertImport, database: Database) -> None:
    before = row_counts(database)

    report = importer.run("\ufeff\n\n", source="empty.jsonl")

    assert report.ok and report.accepted == 0
    assert row_counts(database) == before
