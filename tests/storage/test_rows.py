"""Rows cross from storage to the domain by name: each stream's statement labels its columns as
its row type names its fields, so a column added, dropped or moved on one side only fails loudly
instead of filling the wrong field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.checklist.model import Check
from bot.core.clock import FakeClock
from storage import members as member_store
from storage import sweep_reads as store
from storage.database import Database
from storage.models import Member
from tests.conftest import AccountFactory, MemberFactory


def test_the_sweep_streams_named_rows(
    database: Database, member: MemberFactory, account: AccountFactory, clock: FakeClock
) -> None:
    ana, dana = member("U0ANA", name="Ana"), member("U0DANA")
    shoes = account("Acme Shoes Ads", members=[ana], manager=dana, platform_account_id="7012345")
    with database.sessions.begin() as session:
        member_store.save_check_result(
            session,
            member_id=ana.id,
            check=Check.RECOVERY_PHONE.value,
            business_account_id=None,
            state="passing",
            source="self",
            observed_at=clock.now() - timedelta(hours=1),
            detail={"method": "sms"},
        )

    with database.sessions() as session:
        members = list(store.stream_members(session, [ana.id]))
        accounts = list(store.stream_accounts(session, [ana.id]))
        evidence = list(store.stream_evidence(session, [ana.id]))

    assert members == [
        store.MemberRow(ana.id, "U0ANA", "Ana", "Europe/Berlin", clock.now(), None, None)
    ]
    assert accounts == [
        store.AccountRow(
            member_id=ana.id,
            account_id=shoes.id,
            platform_account_id="7012345",
            name="Acme Shoes Ads",
            platform="tiktok_business",
            managed=True,
            manager_slack_id="U0DANA",
        )
    ]
    [fact] = evidence
    assert (fact.member_id, fact.check, fact.state, fact.source) == (
        ana.id,
        Check.RECOVERY_PHONE.value,
        "passing",
        "self",
    )
    assert fact.observed_at == clock.now() - timedelta(hours=1)


def test_a_stream_whose_columns_do_not_match_its_row_fails(database: Database) -> None:
    swapped = select(Member.slack_user_id, Member.id.label("member_id"))

    with database.sessions() as session, pytest.raises(TypeError, match="RoundRow"):
        store._stream(session, swapped, store.RoundRow)


def test_the_status_rows_are_named_as_the_statement_labels_its_columns() -> None:
    accounts = tuple(member_store._MEMBER_AND_ACCOUNTS.selected_columns.keys())
    results = tuple(member_store._CHECK_RESULTS_OF_MEMBER.selected_columns.keys())

    assert accounts[member_store._ACCOUNTS] == member_store.StatusAccount._fields
    assert results[member_store._RESULTS] == member_store.StatusResult._fields
