"""The leader's advisory lock across a cut connection: taken again at once when nobody else took
it meanwhile (a blip costs no leadership), lost when another process did."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from storage.database import Database
from storage.leases import AdvisoryLock, has_advisory_locks
from tests.conftest import BACKENDS

pytestmark = [
    pytest.mark.skipif("postgresql" not in BACKENDS, reason="advisory locks are PostgreSQL's"),
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]
NAME = "scheduled-jobs"


@pytest.fixture
def locks(database: Database) -> Iterator[tuple[AdvisoryLock, AdvisoryLock]]:
    assert has_advisory_locks(database.engine)
    first, second = AdvisoryLock(database.engine, NAME), AdvisoryLock(database.engine, NAME)
    yield first, second
    first.dispose()
    second.dispose()


def cut_the_holders_connection(database: Database) -> None:
    """pg_terminate_backend on the session holding the lock, waiting until it has exited: the
    server lets go of the lock then."""
    with database.engine.connect() as connection:
        ended = connection.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_locks "
                "WHERE locktype = 'advisory' AND granted "
                "AND ((classid::bigint << 32) | objid::bigint) "
                "= hashtextextended(:name || ':' || current_schema(), 0)"
            ),
            {"name": NAME},
        )
    assert ended == 1


def test_a_cut_connection_is_replaced_and_the_lock_kept(
    locks: tuple[AdvisoryLock, AdvisoryLock], database: Database
) -> None:
    first, second = locks
    assert first.hold() and not second.hold()
    cut_the_holders_connection(database)

    assert first.hold()  # no gap: the next check takes it again on a new connection
    assert not second.hold()


def test_a_lock_taken_by_another_during_the_cut_is_lost(
    locks: tuple[AdvisoryLock, AdvisoryLock], database: Database
) -> None:
    first, second = locks
    assert first.hold()
    cut_the_holders_connection(database)
    assert second.hold()

    assert not first.hold()
    assert not first.held and second.hold()
