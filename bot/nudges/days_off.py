"""Holidays: days that are not working days although they fall on one, for a member's time zone.

Two kinds: the public holidays of the member's country (the `holidays` package; the country comes
from the member's Slack time zone through the IANA zone table, or one country is set for everyone),
and dates every member has off (24-26 December and 31 December-1 January unless the policy file
says otherwise).

The sweep asks about 50,000 members at a time, so every answer is a dictionary look-up: the
country of each zone name and the holidays of each (country, year) are worked out once and kept.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo

logger = logging.getLogger("security_bot.nudges")

MonthDay = tuple[int, int]
YEAR_END: frozenset[MonthDay] = frozenset({(12, 24), (12, 25), (12, 26), (12, 31), (1, 1)})
LANGUAGE = "en_US"  # holiday names in English where the package has them, else its own language


@dataclass(frozen=True)
class Holidays:
    """`country` None: each member's own country, from their time zone. `public` False: no
    country's public holidays at all, only `extra`."""

    country: str | None = None
    public: bool = True
    extra: frozenset[MonthDay] = YEAR_END

    def __post_init__(self) -> None:
        if self.country is not None and not _supported(self.country):
            raise ValueError(f"{self.country!r} is not a country code the holidays package knows")
        for month, day in self.extra:
            date(2000, month, day)  # a leap year, so 02-29 is a date; raises ValueError otherwise
        if len(self.extra) >= 366:
            raise ValueError("every day of the year cannot be a holiday")

    def is_holiday(self, day: date, tz: ZoneInfo) -> bool:
        """O(1): the hot path of every working-hours question."""
        if (day.month, day.day) in self.extra:
            return True
        country = self.country_of(tz)
        return country is not None and day in _public_holidays(country, day.year)

    def name(self, day: date, tz: ZoneInfo) -> str | None:
        """Why `day` is off, in words: "public holiday (Christmas Day)"; None on an ordinary day."""
        country = self.country_of(tz)
        public = _public_holidays(country, day.year).get(day) if country else None
        if public is not None:
            return f"public holiday ({public})"
        if (day.month, day.day) in self.extra:
            return f"company holiday ({day.day} {day:%B})"
        return None

    def country_of(self, tz: ZoneInfo) -> str | None:
        if not self.public:
            return None
        return self.country or country_of_zone(tz.key)


def country_of_zone(name: str | None) -> str | None:
    """The ISO 3166 country of an IANA zone name: Europe/Berlin is DE, US/Eastern (a link to
    America/New_York) is US; UTC, Etc/… and unknown names have none."""
    if not name:
        return None
    countries, links = _zone_table()
    return countries.get(name) or countries.get(links.get(name, ""))


@lru_cache(maxsize=1024)
def _public_holidays(country: str, year: int) -> Mapping[date, str]:
    import holidays  # here, so that only working-hours questions pay for importing it

    try:
        found = holidays.country_holidays(country, years=year, language=LANGUAGE)
    except NotImplementedError:  # a country the package does not cover: no public holidays
        return {}
    return dict(found.items())


@lru_cache(maxsize=256)
def _supported(country: str) -> bool:
    import holidays

    return country in holidays.list_supported_countries()


@lru_cache(maxsize=1)
def _zone_table() -> tuple[dict[str, str], dict[str, str]]:
    """zone.tab (zone → country) and the links of tzdata.zi (old name → current name), from the
    `tzdata` package, else from the system's time zone database."""
    countries: dict[str, str] = {}
    links: dict[str, str] = {}
    for line in _read("zone.tab"):
        if line and not line.startswith("#"):
            fields = line.split("\t")
            if len(fields) >= 3:
                countries[fields[2]] = fields[0]
    for line in _read("tzdata.zi"):
        if line.startswith("L "):
            _, target, alias = line.split()[:3]
            links[alias] = target
    if not countries:
        logger.warning("no time zone table found: public holidays are not counted")
    return countries, links


def _read(name: str) -> Iterator[str]:
    try:
        yield from (
            resources.files("tzdata").joinpath("zoneinfo").joinpath(name).read_text().splitlines()
        )
        return
    except (ModuleNotFoundError, OSError):
        pass
    for folder in TZPATH:
        path = Path(folder) / name
        if path.is_file():
            yield from path.read_text().splitlines()
            return
