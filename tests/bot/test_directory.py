"""The account directory import, through the real service and database."""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.core.clock import FakeClock
from bot.directory.service import (
    DirectoryImport,
    DirectoryRow,
    ParsedDirectory,
    SlackUser,
    parse_directory,
)
from storage.database import Database
from storage.models import AuditRecord, BusinessAccount, Member, Membership
from storage.schema import Base
from storage.tracing import executed_statements
from tests.conftest import AccountFactory, MemberFactory

HEADER = "account_id,account_name,platform,managed,account_manager_email,member_emails"
SHOES = (
    "7012345,Acme Shoes Ads,tiktok_business,true,dana@example.com,ana@example.com;raj@example.com"
)
HATS = "7012346,Acme Hats Ads,tiktok_business,false,,ana@example.com"


class Workspace:
    """A fake Slack user list that counts how often it was read."""

    def __init__(self, *users: SlackUser) -> None:
        self.users = list(users)
        self.reads = 0

    def all_users(self) -> Iterator[SlackUser]:
        self.reads += 1
        yield from self.users


def slack_user(user_id: str, email: str, name: str | None = None) -> SlackUser:
    return SlackUser(user_id, "T0STANDIN", email, name or user_id, "Europe/Berlin")


ANA = slack_user("U0ANA", "Ana@Example.com", "Ana")
DANA = slack_user("U0DANA", "dana@example.com", "Dana")
RAJ = slack_user("U0RAJ", "raj@example.com", "Raj")


