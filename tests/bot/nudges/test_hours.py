"""Working hours in the member's own time zone, across daylight-saving changes and holidays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.nudges.days_off import Holidays, country_of_zone
from bot.nudges.hours import WorkingHours, zone

HOURS = WorkingHours()
BERLIN, NEW_YORK, TOKYO = zone("Europe/Berlin"), zone("America/New_York"), zone("Asia/Tokyo")
UTC_ZONE = zone("UTC")


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_the_same_instant_is_working_time_in_one_zone_and_night_in_another() -> None:
    tuesday_14_utc = utc(2026, 11, 24, 14, 0)  # Berlin 15:00, New York 09:00, Tokyo 23:00
    assert HOURS.contains(tuesday_14_utc, BERLIN)
    assert HOURS.contains(tuesday_14_utc, NEW_YORK)
    assert not HOURS.contains(tuesday_14_utc, TOKYO)


def test_weekends_and_the_edges_of_the_day_are_outside() -> None:
    assert not HOURS.contains(utc(2026, 11, 28, 10, 0), BERLIN)  # a Saturday
    assert HOURS.contains(utc(2026, 11, 24, 8, 0), BERLIN)  # 09:00 opens
    assert not HOURS.contains(utc(2026, 11, 24, 17, 0), BERLIN)  # 18:00 has closed
    assert HOURS.next_open(utc(2026, 11, 27, 18, 0), BERLIN) == utc(2026, 11, 30, 8, 0)


def test_nine_oclock_follows_the_wall_clock_across_the_autumn_change() -> None:
    # Berlin leaves summer time on Sunday 25 October 2026: 09:00 is 07:00 UTC on the Friday
    # before and 08:00 UTC on the Monday after.
    assert HOURS.contains(utc(2026, 10, 23, 7, 30), BERLIN)
    assert not HOURS.contains(utc(2026, 10, 26, 7, 30), BERLIN)
    assert HOURS.next_open(utc(2026, 10, 26, 7, 30), BERLIN) == utc(2026, 10, 26, 8, 0)
    # New York springs forward on 8 March 2026: 09:00 is 14:00 UTC before, 13:00 UTC after.
    assert HOURS.next_open(utc(2026, 3, 6, 23, 0), NEW_YORK) == utc(2026, 3, 9, 13, 0)
    assert not HOURS.contains(utc(2026, 3, 6, 13, 30), NEW_YORK)


def test_working_time_skips_nights_weekends_and_the_hour_the_clocks_change() -> None:
    friday_16_summer = utc(2026, 10, 23, 14, 0)  # 16:00 CEST
    # 2 hours on Friday, 2 on Monday: Monday 11:00 CET, which is 10:00 UTC.
    assert HOURS.add(friday_16_summer, timedelta(hours=4), BERLIN) == utc(2026, 10, 26, 10, 0)
    one_day = HOURS.add(utc(2026, 11, 24, 9, 0), HOURS.day_length, BERLIN)
    assert one_day == utc(2026, 11, 25, 9, 0)


def test_an_unknown_time_zone_falls_back_to_the_default() -> None:
    assert zone("Mars/Olympus_Mons", "Europe/Berlin") is BERLIN
    assert zone(None).key == "UTC"


def test_a_public_holiday_of_the_members_country_is_not_a_working_day() -> None:
    unity_day = utc(2025, 10, 3, 9, 0)  # Friday 3 October 2025, 11:00 in Berlin
    assert not HOURS.contains(unity_day, BERLIN)
    assert HOURS.contains(unity_day + timedelta(hours=5), NEW_YORK)  # 10:00 in New York
    assert HOURS.next_open(unity_day, BERLIN) == utc(2025, 10, 6, 7, 0)  # Monday 09:00
    assert HOURS.holidays_until(unity_day, utc(2025, 10, 6, 7, 0), BERLIN) == (
        "public holiday (German Unity Day)",
    )
    independence_day = utc(2025, 7, 4, 15, 0)  # Friday 4 July 2025, 11:00 in New York
    assert not HOURS.contains(independence_day, NEW_YORK)
    assert HOURS.contains(independence_day - timedelta(hours=1), BERLIN)  # 16:00 in Berlin


def test_christmas_and_new_year_are_off_everywhere_by_default() -> None:
    christmas = utc(2026, 12, 25, 10, 0)  # a Friday
    for tz in (BERLIN, UTC_ZONE):
        assert not HOURS.contains(christmas, tz)
    assert not HOURS.contains(utc(2026, 12, 24, 10, 0), UTC_ZONE)  # not a public holiday in UTC
    assert not HOURS.contains(utc(2026, 12, 31, 10, 0), UTC_ZONE)
    # From Thursday 24 December the next working hours in Berlin are on Monday 28 December.
    eve = utc(2026, 12, 24, 10, 0)
    assert HOURS.next_open(eve, BERLIN) == utc(2026, 12, 28, 8, 0)
    assert HOURS.holidays_until(eve, utc(2026, 12, 28, 8, 0), BERLIN) == (
        "company holiday (24 December)",
        "public holiday (Christmas Day)",
    )  # Saturday 26 December is a weekend day, not named


def test_working_time_skips_a_weekend_and_the_holidays_around_it() -> None:
    thursday_16 = utc(2026, 4, 2, 14, 0)  # 16:00 in Berlin, before Good Friday
    # 2 hours on Thursday; Good Friday, the weekend and Easter Monday off; 2 hours on Tuesday.
    assert HOURS.add(thursday_16, timedelta(hours=4), BERLIN) == utc(2026, 4, 7, 9, 0)
    assert HOURS.add(thursday_16, timedelta(hours=4), TOKYO) == utc(
        2026, 4, 3, 4, 0
    )  # Friday 13:00
    # One working day from Wednesday 23 December 10:00 in Berlin: Monday 28 December 10:00.
    day = HOURS.add(utc(2026, 12, 23, 9, 0), HOURS.day_length, BERLIN)
    assert day == utc(2026, 12, 28, 9, 0)


def test_the_country_comes_from_the_time_zone_or_the_policy() -> None:
    assert country_of_zone("Europe/Berlin") == "DE"
    assert country_of_zone("America/New_York") == "US"
    assert country_of_zone("US/Eastern") == "US"  # an old name, linked to America/New_York
    assert country_of_zone("Asia/Calcutta") == "IN"
    assert [country_of_zone(name) for name in ("UTC", "Etc/UTC", "Mars/Base", None)] == [None] * 4
    unity_day = utc(2025, 10, 3, 9, 0)
    assert HOURS.contains(unity_day, UTC_ZONE)
    german = WorkingHours(holidays=Holidays(country="DE"))
    assert not german.contains(unity_day, UTC_ZONE)
    assert german.contains(utc(2025, 7, 4, 15, 0), NEW_YORK)  # 4 July is a working day in DE
    none = WorkingHours(holidays=Holidays(public=False, extra=frozenset()))
    assert none.contains(unity_day, BERLIN)
    assert none.contains(utc(2026, 12, 25, 10, 0), BERLIN)
