"""The policy, decided for one member at a time: grace, backoff, cap, escalation, urgency, hours,
snoozes and exclusions. Pure: situations in, decisions out."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from bot.checklist.model import Check, Fix
from bot.nudges.days_off import Holidays
from bot.nudges.hours import WorkingHours, zone
from bot.nudges.policy import Closed, Gap, Level, Situation, Tracked, decide, snooze_length
from bot.nudges.settings import DAY, NudgePolicy

POLICY = NudgePolicy()
BERLIN = zone("Europe/Berlin")
TUESDAY_10 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
TWO_STEP = Gap(Check.TWO_STEP, False, "2-step verification", "Off.", Fix.REPORT_TWO_STEP)
PHONE = Gap(
    Check.RECOVERY_PHONE, False, "Recovery phone", "Not on record.", Fix.REPORT_RECOVERY_PHONE
)
LEAKED = Gap(Check.NO_COMPROMISED_PASSWORD, True, "No compromised password", "Open alert.", None)


def member(
    *gaps: Gap,
    joined: datetime = TUESDAY_10 - 30 * DAY,
    tracked: tuple[Tracked, ...] = (),
    managers: tuple[str, ...] = ("U0DANA",),
    passing: frozenset[Check] = frozenset(),
    time_zone: str = "Europe/Berlin",
    excluded: str | None = None,
) -> Situation:
    return Situation(
        member_id=1,
        slack_user_id="U0ANA",
        name="Ana",
        time_zone=zone(time_zone),
        joined_at=joined,
        managers=managers,
        gaps=gaps,
        passing=passing,
        tracked=tracked,
        excluded=excluded,
    )


def item(
    gap: Gap,
    *,
    count: int,
    first: datetime,
    last: datetime,
    level: Level = Level.MEMBER,
    escalated: datetime | None = None,
    snoozed_until: datetime | None = None,
) -> Tracked:
    return Tracked(1, gap.check, first, last, first, count, snoozed_until, 0, level, escalated)


def simulate(
    situation: Situation, start: datetime, days: int, policy: NudgePolicy = POLICY
) -> list[tuple[float, str]]:
    """Hourly sweeps over `days` while the member never fixes anything: what happened, when
    (in days after `start`), with the sweep's bookkeeping applied as the outbox writer does."""
    happened: list[tuple[float, str]] = []
    tracked: Tracked | None = None
    for hour in range(days * 24):
        now = start + timedelta(hours=hour)
        decision = decide(
            policy, dataclasses.replace(situation, tracked=(tracked,) if tracked else ()), now
        )
        at = (now - start) / DAY
        for reminder in decision.reminders:
            if reminder.counted:
                happened.append((at, f"reminder {reminder.number}"))
                if tracked is None:
                    tracked = Tracked(
                        1, reminder.gap.check, now, now, now, 1, None, 0, Level.MEMBER, None
                    )
                else:
                    tracked = dataclasses.replace(
                        tracked,
                        nudge_count=tracked.nudge_count + 1,
                        last_nudged_at=now,
                        cadence_from=reminder.cadence_from or tracked.cadence_from,
                        snoozed_until=None,
                    )
        for escalation in decision.escalations:
            happened.append((at, escalation.level.name.lower()))
            assert tracked is not None
            tracked = dataclasses.replace(tracked, level=escalation.level, escalated_at=now)
    return happened


def test_a_new_member_gets_a_grace_period_then_reminders_back_off_up_to_a_cap() -> None:
    joined = TUESDAY_10 - timedelta(hours=1)
    events = simulate(member(TWO_STEP, joined=joined), TUESDAY_10, 52)
    reminders = [at for at, what in events if what.startswith("reminder")]
    # 7 days' grace: the first reminder is on Tuesday 1 December at 09:00 in Berlin.
    first = reminders[0]
    assert 6.9 < first < 7.0
    # Day 0, 2, 5, 10, then weekly, capped at 6 reminders. Day 5 is a Sunday: that one comes on
    # Monday, and the cadence still counts from day 0, so day 10 stays day 10. Day 24 is
    # Christmas Day, a Friday: that one comes on Monday 28 December.
    days = [round(later - first, 2) for later in reminders]
    assert days == [0, 2, 6, 10, 17, 27]
    assert len(reminders) == POLICY.check(Check.TWO_STEP).cap
    # Instead of a 7th reminder (day 31, New Year's Day, a Friday): the account manager on Monday
    # 4 January; a week later: the security admins.
    ladder = [(round(at - first), what) for at, what in events if not what.startswith("reminder")]
    assert ladder == [(34, "managers"), (41, "admins")]


