"""The case figures as `/security stats` and the admins' Home tab show them. Pure."""

from __future__ import annotations

from datetime import timedelta

from bot.cases.figures import WEEKS, CaseFigures
from bot.cases.severity import SEVERITY_ICONS, SEVERITY_INLINE
from bot.cases.wording import elapsed
from bot.core.i18n import _, ngettext, number


def case_figures_text(figures: CaseFigures) -> str:
    """Open cases by severity, then the last 12 weeks' medians and missed targets."""
    return "\n".join([_("*Cases*"), open_line(figures), weeks_line(figures)])


def open_line(figures: CaseFigures) -> str:
    if not figures.open_total:
        return _("No open cases.")
    by_severity = " · ".join(
        f"{SEVERITY_ICONS[level]} {number(count)} {_(SEVERITY_INLINE[level])}"
        for level, count in figures.open_by_severity.items()
    )
    return ngettext("{count} open case: {by_severity}", "{count} open cases: {by_severity}",
                    figures.open_total).format(count=number(figures.open_total),
                                               by_severity=by_severity)  # fmt: skip


def weeks_line(figures: CaseFigures) -> str:
    opened = ngettext(
        "Last {weeks} weeks: {count} case opened",
        "Last {weeks} weeks: {count} cases opened",
        figures.opened,
    ).format(weeks=number(WEEKS), count=number(figures.opened))
    missed = _("targets missed: {take} to take, {resolve} to resolve").format(
        take=number(figures.missed_take), resolve=number(figures.missed_resolve)
    )
    medians = _("median time to take {take}, to resolve {resolve}").format(
        take=_took(figures.median_to_take), resolve=_took(figures.median_to_resolve)
    )
    return f"{opened} · {medians} · {missed}"


def _took(delta: timedelta | None) -> str:
    return elapsed(delta) if delta is not None else _("none yet")
