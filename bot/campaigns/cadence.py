"""A campaign's reminder schedule: denser as its deadline nears. Pure.

Weekly while more than two weeks are left, every 3 days in the last two weeks, daily in the
last 3 days. The reminder policy (bot/nudges/policy.py) asks `next_reminder` for a gap a
campaign covers and takes whichever is sooner, the campaign's or its own cadence: a campaign
makes reminders come sooner, never later, and never more than the cap (working hours, snoozes
and the cap stay the policy's). After the deadline the policy's own cadence goes on alone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.core.i18n import _
from bot.stats.words import long_day

DAY = timedelta(days=1)
# (from this long before the deadline, a reminder every ...), the last phase first
PHASES = ((3 * DAY, DAY), (14 * DAY, 3 * DAY), (None, 7 * DAY))


def interval(left: timedelta) -> timedelta:
    """How often a campaign reminds when `left` is the time still left before its deadline."""
    for within, every in PHASES:
        if within is None or left <= within:
            return every
    raise AssertionError("the last phase has no bound")  # pragma: no cover


def next_reminder(last: datetime, due_at: datetime) -> datetime | None:
    """When the campaign wants the next reminder after one at `last`: the first moment at
    which the time since `last` is at least the interval of the phase that moment is in.
    None once the deadline comes first."""
    candidates = []
    for within, every in PHASES:
        at = last + every
        if within is not None:
            at = max(at, due_at - within)
        candidates.append(at)
    found = min(candidates)
    return found if found < due_at else None


def sooner(due: datetime, last: datetime, due_at: datetime) -> datetime:
    """`due` (the policy's own next reminder), or the campaign's when that comes first."""
    found = next_reminder(last, due_at)
    return due if found is None or found >= due else found


def sooner_why(why: str, deadline: date) -> str:
    """Why a reminder came at the campaign's pace, for "Why am I getting this?"."""
    # Translators: {why} is "reminder 3 of 6, the last one …"; {date} the campaign's last day
    return _("{why}, sooner as the campaign's deadline nears ({date})").format(
        why=why, date=long_day(deadline)
    )
