"""Cases go where the workspace's own settings say, read when the case opens."""

from __future__ import annotations

from bot.cases.model import ChargesSeen
from bot.checklist.model import Check
from bot.services import Services
from storage.scope import serving
from tests.bot.cases.conftest import ANA, ESCALATION, World
from tests.bot.workspaces.test_settings import OTHER, proposal
from tests.conftest import ADMIN

OWN = "C0OWNCASES"


def test_a_case_opens_in_the_workspaces_own_escalation_channel(
    services: Services, world: World
) -> None:
    assert services.cases.desk.routing.escalation == ESCALATION  # the environment's, until set
    services.workspace_settings.change(ADMIN, proposal(services, escalation_channel=OWN))

    change = services.cases.report(ANA, world.acme.id, "Logins I don't know", ChargesSeen.YES)

    assert change.case.channel == OWN
    with serving(OTHER):
        assert services.cases.desk.routing.escalation == ESCALATION


def test_a_reminder_policy_change_reaches_that_workspaces_sweeps_only(
    services: Services,
) -> None:
    default_cap = services.nudges.policy.check(Check.TWO_STEP).cap

    services.workspace_settings.change(
        ADMIN, proposal(services, reminder_cap="1", default_time_zone="Asia/Tokyo")
    )

    policy = services.nudges.policy  # what the next sweep and delivery of this workspace use
    assert {policy.check(check).cap for check in Check} == {1}
    assert policy.default_time_zone == "Asia/Tokyo"
    with serving(OTHER):
        other = services.nudges.policy
        assert other.check(Check.TWO_STEP).cap == default_cap
        assert other.default_time_zone == "UTC"
