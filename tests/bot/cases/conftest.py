"""Case fixtures: the case channels, a managed and an unmanaged business account with their
people, and a member who steps up with their authenticator."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from bot.cases.model import CaseChange, ChargesSeen
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.services import Services
from storage.database import Database
from storage.models import AuditRecord, BusinessAccount
from tests.conftest import ADMIN, AccountFactory, MemberFactory

ESCALATION, SUPPORT = "C0ESCALATE", "C0SUPPORT"
ANA, RAJ, DANA, EVE, OLGA = "U0ANA", "U0RAJ", "U0DANA", "U0EVE", "U0OLGA"
HOSTILE = "Hacked <!channel> <@U123> *bold* & <https://evil.example|click> >quote"


@dataclass(frozen=True)
class World:
    acme: BusinessAccount  # managed by Dana; Ana and Raj work on it
    shop: BusinessAccount  # not managed; Olga works on it


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, escalation_channel=ESCALATION, support_channel=SUPPORT)


@pytest.fixture
def world(member: MemberFactory, account: AccountFactory) -> World:
    ana, raj = member(ANA, name="Ana"), member(RAJ, name="Raj")
    dana, olga = member(DANA, name="Dana"), member(OLGA, name="Olga")
    member(EVE, name="Eve")
    member(ADMIN, name="Sam")
    acme = account(
        "Acme <Shoes> Ads", members=[ana, raj], manager=dana, platform_account_id="7012345"
    )
    shop = account("Olga's Shop", members=[olga], managed=False, platform_account_id="7099999")
    return World(acme, shop)


StepUp = Callable[[str], None]


@pytest.fixture
def step_up(services: Services, clock: FakeClock) -> StepUp:
    """step_up("U0ADMIN"): the member links an authenticator (once) and enters a fresh code."""
    secrets: dict[str, str] = {}

    def enter_code(user: str) -> None:
        if user not in secrets:
            secrets[user] = services.authenticator.begin(user).secret
            services.authenticator.confirm(user, pyotp.TOTP(secrets[user]).at(clock.now()))
        clock.advance(timedelta(seconds=30))  # a new time step: the last code can't be replayed
        services.authenticator.verify(user, pyotp.TOTP(secrets[user]).at(clock.now()))

    return enter_code


def reported(
    services: Services, world: World, who: str = ANA, said: str = "Logins I don't know"
) -> CaseChange:
    return services.cases.report(who, world.acme.id, said, ChargesSeen.YES)


def audit_trail(database: Database, target: str | None = None) -> list[tuple[str, str]]:
    """(actor, action) of every audit record, oldest first, optionally for one target."""
    with database.sessions() as session:
        statement = select(AuditRecord).order_by(AuditRecord.id)
        if target is not None:
            statement = statement.where(AuditRecord.target == target)
        return [(r.actor, r.action) for r in session.scalars(statement)]
