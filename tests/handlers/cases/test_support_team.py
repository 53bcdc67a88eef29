"""The support team (SUPPORT_HANDLERS) works unmanaged clients' cases as account managers work
managed ones, checked on the server for every press; the reporter is given SUPPORT_CONTACT."""

from __future__ import annotations

import dataclasses

import pytest

from bot.cases.model import ChargesSeen
from bot.core.config import Settings
from bot.services import Services
from sandbox.slack_standin import SlackStandIn
from tests.bot.cases.conftest import SUPPORT, World, audit_trail
from tests.bot.cases.conftest import settings as case_settings  # noqa: F401
from tests.handlers.cases.conftest import card, ephemeral_answers, thread, wait_for_dm
from tests.handlers.cases.test_case_life import report
from tests.handlers.conftest import Slack, text_of

SUE = "U0SUE"


@pytest.fixture
def settings(case_settings: Settings) -> Settings:  # noqa: F811
    return dataclasses.replace(
        case_settings,
        support_handlers=frozenset({SUE}),
        support_contact="https://help.example.com/security <!here>",
    )


def test_the_support_team_takes_an_unmanaged_case_and_is_refused_a_managed_one(
    slack: Slack, standin: SlackStandIn, services: Services, world: World
) -> None:
    report(slack, standin, "U0OLGA", world.shop.id, "My password stopped working")
    told = wait_for_dm(standin, "U0OLGA", "Case #1 is open")
    assert "Contact the support team: https://help.example.com/security &lt;!here&gt;" in told
    assert "customer support" not in told

    slack.press(SUE, "case_take", value="1")
    parent = card(standin, SUPPORT)
    standin.wait_for(lambda: "<@U0SUE> took the case" in thread(standin, parent))
    assert "*Handler*\n<@U0SUE>" in text_of(card(standin, SUPPORT)["blocks"])

    services.cases.report("U0ANA", world.acme.id, "Ads I never made", ChargesSeen.NO)
    slack.press(SUE, "case_take", value="2")
    [answer] = standin.wait_for(lambda: ephemeral_answers(standin))
    assert answer.startswith("Sorry, you can't take case #2")
    assert audit_trail(services.database, "case:2")[-1] == (SUE, "cases.refused")
