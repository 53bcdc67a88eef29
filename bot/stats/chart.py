"""The chart of adoption over time, as a PNG, for the weekly summary, and its alt text.

matplotlib is imported here, inside the functions, and only the weekly job calls them: the app's
start-up and the request paths never pay for importing it (about 0.35 s and 50 MB here). The
figure is drawn on its own Agg canvas, not through pyplot, whose global state is not safe in the
scheduler's worker threads.

Read at a glance: the legend sits under the plot, never on the lines, and names each line's
latest figure; dates are a handful of slanted ticks; and checks with the same figures stay apart:
each line has its own colour, dash pattern and hollow marker (staggered, 3 days apart from one
line to the next), and lines that share a value are drawn a little apart around it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.campaigns import chart as campaign_chart
from bot.campaigns.figures import Progress
from bot.checklist.model import TITLES, Check
from bot.core.i18n import N_, _, ngettext, number
from bot.stats.report import AdoptionPoint
from bot.stats.words import long_day as _day
from bot.stats.words import pct as _pct
from bot.stats.words import short_day

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH, HEIGHT, DPI = 8.0, 5.0, 100  # 800 x 500 pixels
CAMPAIGNS_HEIGHT = 3.5  # the running campaigns' chart under it: 350 pixels more
# Translators: the chart's line of the members who pass every check that applies to them.
EVERY_CHECK = N_("Every check")
TICKS = 8  # at most about this many dates under the axis
MARKERS = ("s", "^", "D", "v", "P", "X", "*")  # one per check; "o" is every check's
DASHES = ("--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1)), (0, (1, 2, 4, 2)), (0, (8, 2)))
DODGE = 1.2  # percentage points between lines that share a value
ALT_TEXT_LIMIT = 1000  # Slack's limit for a file's alt text


def adoption_figure(
    history: Sequence[AdoptionPoint], *, title: str, campaigns: Sequence[Progress] = ()
) -> Figure:
    """Members passing every check, and each check, in % of members in scope, day by day; the
    running `campaigns` below it, when there are any (bot/campaigns/chart.py)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    high = HEIGHT + (CAMPAIGNS_HEIGHT if campaigns else 0)
    figure = Figure(figsize=(WIDTH, high), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    top: Any = figure
    if campaigns:
        parts: Any = figure.subfigures(2, 1, height_ratios=(HEIGHT, CAMPAIGNS_HEIGHT))
        top = parts[0]
        campaign_chart.draw(parts[1], campaigns)
    axes = top.add_subplot()
    first = history[0].day if history else None
    days = [(point.day - first).days for point in history] if first else []  # days since the first
    if first is not None:
        shares = [[point.percent() for point in history]]
        shares += [[point.percent(check) for point in history] for check in Check]
        drawn = _dodged(shares)
        series = len(shares)
        stagger = len(days) >= 2 * series  # else every point has its marker
        # Under the checks' lines, so a check that equals it still shows on top.
        axes.plot(
            days, drawn[0], color="black", linewidth=3, marker="o", markersize=5,
            markevery=(0, series) if stagger else None, label=_label(_(EVERY_CHECK), shares[0]),
            zorder=2,
        )  # fmt: skip
        for n, check in enumerate(Check):
            axes.plot(
                days, drawn[n + 1], linewidth=1.4, linestyle=DASHES[n], marker=MARKERS[n],
                markersize=6, fillstyle="none", markeredgewidth=1.3,
                markevery=(3 * (n + 1) % series, series) if stagger else None,
                label=_label(_(TITLES[check]), shares[n + 1]), zorder=3,
            )  # fmt: skip
        ticks = _ticks(days[-1])
        axes.set_xticks(ticks, [short_day(first + timedelta(days=tick)) for tick in ticks])
        pad = max(0.5, days[-1] / 50)  # room for the markers at either end
        axes.set_xlim(-pad, days[-1] + pad)
        axes.tick_params(axis="x", labelrotation=30)
        for label in axes.get_xticklabels():
            label.set_horizontalalignment("right")
        top.legend(loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    else:
        empty = _("No sweep has counted adoption yet")
        axes.text(0.5, 0.5, empty, ha="center", va="center")
    axes.set_ylim(-3, 103)  # lines at 0% and 100%, dodged, stay visible
    axes.set_yticks(range(0, 101, 20))
    axes.set_ylabel(_("% of members in scope"))
    axes.set_title(title)
    axes.grid(alpha=0.3)
    return figure


def adoption_chart(
    history: Sequence[AdoptionPoint], *, title: str, campaigns: Sequence[Progress] = ()
) -> bytes:
    """The figure as a PNG of WIDTH x HEIGHT (taller by the campaigns' chart)."""
    png = io.BytesIO()
    adoption_figure(history, title=title, campaigns=campaigns).savefig(png, format="png")
    return png.getvalue()


def alt_text(history: Sequence[AdoptionPoint], campaigns: Sequence[Progress] = ()) -> str:
    """The chart in words, for people who cannot see it: what it shows and the latest figures
    (the running campaigns' first, when it shows them: the alt text has a limit)."""
    if campaigns:
        words = _("Two charts. Below, the running campaigns: {campaigns}. Above, adoption:")
        text = words.format(campaigns=campaign_chart.alt_words(campaigns))
        return _shortened(text + " " + alt_text(history))
    if not history:
        return _("Line chart of adoption over time: no sweep has counted adoption yet.")
    first, latest = history[0], history[-1]
    if len(history) > 1:
        shows = _(
            "Line chart of the share of members in scope passing every check, and each check, "
            "day by day from {first} to {last}."
        ).format(first=_day(first.day), last=_day(latest.day))
        figures = ngettext(
            "On {day}, of {count} member in scope: every check {percent} (was {before} on {first})",
            "On {day}, of {count} members in scope: every check {percent} (was {before} on "
            "{first})",
            latest.in_scope,
        ).format(
            day=_day(latest.day),
            count=number(latest.in_scope),
            percent=_pct(latest.percent()),
            before=_pct(first.percent()),
            first=_day(first.day),
        )
    else:
        shows = _(
            "Line chart of the share of members in scope passing every check, and each check, "
            "day by day {day}."
        ).format(day=_day(first.day))
        figures = ngettext(
            "On {day}, of {count} member in scope: every check {percent}",
            "On {day}, of {count} members in scope: every check {percent}",
            latest.in_scope,
        ).format(
            day=_day(latest.day), count=number(latest.in_scope), percent=_pct(latest.percent())
        )
    checks = [f"{_(TITLES[check])} {_pct(latest.percent(check))}" for check in Check]
    return _shortened(f"{shows} " + "; ".join([figures, *checks]) + ".")


def _shortened(text: str) -> str:
    return text if len(text) <= ALT_TEXT_LIMIT else text[: ALT_TEXT_LIMIT - 1] + "…"


def _label(name: str, shares: Sequence[float | None]) -> str:
    """The legend names each line with its latest figure: equal lines read equal there too."""
    latest = next((share for share in reversed(shares) if share is not None), None)
    return f"{name} ({_pct(latest)})"


def _dodged(shares: Sequence[Sequence[float | None]]) -> list[list[float]]:
    """The lines as drawn: where some share one value on a day, they are spread DODGE points
    apart around it, so no line hides another. A day without a figure is NaN, which matplotlib
    leaves as a gap instead of drawing zero."""
    drawn = [[float("nan")] * len(line) for line in shares]
    for day in range(len(shares[0]) if shares else 0):
        together: dict[float, list[int]] = {}
        for n, line in enumerate(shares):
            value = line[day]
            if value is not None:
                together.setdefault(round(value, 1), []).append(n)
        for value, lines in together.items():
            for place, n in enumerate(lines):
                drawn[n][day] = value + (place - (len(lines) - 1) / 2) * DODGE
    return drawn


def _ticks(span: int) -> list[int]:
    """At most TICKS days of 0 to `span`, counted back from the latest, a whole number of weeks
    apart once the history is long."""
    step = max(1, -(-span // (TICKS - 1)))
    if step > 3:
        step = 7 * -(-step // 7)
    return list(range(span, -1, -step))[::-1]
