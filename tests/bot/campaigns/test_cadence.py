"""A campaign's reminders: weekly, every 3 days in the last two weeks, daily in the last 3 days;
never later than the policy's own cadence, never outside working hours, never past a snooze, and
never more than the cap. Pure: situations in, decisions out."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.campaigns.cadence import next_reminder
from bot.campaigns.model import CampaignRef, Scope
from bot.checklist.model import Check
from bot.core.i18n import reading
from bot.nudges.policy import decide
from bot.nudges.settings import DAY, CheckPolicy, NudgePolicy
from tests.bot.nudges.test_policy import (
    BERLIN,
    POLICY,
    TUESDAY_10,
    TWO_STEP,
    item,
    member,
    simulate,
)

# Friday 18 December 2026 is the last day: due at midnight in Berlin (23:00 UTC).
DEADLINE = date(2026, 12, 18)
DUE_AT = datetime(2026, 12, 18, 23, 0, tzinfo=UTC)
CAMPAIGN = CampaignRef(1, Check.TWO_STEP, "", Scope.EVERYONE, None, DEADLINE, DUE_AT)
COVERED = dataclasses.replace(TWO_STEP, due=CAMPAIGN)
UNCAPPED = NudgePolicy(checks={Check.TWO_STEP: CheckPolicy(grace=7 * DAY, cap=30)})


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        (DUE_AT - 30 * DAY, DUE_AT - 23 * DAY),  # weekly while more than two weeks are left
        (DUE_AT - 20 * DAY, DUE_AT - 14 * DAY),  # the last two weeks begin: 3 days since is enough
        (DUE_AT - 14 * DAY, DUE_AT - 11 * DAY),  # every 3 days
        (DUE_AT - 5 * DAY, DUE_AT - 3 * DAY),  # the last 3 days begin
        (DUE_AT - 3 * DAY, DUE_AT - 2 * DAY),  # daily
        (DUE_AT - 1 * DAY, None),  # the deadline comes first: the policy's own cadence goes on
        (DUE_AT + DAY, None),
    ],
)
def test_the_schedule_is_denser_as_the_deadline_nears(
    last: datetime, expected: datetime | None
) -> None:
    assert next_reminder(last, DUE_AT) == expected


def _reminder_days(events: list[tuple[float, str]]) -> list[float]:
    return [round(at, 1) for at, what in events if what.startswith("reminder")]


def test_reminders_follow_the_campaign_near_its_deadline_in_working_hours_only() -> None:
    without = _reminder_days(simulate(member(TWO_STEP), TUESDAY_10, 26, UNCAPPED))
    events = simulate(member(COVERED), TUESDAY_10, 26, UNCAPPED)
    days = _reminder_days(events)

    # Tuesday 24 November onwards: the policy's own day 0, 2, 5 (a Sunday: Monday), 10; then
    # the last two weeks every 3 days (Monday 7, Thursday 10, Sunday 13 waits for Monday 14
    # December), then daily in the last 3 days (Wednesday 16 to Friday 18 December).
    assert without == [0, 2, 6, 10, 17, 24]
    assert days == [0, 2, 6, 10, 13, 16, 20, 22, 23, 24]
    for at in days:
        moment = (TUESDAY_10 + timedelta(days=at)).astimezone(BERLIN)
        assert moment.weekday() < 5 and 9 <= moment.hour < 18
    # After the deadline the campaign asks nothing more: the policy's weekly pace goes on.
    later = _reminder_days(simulate(member(COVERED), TUESDAY_10, 40, UNCAPPED))
    assert [day for day in later if day > 25] == []


def test_the_cap_still_holds_and_the_account_manager_is_told_sooner() -> None:
    events = simulate(member(COVERED), TUESDAY_10, 40)
    days = _reminder_days(events)
    assert len(days) == POLICY.check(Check.TWO_STEP).cap
    assert days == [0, 2, 6, 10, 13, 16]
    # Instead of a 7th reminder: the account manager, on Monday 14 December, when the campaign
    # wanted the next one (without a campaign: day 34, in January).
    ladder = [(round(at), what) for at, what in events if not what.startswith("reminder")]
    assert ladder[0] == (20, "managers")


def test_a_snooze_holds_even_at_a_campaigns_pace() -> None:
    now = DUE_AT - 2 * DAY + timedelta(hours=10)  # Thursday 17 December, 10:00 in Berlin
    snoozed = item(COVERED, count=2, first=now - 10 * DAY, last=now - 2 * DAY,
                   snoozed_until=now + DAY)  # fmt: skip
    decision = decide(POLICY, member(COVERED, tracked=(snoozed,)), now)
    assert not decision.sends_reminder
    assert "snoozed until" in decision.waiting[0].why


def test_why_says_the_campaign_made_it_sooner() -> None:
    now = DUE_AT - 2 * DAY + timedelta(hours=10)  # Thursday 17 December, 10:00 in Berlin
    # Its own cadence would wait until day 5; the campaign's last days want one daily.
    tracked = item(COVERED, count=2, first=now - 3 * DAY, last=now - DAY)
    with reading("en"):
        reminder = decide(POLICY, member(COVERED, tracked=(tracked,)), now).reminders[0]
    assert reminder.counted
    assert reminder.why.startswith("reminder 3 of 6, the last one Wed 16 Dec 2026 10:00")
    assert reminder.why.endswith("sooner as the campaign's deadline nears (18 Dec 2026)")
    # Far from the deadline its own cadence is sooner: no word of the campaign.
    now = TUESDAY_10 + 7 * DAY
    tracked = item(COVERED, count=1, first=now - 2 * DAY, last=now - 2 * DAY)
    with reading("en"):
        own = decide(POLICY, member(COVERED, tracked=(tracked,)), now).reminders[0]
    assert own.counted and "campaign" not in own.why
