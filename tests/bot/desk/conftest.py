"""The desk's little world: Dana manages Acme Shoes Ads (Ana and Raj work on it) and Northwind
Travel Ads (Ana); she works on neither. Eve works on Bolt Ads, which Dana does not manage; Sam
(ADMIN) is a security admin. Evidence is put on record as the services put it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from bot.checklist.model import Check, Source, State
from bot.core.clock import FakeClock
from bot.services import Services
from storage import members as member_store
from storage.database import Database
from storage.models import AuditRecord, BusinessAccount, Member
from tests.conftest import AccountFactory, MemberFactory


@dataclass(frozen=True)
class World:
    dana: Member
    ana: Member
    raj: Member
    eve: Member
    acme: BusinessAccount
    northwind: BusinessAccount
    bolt: BusinessAccount


@pytest.fixture
def world(member: MemberFactory, account: AccountFactory) -> World:
    return build_world(member, account)


def build_world(member: MemberFactory, account: AccountFactory) -> World:
    dana, ana = member("U0DANA", name="Dana"), member("U0ANA", name="Ana")
    raj, eve = member("U0RAJ", name="Raj"), member("U0EVE", name="Eve")
    member("U0ADMIN", name="Sam")
    acme = account(
        "Acme Shoes Ads", members=[ana, raj], manager=dana, platform_account_id="7012345"
    )
    northwind = account(
        "Northwind Travel Ads", members=[ana], manager=dana, platform_account_id="7023456"
    )
    bolt = account("Bolt Ads", members=[eve], platform_account_id="7034567")
    return World(dana, ana, raj, eve, acme, northwind, bolt)


Say = Callable[..., None]


@pytest.fixture
def say(database: Database, clock: FakeClock) -> Say:
    """say(ana, Check.TWO_STEP, State.PASSING, account=acme, source=Source.PLATFORM)."""

    def save(
        person: Member,
        check: Check,
        state: State,
        *,
        account: BusinessAccount | None = None,
        source: Source = Source.BOT,
    ) -> None:
        with database.sessions.begin() as session:
            member_store.save_check_result(
                session,
                member_id=person.id,
                check=check,
                business_account_id=None if account is None else account.id,
                source=source,
                state=state,
                observed_at=clock.now(),
                detail={},
            )

    return save


def audited(services: Services, prefix: str) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(actor, action, target, details) of the audit records whose action starts with `prefix`."""
    with services.database.sessions() as session:
        rows = session.execute(
            select(AuditRecord.actor, AuditRecord.action, AuditRecord.target, AuditRecord.details)
            .where(AuditRecord.action.startswith(prefix))
            .order_by(AuditRecord.id)
        )
        return [(actor, action, target, dict(details)) for actor, action, target, details in rows]
