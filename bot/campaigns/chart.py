"""The running campaigns in the weekly summary's chart: one line per campaign, its share done or
exempt day by day, drawn under the adoption chart (bot/stats/chart.py), with each deadline
marked; and the same in words for the alt text.

matplotlib is imported by the caller, inside the weekly job only, as bot/stats/chart.py says.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.campaigns.figures import Progress
from bot.campaigns.words import check_name
from bot.core.i18n import _, number
from bot.core.text import shorten
from bot.stats.words import long_day, pct, short_day

if TYPE_CHECKING:
    from matplotlib.figure import SubFigure

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
DASHES = ("-", "--", "-.", ":")


def label(progress: Progress) -> str:
    """A campaign as a legend names it: plain text, no mentions ("#3 2-step verification")."""
    campaign = progress.campaign
    name = campaign.title.strip() or check_name(campaign.check)
    return shorten(f"#{campaign.id} {name}", 48)


def draw(figure: SubFigure, campaigns: Sequence[Progress]) -> None:
    """Each running campaign's share done or exempt, in % of its pairs, by day."""
    axes = figure.add_subplot()
    drawn = [progress for progress in campaigns if progress.series]
    first = min((progress.series[0].day for progress in drawn), default=None)
    last = max((progress.series[-1].day for progress in drawn), default=None)
    for n, progress in enumerate(drawn):
        assert first is not None
        days = [(point.day - first).days for point in progress.series]
        shares = [point.figures.percent for point in progress.series]
        latest = next((share for share in reversed(shares) if share is not None), None)
        axes.plot(
            days, [float("nan") if share is None else share for share in shares],
            linewidth=1.6, linestyle=DASHES[n % len(DASHES)], marker=MARKERS[n % len(MARKERS)],
            markersize=5, fillstyle="none",
            label=_("{campaign}: {percent} by {date}").format(
                campaign=label(progress), percent=pct(latest),
                date=short_day(progress.campaign.deadline),
            ),
        )  # fmt: skip
    if first is not None and last is not None:
        span = max(1, (last - first).days)
        ticks = sorted({0, span // 2, span})
        axes.set_xticks(ticks, [short_day(first + (last - first) * tick / span) for tick in ticks])
        axes.set_xlim(-0.5, span + 0.5)
        figure.legend(loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    else:
        axes.text(0.5, 0.5, _("No sweep has counted a campaign yet"), ha="center", va="center")
    axes.set_ylim(-3, 103)
    axes.set_yticks(range(0, 101, 20))
    axes.set_ylabel(_("% done or exempt"))
    axes.set_title(_("Running campaigns"))
    axes.grid(alpha=0.3)


def alt_words(campaigns: Sequence[Progress]) -> str:
    """The campaigns' lines in words: each one's latest share and its deadline."""
    parts = []
    for progress in campaigns:
        latest = progress.series[-1].figures if progress.series else None
        parts.append(
            _("{campaign}: {percent} done or exempt of {count}, due by {date}").format(
                campaign=label(progress),
                percent=pct(latest.percent if latest else None),
                count=number(latest.pairs if latest else 0),
                date=long_day(progress.campaign.deadline),
            )
        )
    return "; ".join(parts)
