"""The account manager's Home tab at size: 500 business accounts of 5 members each (bulk
inserted, bench/desk_data.py), read in at most 3 SQL statements, counted at the database driver,
whatever the number of accounts; and it stays within Slack's 100 blocks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from bench import desk_data
from bot.core.clock import FakeClock
from bot.services import Services
from handlers.slack.surfaces import home_tab
from storage.database import Database
from storage.tracing import driver_statements, queries
from tests.conftest import WORKSPACE
from tests.handlers.conftest import text_of


@contextmanager
def counting(database: Database) -> Iterator[list[str]]:
    """Every statement on either of the database's engines (one on SQLite)."""
    engines = {id(engine): engine for engine in (database.engine, database.reads)}
    seen: list[str] = []
    with ExitStack() as stack:
        counted = [stack.enter_context(driver_statements(e)) for e in engines.values()]
        yield seen
        seen.extend(statement for each in counted for statement in queries(each))


def _home(services: Services, database: Database, manager: str) -> tuple[dict[str, Any], list[str]]:
    with counting(database) as seen:
        view = home_tab(manager, services)
    return view, seen


def test_500_accounts_of_5_members_read_in_3_statements_whatever_the_number(
    services: Services, database: Database, clock: FakeClock
) -> None:
    desk_data.build(database.engine, WORKSPACE, clock.now())
    home_tab(desk_data.OTHER_MANAGER, services)  # warm: pools, the workspace's settings

    view, seen = _home(services, database, desk_data.MANAGER)
    assert len(seen) <= 3, seen
    smaller, seen_smaller = _home(services, database, desk_data.OTHER_MANAGER)  # 100 accounts
    assert len(seen_smaller) == len(seen)

    blocks = view["blocks"]
    assert len(blocks) <= 100 and len(smaller["blocks"]) <= 100
    shown = text_of(blocks)
    assert "Accounts 1-" in shown and "of 500, riskiest first" in shown
    assert "Accounts 1-" in text_of(smaller["blocks"]) and "of 100" in text_of(smaller["blocks"])
