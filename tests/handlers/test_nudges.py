"""The reminder DM in Slack: Snooze (limited, capped for urgent gaps), "Why am I getting this?",
a fix button that turns the reminder green in place, and security admins' exclusions."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Any

import pytest
from slack_bolt import BoltResponse

from bot.checklist.model import Check, Source, State
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.nudges.sender import Sender
from bot.services import Services
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn
from storage import members as member_store
from tests.bot.nudges.conftest import CORE_POLICY, FAST, action_ids, items, outbox, text_of
from tests.conftest import ADMIN, AccountFactory, MemberFactory
from tests.handlers.conftest import Slack

PAST_GRACE = timedelta(days=14)  # Tuesday 8 December, 10:00 UTC


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, nudge_policy=CORE_POLICY)


@pytest.fixture
def sender(services: Services, clock: FakeClock) -> Sender:
    import wiring

    messenger = wiring.build_messenger(services.settings)
    return Sender(services.database, clock, messenger, services.nudges.policy, "s", pace=FAST)


@pytest.fixture
def reminded(services: Services, sender: Sender, member: MemberFactory, clock: FakeClock) -> int:
    """Ana got her first reminder; its outbox id."""
    member("U0ANA", name="Ana")
    clock.advance(PAST_GRACE)
    services.nudges.sweep()
    assert sender.deliver().sent == 1
    [message] = outbox(services.database)
    return message.id


def choose(slack: Slack, user: str, message_id: int, choice: str) -> BoltResponse:
    action: dict[str, Any] = {
        "type": "static_select",
        "action_id": "snooze_nudge",
        "block_id": "b",
        "selected_option": {
            "text": {"type": "plain_text", "text": choice},
            "value": f"{message_id}:{choice}",
        },
    }
    return slack.send(
        payloads.block_action(user, action, response_url=slack.standin.response_url())
    )


def posts_after(standin: SlackStandIn, seen: int, count: int = 1) -> list[dict[str, Any]]:
    standin.wait_for(lambda: len(standin.response_url_posts()) >= seen + count)
    return standin.response_url_posts()[seen:]


def test_a_snoozed_reminder_comes_back_when_the_snooze_ends(
    slack: Slack,
    services: Services,
    sender: Sender,
    reminded: int,
    clock: FakeClock,
    standin: SlackStandIn,
) -> None:
    assert choose(slack, "U0ANA", reminded, "3d").status == 200
    replaced, told = posts_after(standin, 0, 2)
    assert replaced["replace_original"] is True and "snoozed until" in text_of(replaced)
    assert "Snoozed until" in text_of(told) and told["replace_original"] is False
    assert {item.snoozed_until for item in items(services.database)} == {
        clock.now() + timedelta(days=3)
    }
    clock.advance(timedelta(days=2))  # the cadence's day 2: still snoozed
    services.nudges.sweep()
    assert sender.deliver().sent == 0
    clock.advance(timedelta(days=1))  # Friday: the snooze is over
    services.nudges.sweep()
    assert sender.deliver().sent == 1
    assert len(standin.messages("U0ANA")) == 2
    assert "after a snooze" in json.dumps(outbox(services.database)[-1].payload)


def test_snoozes_are_limited(
    slack: Slack, services: Services, reminded: int, standin: SlackStandIn
) -> None:
    limit = services.nudges.policy.snooze_limit
    for done in range(limit):
        choose(slack, "U0ANA", reminded, "1d")
        posts_after(standin, 2 * done, 2)
    choose(slack, "U0ANA", reminded, "1d")
    [refusal] = posts_after(standin, 2 * limit)
    assert f"already snoozed this {limit} times" in text_of(refusal)
    assert {item.snooze_count for item in items(services.database)} == {limit}


def test_an_urgent_gap_is_snoozed_for_four_hours_at_most(
    slack: Slack,
    services: Services,
    sender: Sender,
    member: MemberFactory,
    account: AccountFactory,
    clock: FakeClock,
    standin: SlackStandIn,
) -> None:
    ana = member("U0ANA")
    shop = account("Acme Shoes Ads", members=[ana])
    with services.database.sessions.begin() as session:
        member_store.save_check_result(
            session,
            member_id=ana.id,
            check=Check.NO_COMPROMISED_PASSWORD,
            business_account_id=shop.id,
            source=Source.PLATFORM,
            state=State.NEEDS_ACTION,
            observed_at=clock.now(),
            detail={},
        )
    services.nudges.sweep()  # no grace for an open compromised-password alert
    sender.deliver()
    [dm] = standin.messages("U0ANA")
    assert "urgent" in text_of(dm)
    [message] = outbox(services.database)
    choose(slack, "U0ANA", message.id, "1w")
    _, told = posts_after(standin, 0, 2)
    assert "Urgent items come back sooner" in text_of(told)
    urgent = [i for i in items(services.database) if i.check == Check.NO_COMPROMISED_PASSWORD]
    assert urgent[0].snoozed_until == clock.now() + timedelta(hours=4)


def test_why_am_i_getting_this_explains_the_rules_only_to_the_member(
    slack: Slack, reminded: int, standin: SlackStandIn
) -> None:
    slack.press("U0ANA", "explain_nudge", value=f"nudge:{reminded}")
    [answer] = posts_after(standin, 0)
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    assert "working hours" in text_of(answer) and "account manager" in text_of(answer)
    assert "public holidays" in text_of(answer)
    slack.press("U0RAJ", "explain_nudge", value=f"nudge:{reminded}")
    [refused] = posts_after(standin, 1)
    assert "for someone else" in text_of(refused)


def test_why_am_i_getting_this_says_each_reason_once_in_the_members_own_time(
    slack: Slack,
    services: Services,
    sender: Sender,
    member: MemberFactory,
    account: AccountFactory,
    clock: FakeClock,
    standin: SlackStandIn,
) -> None:
    ana = member("U0ANA", name="Ana")  # in Berlin
    account("Acme Shoes Ads", members=[ana])
    clock.advance(PAST_GRACE)
    services.nudges.sweep()
    sender.deliver()
    [message] = outbox(services.database)

    slack.press("U0ANA", "explain_nudge", value=f"nudge:{message.id}")
    shown = text_of(posts_after(standin, 0)[0])

    ended = "first reminder (the 14 days' grace for new members ended Tue 8 Dec 2026 11:00"
    assert f"Authenticator linked to the bot, Recovery phone: {ended} (Europe/Berlin))" in shown
    assert shown.count("14 days' grace") == 1
    assert "UTC" not in shown


def test_fixing_from_the_reminder_turns_it_green_in_place(
    slack: Slack,
    services: Services,
    sender: Sender,
    member: MemberFactory,
    account: AccountFactory,
    clock: FakeClock,
    standin: SlackStandIn,
) -> None:
    ana = member("U0ANA", name="Ana")
    shop = account("Acme Shoes Ads", members=[ana])
    clock.advance(PAST_GRACE)
    services.nudges.sweep()
    sender.deliver()
    [message] = outbox(services.database)
    [dm] = standin.messages("U0ANA")
    assert "report_two_step:two_step" in action_ids(dm)

    # "I've turned it on" in the reminder opens the form; submitting it closes the gap.
    slack.press("U0ANA", "report_two_step:two_step", value=f"nudge:{message.id}")
    modal = standin.wait_for(standin.opened_views)[-1]
    chosen = {"value": str(shop.id)}
    answer = slack.send(
        payloads.view_submission(
            "U0ANA",
            modal,
            {
                "account": {"account": {"type": "static_select", "selected_option": chosen}},
                "method": {
                    "method": {"type": "radio_buttons", "selected_option": {"value": "sms"}}
                },
            },
        )
    )
    assert answer.status == 200
    [replaced] = posts_after(standin, 0)
    assert replaced["replace_original"] is True
    assert "Done — thank you" in text_of(replaced)
    assert "report_two_step:two_step" not in action_ids(replaced)
    assert "link_authenticator:authenticator" in action_ids(replaced)
    closed = [item for item in items(services.database) if item.closed_reason == "fixed"]
    assert [item.check for item in closed] == ["two_step"]
    # The deliver job has nothing left to update: the reminder was replaced in place already.
    assert sender.deliver().updated == 0


def test_security_admins_exclude_and_include_members(
    slack: Slack, member: MemberFactory, services: Services
) -> None:
    member("U0RAJ")
    answer = slack.command(ADMIN, "exclude <@U0RAJ|raj> leave 2026-12-24")
    assert "No more reminders for <@U0RAJ> (on leave until" in answer["text"]
    assert "<@U0RAJ>" in slack.command(ADMIN, "excluded")["text"]
    refused = slack.command("U0RAJ", "exclude <@U0RAJ|raj> service")
    assert "Only security admins" in refused["text"]
    assert "will get reminders again" in slack.command(ADMIN, "include <@U0RAJ|raj>")["text"]
    assert "Nobody is excluded" in slack.command(ADMIN, "excluded")["text"]
    usage = slack.command(ADMIN, "exclude <@U0RAJ|raj> holiday")
    assert "/security exclude @someone service" in usage["text"]
