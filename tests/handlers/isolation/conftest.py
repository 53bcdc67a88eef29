"""The two workspaces of the isolation tests, the app that serves them, and the check that a
workspace was left untouched."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pyotp
import pytest

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.logs import CarryingPool
from bot.services import Services
from sandbox.slack_standin import SlackStandIn
from storage.database import Database
from storage.scope import serving
from tests.conftest import ADMIN, WORKSPACE
from tests.handlers.conftest import Slack
from tests.handlers.isolation.world import People, Seeded, changed, rows_of, seed
from wiring import build_client, create_app

A, B = WORKSPACE, "T0BRAVO"
A_PEOPLE = People(admin=ADMIN, member="U0ANA", manager="U0ADANA")
B_PEOPLE = People(admin="U0BSAM", member="U0BEN", manager="U0BDANA")
API_SECRET = "isolation-api-secret"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings,
        security_admins=frozenset({ADMIN, B_PEOPLE.admin}),
        escalation_channel="C0ESCALATE",
        support_channel="C0SUPPORT",
        alerts_signing_secret=API_SECRET,
    )


@pytest.fixture
def worlds(
    services: Services, database: Database, clock: FakeClock, standin: SlackStandIn
) -> tuple[Seeded, Seeded]:
    """B first, so none of B's ids is also one of A's."""
    b = seed(services, database, clock, standin, B, B_PEOPLE, "7200001")
    a = seed(services, database, clock, standin, A, A_PEOPLE, "7100001")
    clock.advance(timedelta(minutes=1))
    with serving(A):  # A's admin has just entered a code: every step-up of theirs goes ahead
        services.authenticator.verify(ADMIN, pyotp.TOTP(a.authenticator_secret).at(clock.now()))
    return a, b


@pytest.fixture
def pool() -> Iterator[CarryingPool]:
    """The app's lazy listeners run here: a test waits for all of them before comparing."""
    executor = CarryingPool(max_workers=2)
    yield executor
    executor.shutdown(wait=True)


@pytest.fixture
def attacker(
    settings: Settings, services: Services, standin: SlackStandIn, pool: CarryingPool
) -> Slack:
    app = create_app(settings, services, client=build_client(settings), executor=pool)
    return Slack(app=app, signing_secret=settings.slack_signing_secret or "", standin=standin)


def untouched(
    database: Database,
    standin: SlackStandIn,
    b: Seeded,
    attack: Callable[[], Any],
    pool: CarryingPool | None = None,
) -> None:
    """Run `attack`, wait for what it started, and check that no row of B changed and that
    nothing A was answered, sent or shown names B's account, email or case."""
    before = rows_of(database, b.team)
    shown_before = _shown(standin)
    answers = attack()
    if pool is not None:
        pool.shutdown(wait=True)
    assert changed(before, rows_of(database, b.team)) == {}
    seen = json.dumps([answers, [item for item in _shown(standin) if item not in shown_before]])
    for secret in (f"{b.team} Ads", b.email, b.platform_account, f"{b.team} ads I never made"):
        assert secret not in seen


def _shown(standin: SlackStandIn) -> list[Any]:
    return [*standin.response_url_posts(), *standin.opened_views(), *standin.messages()]
