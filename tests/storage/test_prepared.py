"""The hot path's prepared reads against SQLAlchemy's own execution, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import bindparam, select, text

from bot.checklist.model import Check
from bot.core.clock import FakeClock
from storage import members as member_store
from storage.database import Database, connect
from storage.models import CheckResult, Member
from storage.prepared import PreparedRead, PreparedReads
from storage.tracing import driver_statements, queries
from tests.conftest import WORKSPACE, AccountFactory, MemberFactory


def test_status_rows_equal_what_sqlalchemy_reads(
    database: Database, member: MemberFactory, account: AccountFactory, clock: FakeClock
) -> None:
    """Datetimes come back aware in UTC, JSON as dicts, flags as booleans, as the ORM gives them."""
    ana = member("U0ANA", name="Ana <Admin>")
    manager = member("U0MGR")
    account("Acme Shoes Ads", members=[ana], manager=manager, managed=True)
    account("Acme Hats Ads", members=[ana])
    with database.sessions.begin() as session:
        member_store.save_check_result(
            session,
            member_id=ana.id,
            check=Check.AUTHENTICATOR.value,
            business_account_id=None,
            state="passing",
            source="bot",
            observed_at=clock.now() - timedelta(hours=3),
            detail={"method": "totp", "codes_left": 10},
        )

    rows = member_store.status_rows(database.reads, "U0ANA")

    assert rows is not None
    with database.engine.connect() as connection:
        read = connection.execute(
            member_store._STATUS, {"workspace_id": WORKSPACE, "slack_user_id": "U0ANA"}
        ).all()
    accounts = [tuple(row)[6:12] for row in read if row.kind == 0]  # after the member's columns
    results = [tuple(row)[12:] for row in read if row.kind == 1]
    assert (rows.member_id, rows.display_name) == (ana.id, "Ana <Admin>")
    assert rows.profile_refreshed_at == clock.now()
    assert rows.profile_refreshed_at.tzinfo is not None
    assert list(rows.accounts) == accounts
    assert [account[4] for account in rows.accounts] == [False, True]  # booleans, not 0/1
    assert list(rows.check_results) == results
    assert rows.check_results[0][5] == {"method": "totp", "codes_left": 10}
    assert rows.check_results[0][4] == clock.now() - timedelta(hours=3)


def test_unknown_member_has_no_rows(database: Database) -> None:
    assert member_store.status_rows(database.reads, "U0NOBODY") is None


def test_a_member_without_accounts_has_a_row_and_no_accounts(
    database: Database, member: MemberFactory
) -> None:
    ana = member("U0ANA")

    rows = member_store.status_rows(database.reads, "U0ANA")

    assert rows is not None
    assert (rows.member_id, rows.accounts, rows.check_results) == (ana.id, [], [])


def test_a_status_is_one_statement_the_driver_runs(
    database: Database, member: MemberFactory, account: AccountFactory
) -> None:
    ana = member("U0ANA")
    account("Acme Shoes Ads", members=[ana])
    member_store.status_rows(database.reads, "U0ANA")  # the pool's first connection

    with driver_statements(database.reads) as statements:
        member_store.status_rows(database.reads, "U0ANA")

    ran = queries(statements)
    assert len(ran) == 1, statements
    assert "FROM members" in ran[0] and "UNION ALL" in ran[0] and "FROM check_results" in ran[0]


def test_prepared_read_refuses_parameters_it_would_not_convert(database: Database) -> None:
    statement = select(Member.id).where(Member.created_at > bindparam("since"))
    prepared = PreparedRead(statement, database.engine.dialect)

    with pytest.raises(TypeError, match="since"):
        prepared.parameters({"since": b"2026-11-24"})  # type: ignore[dict-item]


def test_each_dialect_gets_its_own_compiled_sql(database: Database) -> None:
    reads = PreparedReads(select(CheckResult.id).where(CheckResult.member_id == bindparam("m")))

    prepared = reads.for_engine(database.engine)

    assert reads.for_engine(database.engine) is prepared
    placeholder = "?" if database.engine.dialect.name == "sqlite" else "%(m)s"
    assert placeholder in prepared.sql


def test_a_read_connection_the_server_dropped_is_replaced(postgres_schema_url: str) -> None:
    """The read engine does not ping on checkout: a pooled connection PostgreSQL has ended (a
    restart, a failover, an idle timeout) must cost one retry, not an error for the member."""
    database = connect(postgres_schema_url, pool_size=1)
    try:
        assert member_store.status_rows(database.reads, "U0NOBODY") is None  # pools a connection
        pooled = database.reads.raw_connection()
        backend = pooled.driver_connection.info.backend_pid  # type: ignore[union-attr]
        assert pooled.driver_connection.autocommit  # type: ignore[union-attr]
        pooled.close()
        with database.engine.begin() as connection:
            ended = connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
            assert ended.scalar() is True

        assert member_store.status_rows(database.reads, "U0NOBODY") is None

        fresh = database.reads.raw_connection()
        assert fresh.driver_connection.info.backend_pid != backend  # type: ignore[union-attr]
        fresh.close()
    finally:
        database.dispose()
