"""The nudge policy file (NUDGE_POLICY_FILE, TOML): every key optional, defaults in README."""

from __future__ import annotations

import dataclasses
import itertools
import tomllib
from collections.abc import Mapping
from datetime import date, time, timedelta
from typing import Any

from bot.checklist.model import Check
from bot.nudges.days_off import Holidays
from bot.nudges.hours import WorkingHours, zone
from bot.nudges.settings import (
    DAY,
    DEFAULT_CHECKS,
    CheckPolicy,
    DeliveryPace,
    NudgePolicy,
    SnoozeChoice,
    UrgentPolicy,
)

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CHECK_KEYS = {"grace_days", "cadence_days", "then_every_days", "cap", "admins_after_days"}
_CHECK_KEYS |= {"pending_days"}  # 2-step verification: the wait for the platform to confirm
_TOP_KEYS = {"default_time_zone", "snooze_limit", "snooze_days", "working_hours"}
_TOP_KEYS |= {"every_check", "checks", "urgent", "delivery", "holidays"}


class PolicyError(ValueError):
    """A problem in the policy file; the message names the key."""


def parse_policy(text: str) -> NudgePolicy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"not valid TOML ({error})") from None
    return policy_from(data)


def policy_from(data: Mapping[str, Any]) -> NudgePolicy:
    _known(data, _TOP_KEYS, "")
    default = NudgePolicy()
    time_zone = _text(data, "default_time_zone", default.default_time_zone)
    if zone(time_zone, "").key != time_zone:
        raise PolicyError(f"default_time_zone: {time_zone!r} is not a time zone name")
    try:
        return dataclasses.replace(
            default,
            checks=_checks(data),
            urgent=_urgent(_table(data, "urgent")),
            hours=_hours(_table(data, "working_hours"), _holidays(_table(data, "holidays"))),
            default_time_zone=time_zone,
            snoozes=_snoozes(data),
            snooze_limit=_number(data, "snooze_limit", default.snooze_limit, minimum=0),
            **_delivery(_table(data, "delivery")),
        )
    except PolicyError:
        raise
    except ValueError as error:
        raise PolicyError(str(error)) from None


def _checks(data: Mapping[str, Any]) -> dict[Check, CheckPolicy]:
    shared = _table(data, "every_check")
    _known(shared, _CHECK_KEYS, "every_check.")
    per_check = _table(data, "checks")
    _known(per_check, {check.value for check in Check}, "checks.")
    checks: dict[Check, CheckPolicy] = {}
    for check, base in DEFAULT_CHECKS.items():
        own = _table(per_check, check.value, f"checks.{check.value}")
        _known(own, _CHECK_KEYS | {"enabled"}, f"checks.{check.value}.")
        merged = {**shared, **own}
        prefix = f"checks.{check.value}." if own else "every_check."
        cadence = merged.get("cadence_days")
        checks[check] = CheckPolicy(
            grace=_days(merged, "grace_days", base.grace, prefix),
            cadence=base.cadence if cadence is None else _cadence(cadence, prefix),
            then_every=_days(merged, "then_every_days", base.then_every, prefix),
            cap=_number(merged, "cap", base.cap, minimum=1, prefix=prefix),
            admins_after=_days(merged, "admins_after_days", base.admins_after, prefix),
            enabled=_flag(merged, "enabled", base.enabled, prefix),
            pending=_days(merged, "pending_days", base.pending, prefix),
        )
    return checks


def _urgent(table: Mapping[str, Any]) -> UrgentPolicy:
    keys = {"every_working_hours", "escalate_after_working_days", "admins_after_working_days"}
    _known(table, keys | {"snooze_max_hours"}, "urgent.")
    base = UrgentPolicy()
    hours = timedelta(hours=1)
    return UrgentPolicy(
        every=_float(table, "every_working_hours", base.every / hours, "urgent.") * hours,
        escalate_after_days=_float(
            table, "escalate_after_working_days", base.escalate_after_days, "urgent."
        ),
        admins_after_days=_float(
            table, "admins_after_working_days", base.admins_after_days, "urgent."
        ),
        snooze_max=_float(table, "snooze_max_hours", base.snooze_max / hours, "urgent.") * hours,
    )


def _hours(table: Mapping[str, Any], holidays: Holidays) -> WorkingHours:
    _known(table, {"start", "end", "days"}, "working_hours.")
    base = WorkingHours()
    days = table.get("days")
    if days is not None:
        if not isinstance(days, list) or any(d not in DAY_NAMES for d in days):
            raise PolicyError("working_hours.days: a list of mon, tue, wed, thu, fri, sat, sun")
        chosen = frozenset(DAY_NAMES.index(d) for d in days)
    else:
        chosen = base.days
    try:
        return WorkingHours(
            start=_clock(table, "start", base.start),
            end=_clock(table, "end", base.end),
            days=chosen,
            holidays=holidays,
        )
    except ValueError as error:
        raise PolicyError(f"working_hours: {error}") from None


