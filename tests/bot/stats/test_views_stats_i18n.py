"""The statistics, the Home overview, the weekly summary and its chart speak the reader's
language: nothing escapes the catalogue (pseudo-language), and German reads German with German
numbers, percentages and days."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from bot.checklist.model import TITLES, Check
from bot.core.i18n import PSEUDO, reading
from bot.stats import views as views_stats
from bot.stats.chart import adoption_figure, alt_text
from bot.stats.report import AdoptionPoint
from tests.bot.stats.nested_marks import escaped_words
from tests.bot.stats.test_views_stats import report
from tests.bot.test_views import HOSTILE
from tests.i18n_check import texts

# Check titles are translated where the checklist defines them; data shown as it is: names,
# the week, months of Slack's date fallbacks and of the chart's days.
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DATA = [*TITLES.values(), HOSTILE, "W48", "AM", "PM", "UTC", *MONTHS]


def surfaces() -> list[Any]:
    full, empty = report(), report(history_days=0, managers=0)
    one = report(history_days=1, managers=1)
    return [
        views_stats.gathering(),
        views_stats.stats_message(full),
        views_stats.stats_message(empty),
        views_stats.stats_message(one),
        views_stats.overview_blocks(full),
        views_stats.overview_blocks(empty),
        views_stats.summary_text(full, "2026-W48"),
        views_stats.summary_text(empty, "2026-W48"),
        alt_text(full.history),
        alt_text(full.history[:1]),
        alt_text(()),
    ]


@pytest.mark.parametrize("index", range(11))
def test_every_word_of_the_statistics_comes_from_the_catalogue(index: int) -> None:
    with reading(PSEUDO):
        surface = surfaces()[index]
    assert escaped_words(surface, allowed=DATA) == []


def chart_words(history: list[AdoptionPoint]) -> list[str]:
    figure = adoption_figure(history, title="⟦Adoption over time⟧")
    [axes] = figure.axes
    texts = [axes.get_ylabel(), *(t.get_text() for t in axes.get_xticklabels())]
    texts += [t.get_text() for t in axes.texts]
    for legend in figure.legends:
        texts += [t.get_text() for t in legend.get_texts()]
    return texts


def history(days: int) -> list[AdoptionPoint]:
    start = date(2026, 9, 1)
    return [
        AdoptionPoint(start + timedelta(days=n), 100, 10 + n, {c: 20 + n for c in Check})
        for n in range(days)
    ]


@pytest.mark.parametrize("days", [0, 30])
def test_every_label_of_the_chart_comes_from_the_catalogue(days: int) -> None:
    with reading(PSEUDO):
        words = chart_words(history(days))
    assert escaped_words(words, allowed=DATA) == []


def test_the_german_statistics_read_german_with_german_figures() -> None:
    with reading("de"):
        shown = "\n".join(texts(views_stats.stats_message(report())))
        summary = views_stats.summary_text(report(), "2026-W48")
        overview = "\n".join(texts(views_stats.overview_blocks(report())))
    assert "*50.000 erfasste Mitglieder* · *50\xa0%* bestehen alle Prüfungen (25000)" in shown
    assert "• Mittlere Zeit von der ersten Erinnerung bis zur Behebung: 20 Min. · 3,2 Tage" in shown
    assert "…und 2.000 weitere Account-Manager" in shown
    assert summary.startswith("*Wöchentliche Sicherheitsübersicht* · 2026-W48")
    assert (
        "• Diese Woche: 12.345 Erinnerungen gesendet, 12-mal später erinnern, 7 Weiterleitungen"
        in summary
    )
    assert (
        "Diese Woche: 12.345 Erinnerungen gesendet · " in overview
        and "321 Lücken behoben" in overview
    )


def test_the_german_chart_and_its_alt_text_name_german_days() -> None:
    with reading("de"):
        words = chart_words(history(30))
        described = alt_text(history(30))
    assert "% der erfassten Mitglieder" in words and "Alle Prüfungen (39\xa0%)" in words
    assert "30. Sept." in words
    assert described.startswith(
        "Liniendiagramm des Anteils der erfassten Mitglieder, die alle Prüfungen bestehen, und "
        "jeder einzelnen Prüfung, Tag für Tag vom 01.09.2026 bis zum 30.09.2026."
    )
    assert (
        "Am 30.09.2026, von 100 erfassten Mitgliedern: alle Prüfungen 39\xa0% (am 01.09.2026: 10\xa0%)"
        in described
    )