def test_reminders_come_only_in_working_hours_in_the_members_own_time_zone() -> None:
    saturday = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)
    night_in_tokyo = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    assert not decide(POLICY, member(TWO_STEP), saturday).sends_reminder
    assert not decide(
        POLICY, member(TWO_STEP, time_zone="Asia/Tokyo"), night_in_tokyo
    ).sends_reminder
    assert decide(
        POLICY, member(TWO_STEP, time_zone="America/New_York"), night_in_tokyo
    ).sends_reminder
    waiting = decide(POLICY, member(TWO_STEP), saturday).waiting
    assert "outside working hours" in waiting[0].why


def test_the_grace_period_is_per_check() -> None:
    joined = TUESDAY_10 - 10 * DAY  # past 2-step verification's 7 days, not the phone's 14
    decision = decide(POLICY, member(TWO_STEP, PHONE, joined=joined), TUESDAY_10)
    assert [r.gap.check for r in decision.reminders] == [Check.TWO_STEP]
    assert "grace period" in decision.waiting[0].why


def test_one_dm_names_every_open_gap_but_counts_only_the_due_ones() -> None:
    phone = item(PHONE, count=1, first=TUESDAY_10 - DAY, last=TUESDAY_10 - DAY)
    decision = decide(POLICY, member(TWO_STEP, PHONE, tracked=(phone,)), TUESDAY_10)
    assert [(r.gap.check, r.counted) for r in decision.reminders] == [
        (Check.TWO_STEP, True),
        (Check.RECOVERY_PHONE, False),  # listed; its own next reminder is tomorrow
    ]
    nothing_due = decide(POLICY, member(PHONE, tracked=(phone,)), TUESDAY_10)
    assert nothing_due.reminders == ()


def test_urgent_skips_grace_and_working_hours_for_the_first_reminder() -> None:
    sunday_night = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    decision = decide(POLICY, member(LEAKED, joined=sunday_night), sunday_night)
    assert decision.sends_reminder and decision.reminders[0].why.startswith("urgent")


def test_urgent_comes_back_every_four_working_hours_and_escalates_after_a_working_day() -> None:
    events = simulate(member(LEAKED, joined=TUESDAY_10), TUESDAY_10 + timedelta(hours=6), 3)
    # 16:00 Tuesday in Berlin; then 4 working hours later: Wednesday 11:00, 15:00, Thursday...
    reminders = [round(at * 24) for at, what in events if what.startswith("reminder")]
    assert reminders[:4] == [0, 19, 23, 42]
    escalations = [(round(at * 24), what) for at, what in events if not what.startswith("r")]
    # One working day (9 working hours) after the first reminder: Wednesday 16:00, then the
    # admins one working day after that.
    assert escalations == [(24, "managers"), (48, "admins")]


def test_without_an_account_manager_the_escalation_goes_straight_to_the_admins() -> None:
    capped = item(TWO_STEP, count=6, first=TUESDAY_10 - 40 * DAY, last=TUESDAY_10 - 8 * DAY)
    decision = decide(POLICY, member(TWO_STEP, tracked=(capped,), managers=()), TUESDAY_10)
    assert [e.level for e in decision.escalations] == [Level.ADMINS]
    assert "no account manager" in decision.escalations[0].why
    assert not decision.sends_reminder