def csv(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def parsed_rows(text: str) -> tuple[DirectoryRow, ...]:
    parsed = parse_directory(text)
    assert isinstance(parsed, ParsedDirectory), parsed
    return parsed.rows


def errors_of(text: str) -> list[str]:
    parsed = parse_directory(text)
    assert isinstance(parsed, list), parsed
    return [str(error) for error in parsed]


def table_counts(database: Database) -> dict[str, int]:
    with database.sessions() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def audit_records(database: Database) -> list[AuditRecord]:
    with database.sessions() as session:
        return list(session.scalars(select(AuditRecord).order_by(AuditRecord.id)))


def account_members(database: Database) -> dict[str, list[str | None]]:
    """Each business account's members' emails, by platform account id."""
    with database.sessions() as session:
        rows = session.execute(
            select(BusinessAccount.platform_account_id, Member.email)
            .join(Membership, Membership.business_account_id == BusinessAccount.id)
            .join(Member, Member.id == Membership.member_id)
            .order_by(BusinessAccount.platform_account_id, Member.email)
        )
        found: dict[str, list[str | None]] = {}
        for account_id, email in rows:
            found.setdefault(account_id, []).append(email)
        return found


def members_by_email(database: Database) -> dict[str | None, Member]:
    with database.sessions() as session:
        return {m.email: m for m in session.scalars(select(Member))}


@pytest.fixture
def directory(database: Database, clock: FakeClock) -> DirectoryImport:
    return DirectoryImport(database, clock)


# -- the import -------------------------------------------------------------------------------


def test_import_creates_accounts_members_memberships_and_one_audit_record(
    directory: DirectoryImport, database: Database, clock: FakeClock
) -> None:
    report = directory.run(csv(SHOES, HATS), Workspace(ANA, DANA, RAJ), source="accounts.csv")

    assert report.ok and report.changed
    assert (report.accounts.created, report.members.created, report.memberships_added) == (2, 3, 3)
    assert report.unmatched_emails == ()
    assert account_members(database) == {
        "7012345": ["ana@example.com", "raj@example.com"],
        "7012346": ["ana@example.com"],
    }
    members = members_by_email(database)
    ana = members["ana@example.com"]
    assert (ana.slack_user_id, ana.team_id, ana.display_name, ana.time_zone) == (
        "U0ANA",
        "T0STANDIN",
        "Ana",
        "Europe/Berlin",
    )
    assert ana.profile_refreshed_at == clock.now()
    with database.sessions() as session:
        shoes = session.scalars(
            select(BusinessAccount).where(BusinessAccount.name == "Acme Shoes Ads")
        ).one()
    assert shoes.managed is True
    assert shoes.account_manager_id == members["dana@example.com"].id
    [record] = audit_records(database)
    assert (record.actor, record.action, record.target) == (
        "system",
        "directory.imported",
        "accounts.csv",
    )
    assert record.details["accounts_created"] == 2
    assert record.details["memberships_added"] == 3


def test_an_email_without_a_slack_user_is_reported_and_kept(
    directory: DirectoryImport, database: Database
) -> None:
    report = directory.run(csv(SHOES), Workspace(ANA, DANA), source="accounts.csv")

    assert report.ok
    assert report.unmatched_emails == ("raj@example.com",)
    assert any("no Slack user with this email" in line for line in report.lines())
    assert "  raj@example.com" in report.lines()
    raj = members_by_email(database)["raj@example.com"]
    assert raj.slack_user_id is None
    assert account_members(database)["7012345"] == ["ana@example.com", "raj@example.com"]


def test_a_file_with_bad_rows_writes_nothing_and_reports_every_bad_line(
    directory: DirectoryImport, database: Database, member: MemberFactory, account: AccountFactory
) -> None:
    ana = member("U0ANA", email="ana@example.com")
    account("Old Ads", members=[ana], platform_account_id="7012345")
    before = table_counts(database)
    workspace = Workspace(ANA, DANA, RAJ)
    text = csv(SHOES, "7000002,Bad Ads,tiktok_business,sometimes,,", HATS, "7000003,,x,false,,")

    report = directory.run(text, workspace, source="accounts.csv", actor="U0ADMIN")

    assert not report.ok
    assert [error.line for error in report.errors] == [3, 5]
    assert report.lines()[-1] == "accounts.csv: nothing was imported (2 bad lines)"
    assert report.lines()[0].startswith("line 3: managed must be true or false")
    assert table_counts(database) == before
    assert account_members(database) == {"7012345": ["ana@example.com"]}
    assert workspace.reads == 0  # no point asking Slack about a file that will not be imported


def test_importing_the_same_file_twice_changes_nothing(
    directory: DirectoryImport, database: Database, clock: FakeClock
) -> None:
    workspace = Workspace(ANA, DANA)
    directory.run(csv(SHOES, HATS), workspace, source="accounts.csv")
    before = table_counts(database)
    members_before = {e: m.profile_refreshed_at for e, m in members_by_email(database).items()}
    clock.advance(timedelta(hours=1))

    report = directory.run(csv(SHOES, HATS), workspace, source="accounts.csv")

    assert not report.changed
    assert report.accounts.unchanged == 2
    assert report.members.unchanged == 3
    assert report.memberships_unchanged == 3
    assert report.unmatched_emails == ("raj@example.com",)  # still reported
    assert report.lines()[0] == "accounts.csv: nothing changed"
    assert table_counts(database) == before
    assert len(audit_records(database)) == 1
    assert {
        e: m.profile_refreshed_at for e, m in members_by_email(database).items()
    } == members_before


def test_a_member_no_longer_listed_loses_the_membership_and_other_accounts_are_left_alone(
    directory: DirectoryImport, database: Database, member: MemberFactory, account: AccountFactory
) -> None:
    zoe = member("U0ZOE", email="zoe@example.com")
    account("Unlisted Ads", members=[zoe], platform_account_id="9000001")
    workspace = Workspace(ANA, DANA, RAJ)
    directory.run(csv(SHOES, HATS), workspace, source="accounts.csv")

    report = directory.run(
        csv(SHOES.replace(";raj@example.com", ";zoe@example.com"), HATS), workspace, source="v2.csv"
    )

    assert (report.memberships_added, report.memberships_removed) == (1, 1)
    assert account_members(database) == {
        "7012345": ["ana@example.com", "zoe@example.com"],
        "7012346": ["ana@example.com"],
        "9000001": ["zoe@example.com"],
    }
    assert "raj@example.com" in members_by_email(database)  # the member stays, only the link goes
    assert audit_records(database)[-1].details["memberships_removed"] == 1


def test_a_changed_name_manager_or_managed_flag_updates_the_account(
    directory: DirectoryImport, database: Database
) -> None:
    workspace = Workspace(ANA, DANA, RAJ)
    directory.run(csv(SHOES, HATS), workspace, source="accounts.csv")

    changed = SHOES.replace("Acme Shoes Ads", "Acme Shoes").replace("dana@", "raj@")
    report = directory.run(
        csv(changed, HATS.replace(",false,", ",true,dana@example.com")), workspace, source="v2.csv"
    )

    assert (report.accounts.created, report.accounts.updated) == (0, 2)
    members = members_by_email(database)
    with database.sessions() as session:
        accounts = {a.platform_account_id: a for a in session.scalars(select(BusinessAccount))}
    assert accounts["7012345"].name == "Acme Shoes"
    assert accounts["7012345"].account_manager_id == members["raj@example.com"].id
    assert accounts["7012346"].managed is True
    assert accounts["7012346"].account_manager_id == members["dana@example.com"].id


def test_each_change_of_manager_is_recorded_on_the_account_with_old_and_new(
    directory: DirectoryImport, database: Database
) -> None:
    workspace = Workspace(ANA, DANA, RAJ)
    directory.run(csv(SHOES, HATS), workspace, source="accounts.csv")
    assert [r.action for r in audit_records(database)] == ["directory.imported"]  # new: no change

    to_raj = SHOES.replace("dana@", "raj@")
    directory.run(
        csv(to_raj, HATS.replace(",false,", ",true,dana@example.com")), workspace, source="v2.csv"
    )
    directory.run(
        csv(to_raj, HATS.replace(",false,", ",true,dana@example.com")), workspace, source="v2.csv"
    )

    changes = [r for r in audit_records(database) if r.action == "directory.manager_changed"]
    with database.sessions() as session:
        ids = {a.platform_account_id: a.id for a in session.scalars(select(BusinessAccount))}
    assert [(r.target, r.actor) for r in changes] == [
        (f"business_account:{ids['7012345']}", "system"),
        (f"business_account:{ids['7012346']}", "system"),
    ]  # the same file again changes nothing, and records nothing
    shoes, hats = (record.details for record in changes)
    assert (shoes["old_slack_id"], shoes["new_slack_id"]) == ("U0DANA", "U0RAJ")
    assert (shoes["old_email"], shoes["new_email"]) == ("dana@example.com", "raj@example.com")
    assert (shoes["old_name"], shoes["account"]) == ("Dana", "7012345")
    assert (hats["old_slack_id"], hats["new_slack_id"]) == (None, "U0DANA")


def test_an_imported_member_is_linked_when_slack_later_knows_them(
    directory: DirectoryImport, database: Database, clock: FakeClock
) -> None:
    directory.run(csv(SHOES), Workspace(ANA, DANA), source="accounts.csv")
    clock.advance(timedelta(days=1))

    report = directory.run(csv(SHOES), Workspace(ANA, DANA, RAJ), source="accounts.csv")

    assert (report.members.updated, report.members.unchanged) == (1, 2)
    raj = members_by_email(database)["raj@example.com"]
    assert raj.slack_user_id == "U0RAJ"
    assert raj.profile_refreshed_at == clock.now()


def test_emails_already_on_record_match_whatever_their_case(
    directory: DirectoryImport, database: Database, member: MemberFactory
) -> None:
    member(None, email="Ana@Example.com")

    report = directory.run(csv(SHOES), Workspace(ANA, DANA, RAJ), source="accounts.csv")

    assert (report.members.created, report.members.updated) == (2, 1)
    assert len(members_by_email(database)) == 3


def test_a_slack_user_already_linked_to_another_member_is_not_taken(
    directory: DirectoryImport, database: Database, member: MemberFactory
) -> None:
    member("U0ANA", email="ana.old@example.com")

    report = directory.run(csv(SHOES), Workspace(ANA, DANA, RAJ), source="accounts.csv")

    members = members_by_email(database)
    assert members["ana.old@example.com"].slack_user_id == "U0ANA"
    assert members["ana@example.com"].slack_user_id is None
    assert report.conflicting_emails == ("ana@example.com",)
    assert "  ana@example.com" in report.lines()


def test_a_member_who_met_the_bot_before_the_import_gets_their_email(
    directory: DirectoryImport, database: Database, member: MemberFactory
) -> None:
    first_contact = member("U0ANA")
    with database.sessions.begin() as session:
        session.get_one(Member, first_contact.id).email = None

    report = directory.run(csv(SHOES), Workspace(ANA, DANA, RAJ), source="accounts.csv")

    assert (report.members.created, report.members.updated) == (2, 1)
    members = members_by_email(database)
    assert members["ana@example.com"].id == first_contact.id
    assert None not in members


def test_the_operator_is_the_audit_actor(directory: DirectoryImport, database: Database) -> None:
    directory.run(csv(SHOES), Workspace(), source="accounts.csv", actor="U0ADMIN")

    assert [r.actor for r in audit_records(database)] == ["U0ADMIN"]


def test_a_large_file_imports_quickly_without_a_query_per_row(
    directory: DirectoryImport, database: Database
) -> None:
    rows = [
        f"{8_000_000 + i},Client {i},tiktok_business,true,am{i % 40}@example.com,"
        f"m{i}@example.com;m{i + 1}@example.com"
        for i in range(5_000)
    ]
    workspace = Workspace(
        *(slack_user(f"U{i:06d}", f"m{i}@example.com") for i in range(0, 5_001, 2))
    )
    with executed_statements(database.engine) as statements:
        started = time.perf_counter()
        report = directory.run(csv(*rows), workspace, source="big.csv")
        elapsed = time.perf_counter() - started
    selects = [s for s in statements if s.upper().startswith("SELECT")]

    assert report.ok
    assert (report.accounts.created, report.members.created) == (5_000, 5_041)
    assert report.memberships_added == 10_000
    assert len(selects) <= 40  # chunks of 500, never one per row
    assert elapsed < 20, f"took {elapsed:.1f}s"
    again = directory.run(csv(*rows), workspace, source="big.csv")
    assert not again.changed


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("rows", "tty", "shown"), [(500, True, True), (499, True, False), (500, False, False)]
)
def test_a_progress_bar_shows_only_for_long_files_on_a_terminal(
    directory: DirectoryImport, monkeypatch: pytest.MonkeyPatch, rows: int, tty: bool, shown: bool
) -> None:
    stderr = Terminal() if tty else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    text = csv(*(f"{i},Client {i},tiktok_business,false,," for i in range(rows)))

    directory.run(text, Workspace(), source="accounts.csv", progress=True)

    assert ("row" in stderr.getvalue()) is shown
