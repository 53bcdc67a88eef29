"""Figures and days as the statistics, the weekly summary and its chart show them, in the
reader's language: "50%" / "50 %", "07 Dec" / "07. Dez.", "1 Sep 2026" / "01.09.2026"."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from babel.dates import format_date

from bot.core.i18n import ENGLISH, LANGUAGES, _, day, language, number


def pct(value: float | None) -> str:
    if value is None:
        return _("applies to no one yet")
    # Translators: a share in percent; German puts a space before the sign ("50 %").
    return _("{percent}%").format(percent=number(round(value)))


def short_day(when: date) -> str:
    """A day without its year, for a chart's axis and a compact line."""
    reader = language()
    if reader == ENGLISH or reader not in LANGUAGES:
        return f"{when:%d %b}"
    return format_date(when, "dd. MMM", locale=reader)


def long_day(when: date) -> str:
    return day(datetime.combine(when, time(12), tzinfo=UTC), "UTC")
