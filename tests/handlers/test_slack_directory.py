"""`import accounts FILE` against the Slack stand-in over real HTTP, and a real database."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

import wiring
from bot.core.config import Settings
from bot.directory.service import SlackUser
from cli.directory_import import run_import
from handlers.outbound.slack_directory import SlackWorkspaceUsers
from sandbox.slack_standin import SlackStandIn
from storage.database import Database
from storage.models import AuditRecord, BusinessAccount, Member, Membership
from storage.schema import Base

HEADER = "account_id,account_name,platform,managed,account_manager_email,member_emails"
SHOES = (
    "7012345,Acme Shoes Ads,tiktok_business,true,dana@example.com,ana@example.com;raj@example.com"
)


@pytest.fixture
def workspace(standin: SlackStandIn) -> SlackWorkspaceUsers:
    settings = Settings(slack_bot_token=standin.bot_token, slack_api_url=standin.base_url)
    return SlackWorkspaceUsers(wiring.build_client(settings))


def people(standin: SlackStandIn, count: int) -> None:
    for i in range(count):
        standin.add_user(f"U{i:05d}", email=f"person{i}@example.com", real_name=f"Person {i}")


def table_counts(database: Database) -> dict[str, int]:
    with database.sessions() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def write(tmp_path: Path, *rows: str, name: str = "accounts.csv", bom: bool = False) -> str:
    path = tmp_path / name
    text = "\n".join([HEADER, *rows]) + "\n"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
    return str(path)


def test_users_come_from_users_list_a_page_of_200_at_a_time(
    standin: SlackStandIn, workspace: SlackWorkspaceUsers
) -> None:
    people(standin, 450)  # with the bot user: 451 users, three pages

    users = list(workspace.all_users())

    assert len(users) == 450
    assert users[0] == SlackUser(
        "U00000", "T0STANDIN", "person0@example.com", "Person 0", "Europe/Berlin"
    )
    calls = standin.calls("users.list")
    assert len(calls) == 3
    assert all(call.args["limit"] == "200" for call in calls)
    assert "cursor" not in calls[0].args and calls[1].args["cursor"]
    assert standin.calls("users.lookupByEmail") == []


def test_deleted_users_bots_and_users_without_email_never_match(
    standin: SlackStandIn, workspace: SlackWorkspaceUsers
) -> None:
    standin.add_user("U0ANA", email="Ana@Example.com", real_name="Ana Silva", display_name="ana")
    standin.add_user("U0RAJ", email="raj@example.com", real_name="Raj Patel")
    standin.add_user("U0GONE", email="gone@example.com", real_name="Gone", deleted=True)
    standin.add_user("U0HOOK", email="hook@example.com", real_name="Deploy Bot", is_bot=True)
    standin.add_user("U0GUEST", email=None, real_name="No Email")

    users = {user.id: user for user in workspace.all_users()}

    assert sorted(users) == ["U0ANA", "U0RAJ"]
    assert users["U0ANA"].email == "ana@example.com"
    assert users["U0ANA"].display_name == "ana"
    assert users["U0RAJ"].display_name == "Raj Patel"  # no display name: the real name


def test_a_rate_limited_page_is_waited_out(
    standin: SlackStandIn, workspace: SlackWorkspaceUsers
) -> None:
    people(standin, 250)
    standin.fail_next("users.list", status=429, retry_after=1)

    started = time.monotonic()
    users = list(workspace.all_users())

    assert len(users) == 250
    assert time.monotonic() - started >= 1
    assert [call.ok for call in standin.calls("users.list")] == [False, True, True]


def test_run_import_imports_the_file_and_reports(
    settings: Settings,
    standin: SlackStandIn,
    database: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    standin.add_user("U0ANA", email="ana@example.com", real_name="Ana Silva")
    standin.add_user("U0DANA", email="dana@example.com", real_name="Dana Kim")
    path = write(tmp_path, SHOES, bom=True)

    assert run_import(settings, path) == 0

    out = capsys.readouterr().out
    assert "accounts.csv: imported" in out
    assert "business accounts: 1 created, 0 updated, 0 unchanged" in out
    assert "no Slack user with this email" in out
    assert "  raj@example.com" in out
    with database.sessions() as session:
        members = {m.email: m.slack_user_id for m in session.scalars(select(Member))}
        account = session.scalars(select(BusinessAccount)).one()
        memberships = session.scalar(select(func.count()).select_from(Membership))
        [record] = session.scalars(select(AuditRecord)).all()
    assert members == {
        "ana@example.com": "U0ANA",
        "dana@example.com": "U0DANA",
        "raj@example.com": None,
    }
    assert account.name == "Acme Shoes Ads"
    assert memberships == 2
    assert (record.actor, record.action, record.target) == (
        "system",
        "directory.imported",
        "accounts.csv",
    )
    assert standin.calls("users.lookupByEmail") == []

    assert run_import(settings, path) == 0
    assert "accounts.csv: nothing changed" in capsys.readouterr().out


def test_run_import_of_a_bad_file_reports_every_line_and_exits_1(
    settings: Settings,
    standin: SlackStandIn,
    database: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write(
        tmp_path,
        SHOES,
        "7000001,Bad,tiktok_business,yes,,",
        "7000002,Worse,tiktok_business,true,,ana@example.com",
    )
    before = table_counts(database)

    assert run_import(settings, path) == 1

    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("line 3: managed must be true or false")
    assert out[1] == "line 4: a managed account needs an account_manager_email"
    assert "nothing was imported" in out[-1]
    assert table_counts(database) == before
    assert standin.calls("users.list") == []


@pytest.mark.parametrize("problem", ["missing", "not utf-8", "a directory"])
def test_run_import_of_a_file_that_cannot_be_read_exits_2(
    settings: Settings,
    database: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    problem: str,
) -> None:
    path = tmp_path / "accounts.csv"
    if problem == "not utf-8":
        path.write_bytes(
            f"{HEADER}\n7012345,Caf\xe9 Ads,tiktok_business,false,,\n".encode("latin-1")
        )
    elif problem == "a directory":
        path.mkdir()
    before = table_counts(database)

    assert run_import(settings, str(path)) == 2

    captured = capsys.readouterr()
    assert "accounts.csv" in captured.err
    assert "nothing was imported" in captured.err
    assert captured.out == ""
    assert table_counts(database) == before
