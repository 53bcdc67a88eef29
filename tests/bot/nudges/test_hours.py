"""Working hours in the member's own time zone, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.nudges.hours import WorkingHours, zone

HOURS = WorkingHours()
BERLIN, NEW_YORK, TOKYO = zone("Europe/Berlin"), zone("America/New_York"), zone("Asia/Tokyo")


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