def _holidays(table: Mapping[str, Any]) -> Holidays:
    """country: "auto" (each member's, from their time zone), "none", or a code such as "DE";
    extra: month-day dates everybody has off, e.g. ["12-24", "01-01"]."""
    _known(table, {"country", "extra"}, "holidays.")
    country = _text(table, "country", "auto", "holidays.")
    raw = table.get("extra")
    extra = Holidays().extra
    if raw is not None:
        if not isinstance(raw, list) or not all(isinstance(d, str) for d in raw):
            raise PolicyError('holidays.extra: a list of month-day dates such as "12-24"')
        extra = frozenset(_month_day(d) for d in raw)
        if len(extra) >= 366:
            raise PolicyError("holidays.extra: every day of the year cannot be a holiday")
    try:
        if country == "auto":
            return Holidays(extra=extra)
        if country == "none":
            return Holidays(public=False, extra=extra)
        return Holidays(country=country.upper(), extra=extra)
    except ValueError as error:
        raise PolicyError(f"holidays.country: {error}") from None


def _month_day(text: str) -> tuple[int, int]:
    try:
        month, day = (int(part) for part in text.split("-"))
        date(2000, month, day)  # a leap year: 02-29 is a date
    except ValueError:
        raise PolicyError(
            f'holidays.extra: {text!r} is not a month-day date such as "12-24"'
        ) from None
    return month, day


def _snoozes(data: Mapping[str, Any]) -> tuple[SnoozeChoice, ...]:
    raw = data.get("snooze_days")
    if raw is None:
        return NudgePolicy().snoozes
    if (
        not isinstance(raw, list)
        or not raw
        or any(isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in raw)
    ):
        raise PolicyError("snooze_days: a list of whole days, at least 1 each")
    return tuple(SnoozeChoice(f"{days}d", _label(days), days * DAY) for days in sorted(set(raw)))


def _delivery(table: Mapping[str, Any]) -> dict[str, Any]:
    keys = {"messages_per_minute", "updates_per_minute", "sweep_every_minutes"}
    _known(table, keys | {"deliver_every_seconds"}, "delivery.")
    base, pace = NudgePolicy(), DeliveryPace()
    sweep = _number(
        table, "sweep_every_minutes", int(base.sweep_every / timedelta(minutes=1)), 1, "delivery."
    )
    deliver = _number(
        table, "deliver_every_seconds", int(base.deliver_every.total_seconds()), 1, "delivery."
    )
    return {
        "sweep_every": timedelta(minutes=sweep),
        "deliver_every": timedelta(seconds=deliver),
        "pace": DeliveryPace(
            messages_per_minute=_number(
                table, "messages_per_minute", pace.messages_per_minute, 1, "delivery."
            ),
            updates_per_minute=_number(
                table, "updates_per_minute", pace.updates_per_minute, 1, "delivery."
            ),
        ),
    }


# -- small readers -----------------------------------------------------------------------------


def _known(table: Mapping[str, Any], keys: set[str], prefix: str) -> None:
    unknown = sorted(set(table) - keys)
    if unknown:
        raise PolicyError(f"{prefix}{unknown[0]}: unknown key")


def _table(data: Mapping[str, Any], key: str, name: str | None = None) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise PolicyError(f"{name or key}: must be a table")
    return value


def _text(data: Mapping[str, Any], key: str, default: str, prefix: str = "") -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise PolicyError(f"{prefix}{key}: must be text")
    return value


def _number(
    data: Mapping[str, Any], key: str, default: int, minimum: int = 0, prefix: str = ""
) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise PolicyError(f"{prefix}{key}: a whole number, at least {minimum}")
    return value


def _float(data: Mapping[str, Any], key: str, default: float, prefix: str) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise PolicyError(f"{prefix}{key}: a positive number")
    return float(value)


def _days(data: Mapping[str, Any], key: str, default: timedelta, prefix: str) -> timedelta:
    value = data.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise PolicyError(f"{prefix}{key}: a number of days, 0 or more")
    return value * DAY


def _cadence(value: Any, prefix: str) -> tuple[timedelta, ...]:
    ok = isinstance(value, list) and value and value[0] == 0
    ok = ok and all(isinstance(d, int | float) and not isinstance(d, bool) for d in value)
    ok = ok and all(b > a for a, b in itertools.pairwise(value))
    if not ok:
        raise PolicyError(f"{prefix}cadence_days: increasing days from 0, e.g. [0, 2, 5, 10]")
    return tuple(day * DAY for day in value)


def _flag(data: Mapping[str, Any], key: str, default: bool, prefix: str) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise PolicyError(f"{prefix}{key}: true or false")
    return value


def _clock(data: Mapping[str, Any], key: str, default: time) -> time:
    value = data.get(key)
    if value is None:
        return default
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise PolicyError(f"working_hours.{key}: a time such as 09:00") from None


def _label(days: int) -> str:
    if days % 7 == 0:
        weeks = days // 7
        return f"{weeks} week" + ("" if weeks == 1 else "s")
    return f"{days} day" + ("" if days == 1 else "s")
