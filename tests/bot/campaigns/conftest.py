"""Campaign fixtures: a small directory (two account managers, three business accounts on two
platforms), evidence on record, a fast sender against the Slack stand-in, and a way to start a
campaign as a security admin would."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest

from bot.campaigns.figures import CampaignView
from bot.campaigns.service import Proposal
from bot.checklist.model import Check, State
from bot.services import Services
from storage.models import BusinessAccount, Member
from tests.bot.nudges.conftest import Evidence, evidence, messenger, sender  # noqa: F401
from tests.conftest import ADMIN, AccountFactory, MemberFactory

DEADLINE = date(2026, 12, 18)  # a Friday, 24 days after the tests' clock starts


@dataclass(frozen=True)
class Directory:
    ana: Member  # on Acme Ads (Dana's) and Bolt Shop (no manager, another platform)
    raj: Member  # on Acme Ads and Cedar Ads (Carl's)
    dana: Member  # manages Acme Ads
    carl: Member  # manages Cedar Ads
    acme: BusinessAccount
    bolt: BusinessAccount
    cedar: BusinessAccount


@pytest.fixture
def directory(
    member: MemberFactory,
    account: AccountFactory,
    evidence: Evidence,  # noqa: F811 - the fixture imported above
) -> Directory:
    ana, raj = member("U0ANA", name="Ana"), member("U0RAJ", name="Raj", time_zone="Asia/Tokyo")
    dana, carl = member("U0DANA", name="Dana"), member("U0CARL", name="Carl")
    member(ADMIN, name="Sam")  # the security admin, known to Slack
    acme = account("Acme Ads", members=[ana, raj], manager=dana)
    bolt = account("Bolt Shop", members=[ana], platform="meta_business")
    cedar = account("Cedar Ads", members=[raj], manager=carl)
    evidence(ana, Check.TWO_STEP, State.NEEDS_ACTION, account=acme)
    evidence(ana, Check.TWO_STEP, State.PASSING, account=bolt)
    evidence(raj, Check.TWO_STEP, State.PASSING, account=acme)
    evidence(raj, Check.TWO_STEP, State.NEEDS_ACTION, account=cedar)
    return Directory(ana, raj, dana, carl, acme, bolt, cedar)


Start = Callable[..., CampaignView]


@pytest.fixture
def start(services: Services) -> Start:
    """start(check="two_step", scope="everyone", deadline=DEADLINE): a campaign, by the admin."""

    def run(
        check: str = "two_step",
        scope: str = "everyone",
        *,
        manager: str | None = None,
        platform: str | None = None,
        deadline: date | None = DEADLINE,
        title: str = "",
        by: str = ADMIN,
    ) -> CampaignView:
        proposal = Proposal(check, scope, manager, platform, deadline, title)
        return services.campaigns.start(by, proposal)

    return run
