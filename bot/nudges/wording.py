"""The words of a reminder's "why", kept with the reminder and shown by "Why am I getting this?":
the same for everyone who shares a moment, zone and language, so a sweep builds each once."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.core.i18n import ENGLISH, moment, ngettext, number
from bot.core.words import plural
from bot.nudges.settings import DAY


@lru_cache(maxsize=4096)
def after_grace(grace: timedelta, ended: datetime, zone: ZoneInfo, reader: str) -> str:
    """Why a first reminder comes after a grace period: the same words for everyone who joined at
    the same moment in the same zone (a whole import does), so a sweep builds them once."""
    days = grace / DAY
    return ngettext(
        "first reminder (the {count} day's grace for new members ended {when})",
        "first reminder (the {count} days' grace for new members ended {when})",
        int(days) if days == int(days) else 2,
    ).format(count=figure(days), when=when(ended, zone, reader))


@lru_cache(maxsize=4096)
def when(at: datetime, zone: ZoneInfo, reader: str) -> str:
    """A moment in the member's own time zone, named, e.g. "Mon 7 Dec 2026 09:16 (Europe/Berlin)":
    these words are kept in the reminder and shown by "Why am I getting this?". Another
    language than English has its own conventions (Babel)."""
    if reader != ENGLISH:
        return moment(at, zone.key)
    local = at.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M} ({zone.key})"


def figure(value: float) -> str:
    """3.0 reads "3", 0.5 reads "0.5" (in German "0,5")."""
    return number(int(value) if value == int(value) else value)


def reminders_so_far(count: int) -> str:
    return plural(count, "reminder")
