"""NUDGE_POLICY_FILE: every key optional, every mistake named."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.checklist.model import Check
from bot.core.config import load_settings
from bot.core.errors import ConfigError
from bot.nudges.days_off import Holidays
from bot.nudges.hours import zone
from bot.nudges.policy_file import PolicyError, parse_policy
from bot.nudges.settings import DAY, NudgePolicy


def test_an_empty_file_means_the_defaults() -> None:
    assert parse_policy("") == NudgePolicy()


def test_every_knob_can_be_set() -> None:
    policy = parse_policy(
        """
        default_time_zone = "Europe/Berlin"
        snooze_limit = 2
        snooze_days = [1, 14]

        [working_hours]
        start = "08:30"
        end = "17:00"
        days = ["mon", "tue", "wed", "thu"]

        [every_check]
        cadence_days = [0, 3, 7]
        cap = 4

        [checks.two_step]
        grace_days = 3
        pending_days = 5

        [checks.recovery_phone]
        enabled = false

        [urgent]
        every_working_hours = 2
        snooze_max_hours = 1

        [delivery]
        messages_per_minute = 120
        sweep_every_minutes = 10
        """
    )
    assert policy.default_time_zone == "Europe/Berlin"
    assert [choice.label for choice in policy.snoozes] == ["1 day", "2 weeks"]
    assert (policy.hours.start, policy.hours.end, policy.hours.days) == (
        time(8, 30),
        time(17),
        frozenset({0, 1, 2, 3}),
    )
    two_step = policy.check(Check.TWO_STEP)
    assert (two_step.grace, two_step.cap, two_step.cadence[1]) == (3 * DAY, 4, 3 * DAY)
    assert two_step.pending == 5 * DAY  # how long a self-report waits for the platform
    assert policy.check(Check.AUTHENTICATOR).pending == 3 * DAY  # the default
    assert policy.check(Check.AUTHENTICATOR).grace == 14 * DAY  # its own default kept
    assert not policy.check(Check.RECOVERY_PHONE).enabled
    assert policy.urgent.every == timedelta(hours=2)
    assert policy.pace.messages_per_minute == 120
    assert policy.sweep_every == timedelta(minutes=10)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("snooze_limit = -1", "snooze_limit"),
        ("[every_check]\ncadence_days = [1, 2]", "cadence_days"),
        ("[checks.two_stepp]\ngrace_days = 1", "checks.two_stepp"),
        ("[working_hours]\nstart = '19:00'", "working_hours"),
        ("[working_hours]\ndays = ['monday']", "working_hours.days"),
        ("default_time_zone = 'Mars/Base'", "default_time_zone"),
        ("[delivery]\nmessages_per_minute = 0", "delivery.messages_per_minute"),
        ("colour = 'blue'", "colour"),
        ("[holidays]\ncountry = 'XX'", "holidays.country"),
        ("[holidays]\ncountry = false", "holidays.country"),
        ("[holidays]\nextra = ['12-32']", "holidays.extra"),
        ("[holidays]\nextra = '12-24'", "holidays.extra"),
        ("[holidays]\nregion = 'BY'", "holidays.region"),
        ("this is not toml", "TOML"),
    ],
)
def test_a_mistake_is_named(text: str, named: str) -> None:
    with pytest.raises(PolicyError, match=named.replace(".", r"\.")):
        parse_policy(text)


def test_holidays_follow_the_members_country_unless_the_file_says_otherwise() -> None:
    assert parse_policy("").hours.holidays == Holidays()
    assert Holidays().extra == {(12, 24), (12, 25), (12, 26), (12, 31), (1, 1)}
    forced = parse_policy('[holidays]\ncountry = "de"\nextra = ["05-04", "02-29"]').hours
    assert forced.holidays == Holidays(country="DE", extra=frozenset({(5, 4), (2, 29)}))
    unity_day, in_new_york = datetime(2025, 10, 3, 15, 0, tzinfo=UTC), zone("America/New_York")
    assert not forced.contains(unity_day, in_new_york)
    assert forced.contains(datetime(2026, 12, 24, 15, 0, tzinfo=UTC), in_new_york)
    off = parse_policy('[holidays]\ncountry = "none"\nextra = []').hours
    assert off.holidays == Holidays(public=False, extra=frozenset())
    assert off.contains(datetime(2026, 12, 25, 9, 0, tzinfo=UTC), zone("Europe/Berlin"))
    assert parse_policy('[holidays]\ncountry = "auto"').hours.holidays == Holidays()


def test_the_setting_reads_the_file_and_reports_problems_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "nudges.toml"
    path.write_text("[urgent]\nevery_working_hours = 3\n")
    settings = load_settings({"NUDGE_POLICY_FILE": str(path)}, mode="tool")
    assert settings.nudge_policy.urgent.every == timedelta(hours=3)
    path.write_text("[urgent]\nevery_working_hours = 'often'\n")
    with pytest.raises(ConfigError, match=r"NUDGE_POLICY_FILE: urgent\.every_working_hours"):
        load_settings({"NUDGE_POLICY_FILE": str(path)}, mode="tool")
    with pytest.raises(ConfigError, match="NUDGE_POLICY_FILE cannot be read"):
        load_settings({"NUDGE_POLICY_FILE": str(tmp_path / "missing.toml")}, mode="tool")


def test_scheduled_jobs_can_be_switched_off_for_one_process() -> None:
    assert load_settings({}, mode="tool").scheduled_jobs
    assert not load_settings({"SCHEDULED_JOBS": "off"}, mode="tool").scheduled_jobs
    with pytest.raises(ConfigError, match="SCHEDULED_JOBS must be on or off"):
        load_settings({"SCHEDULED_JOBS": "sometimes"}, mode="tool")
