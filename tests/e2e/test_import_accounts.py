"""`app.py import accounts FILE` as an operator runs it: all or nothing, and repeatable."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from sandbox.slack_standin import SlackStandIn
from storage.database import Database
from storage.models import BusinessAccount, Member
from tests.conftest import MemberFactory
from tests.e2e.conftest import environment_for, row_counts, run_app

pytestmark = pytest.mark.e2e

HEADER = "account_id,account_name,platform,managed,account_manager_email,member_emails\n"
GOOD_ROWS = (
    "7012345,Acme Shoes Ads,tiktok_business,true,dana@example.com,ana@example.com;raj@example.com\n"
    "7012346,Bolt Bikes Ads,tiktok_business,false,,ana@example.com\n"
)


@pytest.fixture
def workspace(standin: SlackStandIn) -> SlackStandIn:
    standin.add_user("U0ANA", email="ana@example.com", real_name="Ana")
    standin.add_user("U0RAJ", email="raj@example.com", real_name="Raj")
    standin.add_user("U0DANA", email="dana@example.com", real_name="Dana")
    return standin


def test_a_file_with_bad_rows_writes_nothing_and_names_every_bad_line(
    tmp_path: Path,
    workspace: SlackStandIn,
    database_url: str,
    database: Database,
    member: MemberFactory,
) -> None:
    member("U0EXISTING")
    directory = tmp_path / "directory.csv"
    directory.write_text(
        HEADER
        + GOOD_ROWS
        + "7012347,Cafe Ads,tiktok_business,maybe,,ana@example.com\n"  # line 4
        + "7012348,Deli Ads,tiktok_business,false,,not-an-email\n"  # line 5
        + "7012349,Eggs Ads,tiktok_business,false,,raj@example.com\n",
        encoding="utf-8",
    )
    before = row_counts(database)

    finished = run_app(
        "import", "accounts", str(directory), env=environment_for(workspace, database_url)
    )

    assert finished.returncode != 0, finished.stdout + finished.stderr
    assert "Traceback" not in finished.stderr
    report = finished.stdout + finished.stderr
    assert "line 4" in report
    assert "line 5" in report
    assert "line 2" not in report and "line 3" not in report and "line 6" not in report
    assert row_counts(database) == before


def test_a_good_file_imports_once_and_again_changes_nothing(
    tmp_path: Path, workspace: SlackStandIn, database_url: str, database: Database
) -> None:
    directory = tmp_path / "directory.csv"
    directory.write_text(HEADER + GOOD_ROWS, encoding="utf-8")
    env = environment_for(workspace, database_url)

    first = run_app("import", "accounts", str(directory), env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    after_first = row_counts(database)
    with database.sessions() as session:
        accounts = session.scalars(select(BusinessAccount.name).order_by(BusinessAccount.name))
        assert list(accounts) == ["Acme Shoes Ads", "Bolt Bikes Ads"]
        linked = session.execute(select(Member.email, Member.slack_user_id)).all()
        assert sorted(tuple(row) for row in linked) == [
            ("ana@example.com", "U0ANA"),
            ("dana@example.com", "U0DANA"),
            ("raj@example.com", "U0RAJ"),
        ]

    second = run_app("import", "accounts", str(directory), env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "nothing changed" in second.stdout
    assert row_counts(database) == after_first  # not even an audit record
