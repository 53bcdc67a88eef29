"""Working hours in a member's own time zone: when a reminder may arrive, and working-time sums.

Pure functions of aware datetimes. Each day's window is built from the local wall clock with
zoneinfo, so 09:00 stays 09:00 across a daylight-saving change. A holiday (bot/nudges/days_off.py)
has no window, like a weekend: every question here skips it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.nudges.days_off import Holidays

WEEKDAYS = frozenset(range(5))  # Monday is 0
_SEARCH_DAYS = 400  # a year has a working day: Holidays refuses to make every date one
_WINDOWS_KEPT = 10_000


@lru_cache(maxsize=1024)
def zone(name: str | None, default: str = "UTC") -> ZoneInfo:
    """The member's time zone (Slack's `tz`), or `default` when unknown or not a zone name."""
    for candidate in (name, default):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


@dataclass(frozen=True)
class WorkingHours:
    start: time = time(9)
    end: time = time(18)
    days: frozenset[int] = WEEKDAYS
    holidays: Holidays = field(default_factory=Holidays)
    # Each (day, zone)'s window, worked out once: a sweep asks for every member, in a few zones.
    _windows: dict[tuple[date, ZoneInfo], tuple[datetime, datetime] | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise ValueError("working hours must start before they end")
        if not self.days or not self.days <= frozenset(range(7)):
            raise ValueError("working days must be weekday numbers, Monday 0 to Sunday 6")

    @property
    def day_length(self) -> timedelta:
        """One working day, in working time."""
        return datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)

    def window(self, day: date, tz: ZoneInfo) -> tuple[datetime, datetime] | None:
        """That day's working hours as UTC instants, or None on a day off or a holiday."""
        key = (day, tz)
        if key in self._windows:
            return self._windows[key]
        found = None
        if day.weekday() in self.days and not self.holidays.is_holiday(day, tz):
            opens = datetime.combine(day, self.start, tzinfo=tz).astimezone(UTC)
            closes = datetime.combine(day, self.end, tzinfo=tz).astimezone(UTC)
            found = opens, closes
        if len(self._windows) >= _WINDOWS_KEPT:
            self._windows.clear()  # a process that runs for years meets many days
        self._windows[key] = found
        return found

    def contains(self, moment: datetime, tz: ZoneInfo) -> bool:
        found = self.window(moment.astimezone(tz).date(), tz)
        return found is not None and found[0] <= moment < found[1]

    def next_open(self, moment: datetime, tz: ZoneInfo) -> datetime:
        """`moment` itself inside working hours, else when they next begin."""
        today = moment.astimezone(tz).date()
        for offset in range(_SEARCH_DAYS):
            found = self.window(today + timedelta(days=offset), tz)
            if found is None:
                continue
            opens, closes = found
            if moment < opens:
                return opens
            if moment < closes:
                return moment
        raise AssertionError("no working day within a year")  # excluded by __post_init__

    def holidays_until(self, moment: datetime, until: datetime, tz: ZoneInfo) -> tuple[str, ...]:
        """The holidays on working days from `moment` to `until`, in words, to say why working
        hours stay closed: ("public holiday (Christmas Day)",). A weekend is not named."""
        day, last = moment.astimezone(tz).date(), until.astimezone(tz).date()
        names: list[str] = []
        while day <= last:
            if day.weekday() in self.days:
                name = self.holidays.name(day, tz)
                if name is not None:
                    names.append(name)
            day += timedelta(days=1)
        return tuple(names)

    def add(self, moment: datetime, working_time: timedelta, tz: ZoneInfo) -> datetime:
        """The instant `working_time` of working hours after `moment` (nights and days off skipped)."""
        current = self.next_open(moment, tz)
        left = working_time
        while True:
            found = self.window(current.astimezone(tz).date(), tz)
            assert found is not None  # next_open always lands inside a window
            available = found[1] - current
            if left <= available:
                return current + left
            left -= available
            current = self.next_open(found[1], tz)
