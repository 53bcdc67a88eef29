"""The chart of adoption over time, as a PNG, for the weekly summary.

matplotlib is imported here, inside the function, and only the weekly job calls it: the app's
start-up and the request paths never pay for importing it (about 0.35 s and 50 MB here). The
figure is drawn on its own Agg canvas, not through pyplot, whose global state is not safe in the
scheduler's worker threads.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import timedelta

from bot.checklist import TITLES, Check
from bot.stats.report import AdoptionPoint

WIDTH, HEIGHT, DPI = 8.0, 5.0, 100  # 800 x 500 pixels
EVERY_CHECK = "Every check"
TICKS = 8  # at most about this many dates under the axis


def adoption_chart(history: Sequence[AdoptionPoint], *, title: str) -> bytes:
    """Members passing every check, and each check, in % of members in scope, day by day."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    first = history[0].day if history else None
    days = [(point.day - first).days for point in history] if first else []
    if first is not None:
        for check in Check:
            shares = [point.percent(check) for point in history]
            axes.plot(
                days, _values(shares), linewidth=1.2, marker=".", alpha=0.8, label=TITLES[check]
            )
        every = [point.percent() for point in history]
        axes.plot(days, _values(every), linewidth=3, color="black", marker="o", label=EVERY_CHECK)
        axes.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.1), fontsize=7, ncols=3, frameon=False
        )
        ticks = days[:: max(1, len(days) // TICKS)]
        labels = [f"{first + timedelta(days=tick):%d %b}" for tick in ticks]
        axes.set_xticks(ticks, labels)
        axes.set_xlim(-0.5, max(days) + 0.5)
    else:
        axes.text(0.5, 0.5, "No sweep has counted adoption yet", ha="center", va="center")
    axes.set_ylim(0, 102)  # a line at 100% stays visible
    axes.set_ylabel("% of members in scope")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    figure.tight_layout()
    png = io.BytesIO()
    figure.savefig(png, format="png")
    return png.getvalue()


def _values(shares: Sequence[float | None]) -> list[float]:
    """matplotlib leaves a gap at NaN: a day without a figure is not drawn as zero."""
    return [float("nan") if share is None else share for share in shares]
