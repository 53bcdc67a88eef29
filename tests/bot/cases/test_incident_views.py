"""The incident views in the pseudo-language (every word from the catalogue) and in German."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.cases import incident_lines, review_views, views
from bot.cases.figure_views import case_figures_text
from bot.cases.figures import CaseFigures
from bot.cases.incident import CaseReview
from bot.cases.model import ChargeStatus, Outcome, Status, TimelineEntry
from bot.cases.severity import Severity
from bot.cases.wording import KINDS
from bot.core.i18n import PSEUDO, reading
from bot.stats.views import overview_blocks
from tests.bot.cases.test_language import DATA, NOW, card, charge, unmarked
from tests.bot.stats.test_views_stats import report
from tests.i18n_check import escaped_words

RESOLVED = card(
    status=Status.RESOLVED,
    outcome=Outcome.CONTROL_RESTORED,
    resolution_summary="Nothing was lost",
    handler="U0DANA",
    taken_at=NOW - timedelta(days=2),
    resolved_at=NOW - timedelta(hours=1),
    severity="critical",
    severity_set_by="U0DANA",
    platform_reference="TT-4711",
    platform_answer="Ads bought",
)
FIGURES = CaseFigures(
    open_by_severity={Severity.CRITICAL: 1, Severity.LOW: 2},
    opened=5,
    median_to_take=timedelta(minutes=40),
    median_to_resolve=None,
    missed_take=2,
    missed_resolve=1,
)


def review() -> CaseReview:
    timeline = tuple(TimelineEntry(NOW, "U0DANA", kind, "Ads bought") for kind in KINDS)
    charges = tuple(charge(status) for status in ChargeStatus)
    return CaseReview(RESOLVED, timeline, charges, "Europe/Berlin", {"U0DANA": "Dana"})


def surfaces() -> list[Any]:
    found: list[Any] = [views.card_message(RESOLVED), views.card_message(card(taken_at=NOW))]
    found.append(review_views.review_message(review()))
    found.append(review_views.review_file(review()).content.decode())
    found.append(case_figures_text(FIGURES))
    found.append(case_figures_text(CaseFigures()))
    found.append(incident_lines.severity_line("U0DANA", Severity.LOW, Severity.HIGH, "Ads bought"))
    found.append(incident_lines.ticket_line("U0DANA", "TT-4711", "Ads bought"))
    return found


def test_every_incident_word_comes_from_the_catalogue() -> None:
    with reading(PSEUDO):
        rendered = surfaces()
    allowed = [*DATA, "TT", "Dana", "Europe", "Berlin", "md", "Dec", "AM", "PM", "Sun"]
    left = {
        str(surface)[:100]: words
        for surface in rendered
        if (words := escaped_words("\n".join(unmarked(surface)), allowed=allowed))
    }
    assert left == {}


def test_the_incident_views_read_in_german() -> None:
    with reading("de"):
        shown = views.card_message(replace(RESOLVED))
        text = str(shown)
        markdown = review_views.review_file(review()).content.decode()
        figures = case_figures_text(FIGURES)
        home = str(overview_blocks(replace(report(), cases=FIGURES)))

    assert "*Schweregrad*\\n🟥 Kritisch · festgelegt von <@U0DANA>" in text
    assert "Übernommen nach" in text and "Ticket der Plattform" in text
    assert "# Nachbetrachtung · Fall #4" in markdown and "## Verlauf und Maßnahmen" in markdown
    assert "3 offene Fälle" in figures and "Ziele verfehlt: 2 beim Übernehmen" in figures
    assert "*Fälle*" in home
