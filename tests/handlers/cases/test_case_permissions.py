"""Every case action is checked on the server, whatever buttons someone got hold of: a member
who is neither a security admin, the account's manager, the handler nor a reporter is refused
politely, only they see it, the attempt is audited, and nothing changes."""

from __future__ import annotations

import pytest

from bot.cases.model import ChargesSeen
from bot.services import Services
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn
from tests.bot.cases.conftest import ANA, DANA, EVE, World, audit_trail
from tests.handlers.cases.conftest import ephemeral_answers
from tests.handlers.conftest import Slack

BUTTONS = [
    "case_take",
    "case_suspend",
    "case_investigate",
    "case_resolve",
    "case_reopen",
    "case_record_charge",
    "case_add_info",
    "charge_approve",
    "charge_processed",
    "charge_reject",
]


@pytest.fixture
def opened(services: Services, world: World) -> int:
    number = services.cases.report(ANA, world.acme.id, "Odd logins", ChargesSeen.YES).case.number
    services.cases.charges.record(DANA, number, "10", "EUR", "Ads")
    return number


@pytest.mark.parametrize("action_id", BUTTONS)
def test_an_outsider_pressing_a_case_button_is_refused(
    slack: Slack, standin: SlackStandIn, services: Services, opened: int, action_id: str
) -> None:
    before = services.cases.card(opened).case

    response = slack.press(EVE, action_id, value="1")

    assert response.status == 200
    [answer] = standin.wait_for(lambda: ephemeral_answers(standin))
    assert answer.startswith("Sorry, you can't") and "ask a security admin" in answer
    assert audit_trail(services.database, f"case:{opened}")[-1] == (EVE, "cases.refused")
    assert services.cases.card(opened).case == before
    assert standin.opened_views() == [] and standin.calls("chat.update") == []
    assert services.cases.platform.requests == []  # type: ignore[attr-defined]


def test_the_reporter_may_add_information_but_not_take_the_case(
    slack: Slack, standin: SlackStandIn, services: Services, opened: int
) -> None:
    slack.press(ANA, "case_take", value="1")
    standin.wait_for(lambda: ephemeral_answers(standin))
    slack.press(ANA, "case_add_info", value="1")

    modal = standin.wait_for(standin.opened_views)[-1]
    assert modal["callback_id"] == "case_add_info"


@pytest.mark.parametrize("text", ["case show 1", "case open 7012345 Looks hacked"])
def test_an_outsiders_case_command_is_refused(
    slack: Slack, services: Services, opened: int, text: str
) -> None:
    answer = slack.command(EVE, text)

    assert answer["response_type"] == "ephemeral" and answer["text"].startswith("Sorry")
    assert (EVE, "cases.refused") in audit_trail(services.database)


def test_a_forged_step_up_continuation_changes_nothing(
    slack: Slack, standin: SlackStandIn, services: Services, opened: int
) -> None:
    """A view submission claiming to be a resolution, without a fresh code, is refused."""
    forged = {
        "id": "V0FORGED",
        "type": "modal",
        "callback_id": "case_resolve",
        "private_metadata": '{"item": 1, "response_url": null}',
        "blocks": [],
    }
    values = {
        "outcome": {
            "outcome": {"type": "radio_buttons", "selected_option": {"value": "false_alarm"}}
        },
        "summary": {"summary": {"type": "plain_text_input", "value": "nothing"}},
    }
    response = slack.send(payloads.view_submission(DANA, forged, values))

    assert response.status == 200 and "errors" in response.body
    assert services.cases.card(opened).case.status.value == "reported"
