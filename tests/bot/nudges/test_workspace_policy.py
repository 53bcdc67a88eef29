"""A workspace's own reminder cap is what its next sweep uses; another workspace keeps the
policy file's."""

from __future__ import annotations

import dataclasses

import pytest

from bot.checklist.model import Check, State
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.nudges.outbox import MEMBER
from bot.nudges.settings import DAY
from bot.services import Services
from storage.scope import serving
from tests.bot.nudges.conftest import Evidence, checks_in, outbox
from tests.bot.nudges.test_sweep import ladder_policy
from tests.bot.workspaces.test_settings import OTHER, proposal
from tests.conftest import ADMIN, AccountFactory, MemberFactory


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, nudge_policy=ladder_policy())  # a cap of 2


def test_a_workspaces_reminder_cap_is_used_by_its_own_sweeps_only(
    services: Services,
    member: MemberFactory,
    account: AccountFactory,
    evidence: Evidence,
    clock: FakeClock,
) -> None:
    services.workspace_settings.change(ADMIN, proposal(services, reminder_cap="1"))
    ana = member("U0ANA")
    evidence(ana, Check.TWO_STEP, State.NEEDS_ACTION, account=account("Acme", members=[ana]))
    with serving(OTHER):
        raj = member("U0RAJ")
        evidence(raj, Check.TWO_STEP, State.NEEDS_ACTION, account=account("Pop", members=[raj]))

    for _ in range(3):
        for workspace in ("T0STANDIN", OTHER):
            with serving(workspace):
                services.nudges.sweep()
        clock.advance(DAY)

    assert [checks_in(message) for message in outbox(services.database, MEMBER)] == [["two_step"]]
    with serving(OTHER):  # the policy file's cap of 2
        assert len(outbox(services.database, MEMBER)) == 2
