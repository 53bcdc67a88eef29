"""The flow `alerts import` and `posture import` share, with a delivery of the simplest kind: each
line read, placed and recognised by id, applied only when no line is bad, and audited either way."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.clock import FakeClock
from bot.directory.file import RowError
from bot.platform.alert_document import AlertInvalid
from bot.platform.imports import (
    AUDITED_LINES,
    MAX_TARGET,
    Accounts,
    DeliveryKind,
    Imported,
    ImportReport,
    import_lines,
)
from storage.database import Database
from storage.models import AuditRecord, BusinessAccount
from tests.conftest import AccountFactory
from tests.e2e.conftest import row_counts


@dataclass(frozen=True)
class Sighting:
    """A line `<id> <account_id>`: just what every delivery carries."""

    id: str
    account_id: str


class Sightings(DeliveryKind[Sighting, BusinessAccount, tuple[str, str], ImportReport]):
    audited_as = "sightings"

    def read(self, line: str, now: datetime) -> Sighting:
        delivery_id, _, account_id = line.strip().partition(" ")
        if not account_id:
            raise AlertInvalid("missing field: account_id")
        return Sighting(delivery_id, account_id)

    def place(self, _: Session, sighting: Sighting, accounts: Accounts) -> BusinessAccount | str:
        found = accounts.get(sighting.account_id, [])
        return found[0] if found else "unknown account_id"

    def known_ids(self, _: Session, ids: Iterable[str]) -> set[str]:
        return {"seen-before"} & set(ids)

    def apply(
        self, _: Session, sighting: Sighting, account: BusinessAccount, now: datetime
    ) -> tuple[str, str]:
        return (sighting.id, account.name)

    def report(self, source: str, imported: Imported[tuple[str, str]]) -> ImportReport:
        return ImportReport(source, imported.accepted, imported.duplicates, imported.errors)


SIGHTINGS = Sightings()


@pytest.fixture(autouse=True)
def acme(account: AccountFactory) -> BusinessAccount:
    return account("Acme Shoes Ads", platform_account_id="7012345")


def run(
    database: Database, clock: FakeClock, text: str, *, source: str = "sightings.jsonl"
) -> tuple[Imported[tuple[str, str]], list[tuple[str, str]]]:
    """The counts and bad lines, and what was applied, in order."""
    imported = import_lines(
        database, SIGHTINGS, text, now=clock.now(), source=source, actor="U0OPS"
    )
    return replace(imported, applied=()), list(imported.applied)


def audit_records(database: Database) -> list[AuditRecord]:
    with database.sessions() as session:
        return list(session.scalars(select(AuditRecord).order_by(AuditRecord.id)))


def test_new_deliveries_are_applied_once_each_in_the_files_order(
    database: Database, clock: FakeClock
) -> None:
    text = "\ufeffs-2 7012345\n\nseen-before 7012345\ns-1 7012345\ns-2 7012345\n"

    imported, applied = run(database, clock, text)

    assert imported == Imported(accepted=2, duplicates=2)
    assert applied == [("s-2", "Acme Shoes Ads"), ("s-1", "Acme Shoes Ads")]
    [record] = audit_records(database)
    assert (record.action, record.actor, record.target) == (
        "sightings.imported",
        "U0OPS",
        "sightings.jsonl",
    )
    assert record.details == {"accepted": 2, "duplicates": 2}


def test_a_file_of_nothing_new_applies_and_audits_nothing(
    database: Database, clock: FakeClock
) -> None:
    imported, applied = run(database, clock, "seen-before 7012345\n")

    assert imported == Imported(accepted=0, duplicates=1)
    assert applied == []
    assert audit_records(database) == []


def test_any_bad_line_and_nothing_is_applied_every_bad_line_reported_by_number(
    database: Database, clock: FakeClock
) -> None:
    text = "s-1 7012345\ns-2 404\n\nbroken\ns-3 7012345\n"
    before = row_counts(database)

    imported, applied = run(database, clock, text)

    assert applied == []
    assert imported == Imported(
        errors=(
            RowError(2, "unknown account_id"),  # placed after reading, reported in line order
            RowError(4, "missing field: account_id"),
        )
    )
    after = row_counts(database)
    assert after.pop("audit_records") == before.pop("audit_records") + 1
    assert after == before
    [record] = audit_records(database)
    assert record.action == "sightings.import.refused"
    assert record.details == {
        "bad_lines": ["line 2: unknown account_id", "line 4: missing field: account_id"]
    }


def test_the_refusals_audit_record_keeps_to_the_columns_width_and_the_first_bad_lines(
    database: Database, clock: FakeClock
) -> None:
    source = "a-very-long-file-name-" * 20 + ".jsonl"
    text = "\n".join(f"s-{number} 404" for number in range(AUDITED_LINES + 10))

    imported, _ = run(database, clock, text, source=source)

    assert len(imported.errors) == AUDITED_LINES + 10
    [record] = audit_records(database)
    assert record.target == source[:MAX_TARGET]
    assert len(record.details["bad_lines"]) == AUDITED_LINES
    assert record.details["bad_lines"][0] == "line 1: unknown account_id"


def test_a_refused_file_is_reported_line_by_line_then_as_not_imported() -> None:
    one = (RowError(3, "id is empty"),)
    two = (RowError(1, "body is not valid JSON"), *one)

    assert ImportReport("f.jsonl", errors=one).lines() == [
        "line 3: id is empty",
        "f.jsonl: nothing was imported (1 bad line)",
    ]
    assert (
        ImportReport("f.jsonl", errors=two).lines()[-1]
        == "f.jsonl: nothing was imported (2 bad lines)"
    )
