"""The targets per severity as a workspace sets them: time to take and time to resolve, typed by a
security admin in `/security settings` ("15m", "4h", "3d", also "4 Std", "3 Tage") and shown back
in the same short form, whatever the reader's language, so what the modal shows can be saved
again as it is. The documented defaults are bot/cases/severity.py's TARGETS.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta

from bot.cases.severity import TARGETS, Severity, Target

Targets = Mapping[Severity, Target]
SHORTEST = timedelta(minutes=1)
LONGEST = timedelta(days=90)
KINDS = ("take", "resolve")

_UNITS = {
    "m": 1,
    "min": 1,
    "mins": 1,
    "minute": 1,
    "minutes": 1,
    "minuten": 1,
    "h": 60,
    "hr": 60,
    "hrs": 60,
    "hour": 60,
    "hours": 60,
    "std": 60,
    "stunde": 60,
    "stunden": 60,
    "d": 24 * 60,
    "day": 24 * 60,
    "days": 24 * 60,
    "t": 24 * 60,
    "tag": 24 * 60,
    "tage": 24 * 60,
    "tagen": 24 * 60,
    "w": 7 * 24 * 60,
    "week": 7 * 24 * 60,
    "weeks": 7 * 24 * 60,
    "woche": 7 * 24 * 60,
    "wochen": 7 * 24 * 60,
}
_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([a-zäöü]+)\.?")


class NotADuration(ValueError):
    """Typed text that is not a duration with its unit."""


def parse_duration(text: str) -> timedelta:
    """ "15m", "4 h", "1h 30m", "1.5 days", "3 Tage": whole minutes (at least one). A number
    without its unit is refused: minutes or hours, nobody could tell."""
    typed = text.strip().lower()
    if not typed:
        raise NotADuration(text)
    minutes = 0.0
    position = 0
    for found in _PART.finditer(typed):
        if typed[position : found.start()].strip(" ,+"):
            raise NotADuration(text)
        amount, unit = found.groups()
        if unit not in _UNITS:
            raise NotADuration(text)
        minutes += float(amount.replace(",", ".")) * _UNITS[unit]
        position = found.end()
    if position == 0 or typed[position:].strip():
        raise NotADuration(text)
    return timedelta(minutes=round(minutes))


def duration_text(duration: timedelta) -> str:
    """The short form `parse_duration` reads back: "15m", "4h", "3d", "1d 12h", "1h 30m"."""
    minutes = int(duration.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        f"{value}{unit}" for value, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if value
    ]
    return " ".join(parts) or "0m"


def field_name(kind: str, level: Severity) -> str:
    """A workspace setting's name for one target: "take_critical", "resolve_low"."""
    return f"{kind}_{level.value}"


FIELDS = tuple(field_name(kind, level) for level in Severity for kind in KINDS)


def targets_of(values: Mapping[str, timedelta | None]) -> dict[Severity, Target]:
    """The targets in force from per-field values (None or missing: the documented default)."""
    found = {}
    for level in Severity:
        default = TARGETS[level]
        take = values.get(field_name("take", level)) or default.take
        resolve = values.get(field_name("resolve", level)) or default.resolve
        found[level] = Target(take=take, resolve=resolve)
    return found


def stored_of(values: Mapping[str, timedelta | None]) -> dict[str, dict[str, int]] | None:
    """What the settings row keeps (minutes per severity and kind, chosen values only), or None
    when every target follows the default."""
    kept: dict[str, dict[str, int]] = {}
    for level in Severity:
        for kind in KINDS:
            value = values.get(field_name(kind, level))
            if value is not None:
                kept.setdefault(level.value, {})[kind] = int(value.total_seconds() // 60)
    return kept or None


def from_stored(stored: object) -> dict[str, timedelta | None]:
    """Per-field values from the settings row's column; anything unreadable is the default."""
    values: dict[str, timedelta | None] = dict.fromkeys(FIELDS)
    if not isinstance(stored, dict):
        return values
    for level in Severity:
        chosen = stored.get(level.value)
        if not isinstance(chosen, dict):
            continue
        for kind in KINDS:
            minutes = chosen.get(kind)
            if isinstance(minutes, int) and minutes > 0:
                values[field_name(kind, level)] = timedelta(minutes=minutes)
    return values
