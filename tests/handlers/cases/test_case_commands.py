"""`/security case list`, `/security case show <number>`, `/security case open`, and the
"Report a compromised account" button on the checklist and the Home tab."""

from __future__ import annotations

from datetime import timedelta

from bot.cases.model import ChargesSeen
from bot.core.clock import FakeClock
from bot.services import Services
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn, validate_blocks
from tests.bot.cases.conftest import ANA, DANA, EVE, OLGA, RAJ, World
from tests.conftest import ADMIN
from tests.handlers.cases.conftest import card, dms
from tests.handlers.conftest import Slack, text_of


def test_case_list_shows_the_open_cases_each_may_see_newest_first(
    slack: Slack, services: Services, world: World, clock: FakeClock
) -> None:
    services.cases.report(ANA, world.acme.id, "Acme", ChargesSeen.NO)
    clock.advance(timedelta(minutes=5))
    services.cases.report(OLGA, world.shop.id, "Shop", ChargesSeen.NO)

    admin = text_of(slack.command(ADMIN, "case list")["blocks"])
    manager = text_of(slack.command(DANA, "case list")["blocks"])
    reporter = text_of(slack.command(OLGA, "case list")["blocks"])
    outsider = slack.command(EVE, "case")

    assert admin.index("#2") < admin.index("#1")
    assert "#1" in manager and "#2" not in manager
    assert "#2" in reporter and "#1" not in reporter
    assert outsider["text"] == "There are no open cases you can see."


def test_case_show_gives_the_card_and_the_timeline(
    slack: Slack, services: Services, world: World
) -> None:
    services.cases.report(ANA, world.acme.id, "First <!here>", ChargesSeen.NO)
    services.cases.report(RAJ, world.acme.id, "Second", ChargesSeen.NO)
    services.cases.take(DANA, 1)

    answer = slack.command(ANA, "case show #1")

    shown = text_of(answer["blocks"])
    assert answer["response_type"] == "ephemeral"
    assert validate_blocks(answer["blocks"], surface="message") == []
    assert "Case #1" in shown and "*Timeline*" in shown
    assert "opened the case: First &lt;!here&gt;" in shown
    assert "<@U0RAJ> reported it too: Second" in shown and "<@U0DANA> took the case" in shown
    assert not any(block["type"] == "actions" for block in answer["blocks"])
    assert slack.command(ANA, "case show 99")["text"] == "There is no case #99."


def test_case_open_by_the_manager_posts_the_card(
    slack: Slack, standin: SlackStandIn, world: World
) -> None:
    answer = slack.command(DANA, "case open 7012345 Client says the ads changed")

    assert answer["text"] == "Case *#1* is open in <#C0ESCALATE>."
    parent = card(standin)
    assert "Client says the ads changed" in text_of(parent["blocks"])
    told = standin.wait_for(lambda: dms(standin, ANA))[0]
    assert "Case #1 is open" in told
    assert "The account manager <@U0DANA> opened case *#1*" in told
    assert "Opened by account manager <@U0DANA>" in text_of(parent["blocks"])
    assert dms(standin, DANA) == []  # the opener is not told as if they had reported it


def test_case_usage(slack: Slack, world: World) -> None:
    assert (
        "/security case open <account id> <summary>"
        in slack.command(DANA, "case frobnicate")["text"]
    )
    assert slack.command(DANA, "case open 7012345")["text"].startswith("`/security case list`")


def test_report_button_on_the_checklist_and_home_opens_the_modal(
    slack: Slack, standin: SlackStandIn, world: World
) -> None:
    status = slack.command(ANA, "status")
    ids = [
        element["action_id"]
        for block in status["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert "report_compromise" in ids

    slack.press(ANA, "report_compromise", from_home=True)

    modal = standin.wait_for(standin.opened_views)[-1]
    assert modal["callback_id"] == "case_report"


def test_a_member_without_accounts_is_told_whom_to_contact(
    slack: Slack, standin: SlackStandIn, world: World
) -> None:
    slack.send(payloads.slash_command(EVE, "report", response_url=standin.response_url()))
    [told] = standin.wait_for(lambda: [p["text"] for p in standin.response_url_posts()])
    assert "contact your account manager or the support team, in <#C0SUPPORT> now" in told
    assert standin.opened_views() == []
