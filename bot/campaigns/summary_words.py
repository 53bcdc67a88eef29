"""The running campaigns in the weekly summary's text, under the adoption figures."""

from __future__ import annotations

from collections.abc import Sequence

from bot.campaigns.figures import Progress
from bot.campaigns.views import name_of
from bot.campaigns.words import due_words
from bot.core.i18n import _
from bot.stats.words import pct


def summary_lines(campaigns: Sequence[Progress]) -> list[str]:
    """ "• #3 2SV on TikTok: 64% done or exempt · Due by 31 Jan 2027 (in 12 days)" each."""
    if not campaigns:
        return []
    lines = [_("*Campaigns* (the lower chart)")]
    for progress in campaigns:
        campaign = progress.campaign
        figures = progress.latest
        if figures is None:
            line = _("• #{number} {name}: not counted yet · {due}")
        else:
            line = _("• #{number} {name}: {percent} done or exempt · {due}")
        lines.append(
            line.format(
                number=campaign.id,
                name=name_of(campaign),
                percent=pct(figures.percent) if figures is not None else "",
                due=due_words(campaign.deadline, progress.today),
            )
        )
    return lines
