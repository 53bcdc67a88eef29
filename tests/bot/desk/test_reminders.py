""" "Remind now": one reminder DM at once, through the outbox (so it counts toward the cap and is
sent once), only inside the member's working hours, below the cap, not twice within the hour and
never about what the member snoozed; asked only by the managers of the member's accounts or a
security admin; every attempt audited. Against a real database and the Slack stand-in."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

import wiring
from bot.checklist.model import Check
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.errors import InvalidInput, NotAllowed
from bot.nudges.service import Reason
from bot.nudges.settings import NudgePolicy
from bot.services import Services
from sandbox.slack_standin import SlackStandIn
from tests.bot.desk.conftest import World, audited
from tests.bot.nudges.conftest import items, outbox, text_of
from tests.conftest import ADMIN

LATER = timedelta(hours=2)  # past the hour between reminders, still in working hours


def test_the_manager_reminds_a_member_of_her_account_at_once(
    services: Services, settings: Settings, world: World, standin: SlackStandIn
) -> None:
    reminded = services.desk_reminders.remind("U0DANA", "U0RAJ")

    assert reminded.member == "U0RAJ" and reminded.outbox_id is not None
    assert Check.RECOVERY_EMAIL in reminded.checks
    [message] = outbox(services.database)
    assert (message.recipient, message.kind, message.state) == ("U0RAJ", "member", "pending")
    assert all(item.nudge_count == 1 for item in items(services.database))
    why = message.payload["items"][0]["why"]
    assert why == "reminder 1 of 6, sent at once at your account manager's request"
    [(actor, action, target, details)] = audited(services, "desk.remind")
    assert (actor, action, target) == ("U0DANA", "desk.reminded", "U0RAJ")
    assert details["outbox"] == message.id

    assert services.desk_reminders.deliver(reminded, wiring.build_messenger(settings))
    [dm] = standin.messages("U0RAJ")
    assert "Hi Raj" in text_of(dm)
    assert outbox(services.database)[0].state == "sent"


def test_not_twice_within_the_hour_then_again_counted_on(
    services: Services, world: World, clock: FakeClock
) -> None:
    services.desk_reminders.remind("U0DANA", "U0ANA")
    with pytest.raises(InvalidInput, match="at most one reminder an hour"):
        services.desk_reminders.remind("U0DANA", "U0ANA")
    clock.advance(LATER)
    services.desk_reminders.remind("U0DANA", "U0ANA")

    first, second = outbox(services.database)
    assert (first.round_number, second.round_number) == (1, 2)
    assert {item["number"] for item in second.payload["items"]} == {2}
    reasons = [details.get("reason") for _, action, _, details in audited(services, "desk.remind")]
    assert reasons == [None, "recently_reminded", None]


class TestACapOfOne:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        """One reminder per gap, the most the policy allows."""
        checks = NudgePolicy().checks.items()
        capped = {check: dataclasses.replace(rules, cap=1) for check, rules in checks}
        return dataclasses.replace(settings, nudge_policy=NudgePolicy(checks=capped))

    def test_over_the_cap_nothing_is_sent_and_the_asker_is_told(
        self, services: Services, world: World, clock: FakeClock
    ) -> None:
        services.desk_reminders.remind("U0DANA", "U0ANA")
        clock.advance(LATER)
        with pytest.raises(InvalidInput, match="already had 1 reminder about each open gap"):
            services.desk_reminders.remind("U0DANA", "U0ANA")
        assert len(outbox(services.database)) == 1
        assert audited(services, "desk.remind")[-1][3] == {"reason": "over_cap"}


def test_outside_the_members_working_hours_nothing_is_sent(
    services: Services, world: World, clock: FakeClock
) -> None:
    clock.advance(timedelta(hours=10))  # 21:00 in Berlin
    with pytest.raises(InvalidInput, match="outside <@U0ANA>'s working hours") as raised:
        services.desk_reminders.remind("U0DANA", "U0ANA")
    assert "<!date^" in raised.value.user_message  # when they start again, in the reader's zone
    assert outbox(services.database) == []
    assert audited(services, "desk.remind") == [
        ("U0DANA", "desk.remind.refused", "U0ANA", {"reason": "outside_hours"})
    ]


def test_only_the_managers_of_the_members_accounts_and_security_admins_may_ask(
    services: Services, world: World
) -> None:
    with pytest.raises(NotAllowed, match="people who work on business accounts you manage"):
        services.desk_reminders.remind("U0EVE", "U0ANA")
    with pytest.raises(NotAllowed):  # Eve works on Bolt Ads, which Dana does not manage
        services.desk_reminders.remind("U0DANA", "U0EVE")
    reminded = services.desk_reminders.remind(ADMIN, "U0EVE")
    assert reminded.outbox_id is not None
    [message] = outbox(services.database)
    assert "at the security team's request" in message.payload["items"][0]["why"]
    assert [
        (actor, action, details.get("reason"))
        for actor, action, _, details in audited(services, "desk.remind")
    ] == [
        ("U0EVE", "desk.remind.refused", "not_manager"),
        ("U0DANA", "desk.remind.refused", "not_manager"),
        (ADMIN, "desk.reminded", None),
    ]


def test_excluded_and_snoozed_members_are_left_alone(
    services: Services, world: World, clock: FakeClock
) -> None:
    services.nudges.exclude(ADMIN, "U0RAJ", Reason.SERVICE_ACCOUNT)
    with pytest.raises(InvalidInput, match="excluded from reminders"):
        services.desk_reminders.remind("U0DANA", "U0RAJ")
    services.desk_reminders.remind("U0DANA", "U0ANA")
    [message] = outbox(services.database)
    services.nudges.snooze("U0ANA", message.id, "1d")
    clock.advance(LATER)
    with pytest.raises(InvalidInput, match="snoozed their reminders until"):
        services.desk_reminders.remind("U0DANA", "U0ANA")
    assert len(outbox(services.database)) == 1
