"""The account manager's desk through the real Bolt app, over requests signed as Slack signs them,
against the Slack stand-in: Dana opens Home and sees her accounts with their gaps, reminds Ana
from there (Ana gets the DM; a second press over the cap is refused plainly), turns the page,
and opens a case for an account she manages but does not work on; a stranger forging the
buttons is refused (audited); and `/security account` for her, a member, a stranger and an
admin."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from typing import Any

import pytest

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.nudges.settings import NudgePolicy
from bot.services import Services
from bot.stats import views as stats_views
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn
from tests.bot.desk.conftest import World, audited, build_world
from tests.conftest import ADMIN, AccountFactory, MemberFactory
from tests.handlers.conftest import Slack, text_of


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """One reminder per gap, the most the policy allows; cases go to an escalation channel."""
    capped = {c: dataclasses.replace(rules, cap=1) for c, rules in NudgePolicy().checks.items()}
    return dataclasses.replace(
        settings, nudge_policy=NudgePolicy(checks=capped), escalation_channel="C0ESCALATE"
    )


@pytest.fixture
def world(member: MemberFactory, account: AccountFactory) -> World:
    return build_world(member, account)


def _home(slack: Slack, standin: SlackStandIn, user: str) -> dict[str, Any]:
    before = len(standin.calls("views.publish"))
    assert slack.send(payloads.app_home_opened(user)).status == 200
    standin.wait_for(lambda: len(standin.calls("views.publish")) > before or None)
    view = standin.published_view(user)
    assert view is not None
    return view


def _buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        element
        for block in blocks
        for element in [block.get("accessory") or {}, *block.get("elements", [])]
        if element.get("type") == "button"
    ]


def _told(standin: SlackStandIn, user: str, words: str) -> str:
    def found() -> str | None:
        texts = [text_of(m.get("blocks", [])) + str(m.get("text")) for m in standin.messages(user)]
        return next((text for text in texts if words in text), None)

    return standin.wait_for(found)


def test_the_manager_opens_home_and_sees_her_accounts_with_their_gaps(
    slack: Slack, standin: SlackStandIn, world: World
) -> None:
    view = _home(slack, standin, "U0DANA")

    shown = text_of(view["blocks"])
    assert "Your business accounts" in shown and "All 2 accounts, riskiest first" in shown
    assert "Acme Shoes Ads" in shown and "Northwind Travel Ads" in shown
    assert "Bolt Ads" not in shown  # not hers
    assert "<@U0ANA>" in shown and "<@U0RAJ>" in shown and "🔴 recovery email" in shown
    assert "slack://user?team=T0STANDIN&id=U0RAJ" in shown  # the DM link
    assert "Your security checklist" in shown  # her own checklist stays, below
    labels = [button["text"]["text"] for button in _buttons(view["blocks"])]
    assert labels.count("Remind now") == 3 and labels.count("Open a case") == 2
    assert len(view["blocks"]) <= 100


def test_a_member_who_manages_nothing_keeps_the_home_tab_as_it_was(
    slack: Slack, standin: SlackStandIn, world: World, services: Services
) -> None:
    view = _home(slack, standin, "U0ANA")

    expected = stats_views.home_view(services.members.status("U0ANA").checklist, None)
    assert view["blocks"] == expected["blocks"]
    assert "Your business accounts" not in text_of(view["blocks"])


def test_remind_now_sends_the_dm_and_a_second_press_over_the_cap_is_refused_plainly(
    slack: Slack, standin: SlackStandIn, world: World, services: Services, clock: FakeClock
) -> None:
    view = _home(slack, standin, "U0DANA")
    remind = next(b for b in _buttons(view["blocks"]) if b.get("value") == "U0ANA")

    slack.press("U0DANA", remind["action_id"], value="U0ANA", from_home=True)

    dm = _told(standin, "U0ANA", "Hi Ana")
    assert "Recovery email" in dm
    assert "✅ Reminder sent to <@U0ANA>" in _told(standin, "U0DANA", "Reminder sent")

    clock.advance(timedelta(hours=2))
    slack.press("U0DANA", remind["action_id"], value="U0ANA", from_home=True)

    refused = _told(standin, "U0DANA", "the most the reminder policy allows")
    assert "<@U0ANA> has already had 1 reminder about each open gap" in refused
    assert len([m for m in standin.messages("U0ANA") if "Hi Ana" in str(m)]) == 1
    actions = [(a, d.get("reason")) for _, a, _, d in audited(services, "desk.remind")]
    assert actions == [("desk.reminded", None), ("desk.remind.refused", "over_cap")]


def test_next_turns_the_page_and_previous_comes_back(
    slack: Slack,
    standin: SlackStandIn,
    member: MemberFactory,
    account: AccountFactory,
) -> None:
    dana = member("U0DANA", name="Dana")
    for n in range(1, 51):  # more than two pages of at most 20
        person = member(f"U0M{n:03d}", name=f"Member {n}")
        account(f"Account {n:02d}", members=[person], manager=dana)
    first = _home(slack, standin, "U0DANA")
    shown = re.search(r"Accounts 1-(\d+) of 50", text_of(first["blocks"]))
    assert shown is not None and len(first["blocks"]) <= 100
    size = int(shown.group(1))  # as many as fit beside her checklist
    [next_page] = [b for b in _buttons(first["blocks"]) if b["action_id"] == "desk_next"]
    assert next_page["value"] == str(size)

    slack.press("U0DANA", "desk_next", value=next_page["value"], from_home=True)
    standin.wait_for(lambda: len(standin.calls("views.publish")) >= 2 or None)
    second = standin.published_view("U0DANA")
    assert second is not None
    assert f"Accounts {size + 1}-{2 * size} of 50" in text_of(second["blocks"])
    pages = ("desk_previous", "desk_next")
    steps = {
        b["action_id"]: b["value"] for b in _buttons(second["blocks"]) if b["action_id"] in pages
    }
    assert steps == {"desk_previous": "0", "desk_next": str(2 * size)}


def test_the_manager_opens_a_case_for_an_account_she_does_not_work_on(
    slack: Slack, standin: SlackStandIn, world: World, services: Services
) -> None:
    view = _home(slack, standin, "U0DANA")
    [open_case] = [b for b in _buttons(view["blocks"]) if b.get("value") == str(world.northwind.id)]

    slack.press("U0DANA", open_case["action_id"], value=open_case["value"], from_home=True)

    modal = standin.wait_for(lambda: standin.opened_views() or None)[-1]
    assert modal["callback_id"] == "case_report"
    account_select = next(b for b in modal["blocks"] if b.get("block_id") == "account")
    assert account_select["element"]["initial_option"]["value"] == str(world.northwind.id)
    values = {
        "account": {"account": {"type": "static_select", "selected_option": {"value": str(world.northwind.id)}}},
        "what_happened": {"what_happened": {"type": "plain_text_input", "value": "Ads we never bought"}},
        "charges_seen": {"charges_seen": {"type": "radio_buttons", "selected_option": {"value": "no"}}},
    }  # fmt: skip
    answer = slack.send(payloads.view_submission("U0DANA", modal, values))
    assert answer.status == 200 and answer.body == ""

    card = standin.wait_for(lambda: standin.messages("C0ESCALATE") or None)[0]
    assert "Northwind Travel Ads" in text_of(card.get("blocks", []))
    assert "Case *#1* is open in <#C0ESCALATE>." in _told(standin, "U0DANA", "Case *#1*")
    told = _told(standin, "U0ANA", "opened case")  # as `/security case open` tells members
    assert "The account manager <@U0DANA> opened case *#1*" in told
    assert [a for _, a, _, _ in audited(services, "cases.opened")] == ["cases.opened"]


def test_a_stranger_forging_the_buttons_is_refused_and_audited(
    slack: Slack, standin: SlackStandIn, world: World, services: Services
) -> None:
    slack.press("U0EVE", "desk_remind:1-U0ANA", value="U0ANA", from_home=True)
    assert "business accounts you manage" in _told(standin, "U0EVE", "manage")
    slack.press("U0EVE", f"desk_open_case:{world.acme.id}", value=str(world.acme.id))
    refused = standin.wait_for(lambda: standin.response_url_posts() or None)[-1]
    assert "can't open a case for that business account" in refused["text"]

    assert standin.opened_views() == [] and standin.messages("U0ANA") == []
    assert [(actor, action) for actor, action, _, _ in audited(services, "desk.")] == [
        ("U0EVE", "desk.remind.refused"),
        ("U0EVE", "desk.case.refused"),
    ]


@pytest.mark.parametrize(("user", "reminds"), [("U0DANA", True), ("U0ANA", False), (ADMIN, True)])
def test_security_account_for_the_manager_a_member_and_an_admin(
    slack: Slack, world: World, user: str, reminds: bool
) -> None:
    answer = slack.command(user, "account acme shoes ads")

    shown = text_of(answer["blocks"])
    assert "Business account: Acme Shoes Ads" in shown and "Account manager: <@U0DANA>" in shown
    assert "History" in shown
    labels = [button["text"]["text"] for button in _buttons(answer["blocks"])]
    assert ("Remind now" in labels) is reminds
    assert "Open a case" in labels


def test_security_account_refuses_a_stranger(
    slack: Slack, world: World, services: Services
) -> None:
    answer = slack.command("U0EVE", "account 7012345")

    assert "you can't see that business account" in answer["text"]
    assert "Acme" not in str(answer)
    assert [a for _, a, _, _ in audited(services, "desk.account")] == ["desk.account.refused"]
