"""The targets per severity set in `/security settings`, over signed requests against the Slack
stand-in: the same case, an hour old, reads green against the defaults, then red and amber once a
security admin shortens its severity's targets; the card in the channel shows it at its next
change."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.core.clock import FakeClock
from bot.services import Services
from sandbox.slack_standin import SlackStandIn
from tests.bot.cases.conftest import DANA, World
from tests.conftest import ADMIN
from tests.handlers.cases.conftest import card
from tests.handlers.conftest import Slack, text_of
from tests.handlers.test_workspace_settings import open_settings, submit


def test_shorter_targets_turn_an_existing_case_amber_and_red(
    slack: Slack, standin: SlackStandIn, services: Services, world: World, clock: FakeClock
) -> None:
    slack.command(DANA, "case open 7012345 Client says the ads changed")  # medium: 4 h, 3 days
    parent = card(standin)
    clock.advance(timedelta(hours=1))
    shown = text_of(slack.command(ADMIN, "case show 1")["blocks"])
    assert "🟢 Not taken for 1 h (target 4 h)" in shown
    assert "🟢 Not resolved for 1 h (target 3 days)" in shown

    modal = open_settings(slack, standin)
    targets = {
        b["block_id"]: b for b in modal["blocks"] if b.get("block_id", "").startswith("take_")
    }
    assert targets["take_medium"]["element"]["initial_value"] == "4h"
    assert targets["take_medium"]["label"]["text"] == "Medium: time to take"
    answer = submit(slack, modal, take_medium={"value": "45m"}, resolve_medium={"value": "80 min"})

    assert json.loads(answer.body) == {"response_action": "clear"}
    told = standin.wait_for(standin.response_url_posts)[-1]
    assert told["text"] == (
        "Saved 2 settings of this workspace: time to take a medium case, time to resolve a "
        "medium case."
    )
    shown = text_of(slack.command(ADMIN, "case show 1")["blocks"])
    assert "🔴 Not taken for 1 h (target 45 min)" in shown
    assert "🟠 Not resolved for 1 h (target 1 h 20 min)" in shown

    slack.press(DANA, "case_take", value="1")

    def taken() -> str | None:
        now = text_of(card(standin)["blocks"])
        return now if "Taken after" in now else None

    shown = standin.wait_for(taken)
    assert card(standin)["ts"] == parent["ts"]  # the same card, edited in place
    assert "🔴 Taken after 1 h (target 45 min)" in shown


def test_a_time_to_take_longer_than_the_time_to_resolve_is_refused_on_its_input(
    slack: Slack, standin: SlackStandIn, services: Services
) -> None:
    modal = open_settings(slack, standin)

    answer = submit(slack, modal, take_low={"value": "8d"}, resolve_high={"value": "soon"})

    body = json.loads(answer.body)
    assert body == {
        "response_action": "errors",
        "errors": {
            "take_low": "The time to take a low case can't be longer than its time to resolve.",
            "resolve_high": "A time with its unit, such as 15m, 4h or 3d.",
        },
    }
    assert services.workspace_settings.current().is_default("take_low")
