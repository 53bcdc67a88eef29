"""`posture import`: the API's reports as JSON lines, checked the same way, all or nothing, in one
transaction; duplicates and older lines change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.checklist.model import Check, Source, State
from bot.core.clock import FakeClock
from bot.platform.posture_import import PostureImport
from bot.services import Services
from storage.database import Database
from storage.models import AuditRecord
from tests.conftest import AccountFactory, MemberFactory
from tests.e2e.conftest import row_counts


def line(**changes: Any) -> str:
    document = {
        "id": "posture-1",
        "account_id": "7012345",
        "member_email": "ana@example.com",
        "two_step": True,
        "two_step_method": "sms",
        "reported_at": "2026-11-24T09:00:00Z",
        **changes,
    }
    return json.dumps(document)


@pytest.fixture(autouse=True)
def directory(member: MemberFactory, account: AccountFactory) -> None:
    ana = member("U0ANA", email="ana@example.com")
    account("Acme Shoes Ads", members=[ana], platform_account_id="7012345")
    account("Bolt Bikes Ads", members=[ana], platform_account_id="7012346")


@pytest.fixture
def importer(database: Database, clock: FakeClock) -> PostureImport:
    return PostureImport(database, clock)


def two_step_states(services: Services) -> list[tuple[str, State, str]]:
    line = services.members.status("U0ANA").checklist.line(Check.TWO_STEP)
    return [(a.account.name, a.state, a.explanation) for a in line.accounts]


def test_a_good_file_is_applied_and_a_second_run_changes_nothing(
    importer: PostureImport, services: Services, database: Database
) -> None:
    text = "\n".join([line(), "", line(id="posture-2", account_id="7012346", two_step=False), ""])

    report = importer.run(text, source="posture.jsonl")

    assert report.ok and report.lines() == [
        "posture.jsonl: 2 reports accepted, 0 already received before"
    ]
    assert report.members == ("U0ANA",)
    assert two_step_states(services) == [
        ("Acme Shoes Ads", State.PASSING, "On, as the platform reports (with SMS)."),
        ("Bolt Bikes Ads", State.NEEDS_ACTION, "Off, as the platform reports."),
    ]
    before = row_counts(database)

    again = importer.run(text, source="posture.jsonl")

    assert again.lines() == ["posture.jsonl: 0 reports accepted, 2 already received before"]
    assert row_counts(database) == before


def test_bad_lines_are_reported_with_their_numbers_and_nothing_is_applied(
    importer: PostureImport, database: Database
) -> None:
    text = "\n".join(
        [
            line(),
            line(id="p2", account_id="404"),
            line(id="p3", member_email="nobody@example.com"),
            line(id="p4", two_step="yes"),
            "{",
        ]
    )
    before = row_counts(database)

    report = importer.run(text, source="posture.jsonl")

    assert report.lines() == [
        "line 2: unknown account_id",
        "line 3: member_email is not a member of that account",
        "line 4: two_step must be true or false",
        "line 5: body is not valid JSON",
        "posture.jsonl: nothing was imported (4 bad lines)",
    ]
    after = row_counts(database)
    assert after["posture_reports"] == 0
    assert after["check_results"] == before["check_results"]
    with database.sessions() as session:
        assert session.scalars(select(AuditRecord.action)).all() == ["posture.import.refused"]


def test_lines_out_of_order_and_repeated_ids_in_one_file(
    importer: PostureImport, services: Services
) -> None:
    text = "\n".join(
        [
            line(id="new", reported_at="2026-11-24T09:00:00Z", two_step=True),
            line(id="old", reported_at="2026-11-23T09:00:00Z", two_step=False),
            line(id="new", reported_at="2026-11-24T09:30:00Z", two_step=False),
        ]
    )

    report = importer.run(text, source="posture.jsonl")

    assert (report.accepted, report.duplicates, report.superseded) == (2, 1, 1)
    assert report.lines() == [
        "posture.jsonl: 2 reports accepted, 1 already received before, "
        "1 with fields older than the evidence stored (kept)"
    ]
    [(_, state, _), _] = two_step_states(services)
    assert state is State.PASSING
    line_ = services.members.status("U0ANA").checklist.line(Check.TWO_STEP)
    assert line_.accounts[0].source is Source.PLATFORM