def test_a_snoozed_gap_waits_until_the_snooze_ends_and_urgent_snoozes_are_capped() -> None:
    snoozed = item(
        TWO_STEP,
        count=1,
        first=TUESDAY_10 - 3 * DAY,
        last=TUESDAY_10 - 3 * DAY,
        snoozed_until=TUESDAY_10 + DAY,
    )
    still = decide(POLICY, member(TWO_STEP, tracked=(snoozed,)), TUESDAY_10)
    assert not still.sends_reminder and "snoozed" in still.waiting[0].why
    after = decide(POLICY, member(TWO_STEP, tracked=(snoozed,)), TUESDAY_10 + DAY)
    assert after.reminders[0].number == 2 and "snooze" in after.reminders[0].why
    # The cadence goes on from this reminder as if it were reminder 2 on time (day 2).
    assert after.reminders[0].cadence_from == TUESDAY_10 + DAY - 2 * DAY
    week = POLICY.snooze("1w")
    assert week is not None
    assert snooze_length(POLICY, week, urgent=True) == timedelta(hours=4)
    assert snooze_length(POLICY, week, urgent=False) == 7 * DAY


def test_an_excluded_member_is_left_alone_but_fixed_gaps_still_close() -> None:
    fixed = item(PHONE, count=2, first=TUESDAY_10 - 5 * DAY, last=TUESDAY_10 - 3 * DAY)
    situation = member(
        TWO_STEP, tracked=(fixed,), passing=frozenset({Check.RECOVERY_PHONE}), excluded="on leave"
    )
    decision = decide(POLICY, situation, TUESDAY_10)
    assert decision.reminders == () and decision.escalations == ()
    assert [(c.check, c.reason) for c in decision.closings] == [
        (Check.RECOVERY_PHONE, Closed.FIXED)
    ]


def test_a_gap_that_is_no_longer_actionable_is_withdrawn_not_thanked() -> None:
    gone = item(TWO_STEP, count=1, first=TUESDAY_10 - DAY, last=TUESDAY_10 - DAY)
    decision = decide(POLICY, member(tracked=(gone,)), TUESDAY_10)
    assert [c.reason for c in decision.closings] == [Closed.WITHDRAWN]


def test_a_check_switched_off_in_the_policy_is_never_nudged() -> None:
    policy = dataclasses.replace(
        POLICY,
        checks={
            **POLICY.checks,
            Check.TWO_STEP: dataclasses.replace(POLICY.check(Check.TWO_STEP), enabled=False),
        },
    )
    assert decide(policy, member(TWO_STEP), TUESDAY_10).reminders == ()


def test_on_a_public_holiday_the_first_reminder_waits_and_says_why() -> None:
    christmas = datetime(2026, 12, 25, 9, 0, tzinfo=UTC)  # Friday, 10:00 in Berlin
    decision = decide(POLICY, member(TWO_STEP), christmas)
    assert not decision.sends_reminder
    assert decision.waiting[0].why == (
        "outside working hours: public holiday (Christmas Day); "
        "next window Mon 28 Dec 2026 09:00 (Europe/Berlin)"
    )
    assert decide(POLICY, member(TWO_STEP), christmas + 3 * DAY - timedelta(hours=1)).reminders


def test_urgent_working_hours_skip_the_members_public_holiday() -> None:
    thursday_16 = datetime(2025, 10, 2, 14, 0, tzinfo=UTC)  # 16:00 in Berlin; Friday is Unity Day
    events = simulate(member(LEAKED, joined=thursday_16), thursday_16, 5)
    # 2 working hours on Thursday, none on Friday 3 October or the weekend, 2 on Monday (11:00):
    # the next reminder is 91 hours later; the account manager hears at Monday 16:00, 9 working
    # hours after the first reminder.
    reminders = [round(at * 24) for at, what in events if what.startswith("reminder")]
    assert reminders[:2] == [0, 91]
    escalations = [(round(at * 24), what) for at, what in events if not what.startswith("r")]
    assert escalations[0] == (96, "managers")
    # With public holidays switched off in the policy, Friday is a working day.
    working = dataclasses.replace(POLICY, hours=WorkingHours(holidays=Holidays(public=False)))
    events = simulate(member(LEAKED, joined=thursday_16), thursday_16, 2, working)
    assert [round(at * 24) for at, what in events if what.startswith("reminder")][:2] == [0, 19]
