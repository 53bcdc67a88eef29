"""The figures per business account and platform as people read them: in `/security stats`, the
Home overview and the weekly summary; every word from the catalogue (pseudo-language), German in
German, a platform name from the directory escaped, and the surfaces within Slack's limits."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.i18n import PSEUDO, reading
from bot.core.text import escape
from bot.stats import account_views
from bot.stats import views as views_stats
from bot.stats.accounts import AccountFigures, PlatformFigures, Share, summed
from tests.bot.stats.nested_marks import escaped_words
from tests.bot.stats.test_views_stats import report
from tests.bot.stats.test_views_stats_i18n import DATA
from tests.bot.test_views import HOSTILE
from tests.i18n_check import texts

TIKTOK = PlatformFigures("tiktok_business", 40, 2, Share(12, 40, 2), Share(8, 40, 1), Share(20, 40))
ODD = PlatformFigures(HOSTILE, 1, 1, Share(0, 1), Share(0, 1), Share(0, 1))


def figures(*platforms: PlatformFigures) -> AccountFigures:
    return AccountFigures(platforms=platforms, all_platforms=summed(platforms))


def test_one_line_per_platform_with_its_display_name() -> None:
    text = account_views.accounts_text(figures(TIKTOK))
    assert "a password check that passed within the last 90 days" in text
    assert (
        "• *TikTok for Business*: 2SV confirmed on 12 of 40 accounts (30%), 2 more exempt · a "
        "recent password check on 8 (20%), 1 more exempt · recovery confirmed on 20 (50%) · 2 "
        "accounts have no members on record"
    ) in text
    assert "All platforms" not in text  # one platform: its line is the whole


def test_several_platforms_add_up_and_a_directory_s_name_is_escaped() -> None:
    text = account_views.accounts_text(figures(TIKTOK, ODD))
    assert "• *All platforms*: 2SV confirmed on 12 of 41 accounts (29%), 2 more exempt" in text
    assert "<!channel>" not in text and "<@U123>" not in text
    assert "&lt;!Channel&gt;" in text  # spelled out as a name, then escaped
    compact = account_views.compact_lines(figures(TIKTOK, ODD))
    assert compact[0] == (
        "TikTok for Business: of 40 business accounts, 2SV confirmed on 30%, a recent password "
        "check on 20%, recovery confirmed on 50%"
    )
    assert all("<!channel>" not in line for line in compact)


def test_no_accounts_says_so() -> None:
    assert "No business accounts are in the directory yet." in account_views.accounts_text(
        AccountFigures()
    )
    assert account_views.compact_lines(AccountFigures()) == [
        "Business accounts: none in the directory yet."
    ]


@pytest.mark.parametrize("shown", [(), (TIKTOK,), (TIKTOK, ODD), (TIKTOK,) * 4])
def test_every_word_comes_from_the_catalogue(shown: tuple[PlatformFigures, ...]) -> None:
    full = replace(report(), accounts=figures(*shown))
    with reading(PSEUDO):
        surfaces = [
            views_stats.stats_message(full),
            views_stats.overview_blocks(full),
            views_stats.summary_text(full, "2026-W48"),
        ]
    # Platforms' names are data: the brand as the platform spells it, or the directory's slug.
    allowed = ["TikTok for Business", escape(ODD.name, limit=100), "2026-W48"]
    assert escaped_words(surfaces, allowed=[*DATA, *allowed]) == []


def test_the_german_figures_read_german() -> None:
    with reading("de"):
        text = account_views.accounts_text(figures(TIKTOK, ODD))
        compact = account_views.compact_lines(figures(TIKTOK))
    assert (
        "• *TikTok for Business*: Bestätigung in zwei Schritten laut Plattform aktiv bei 12 von "
        "40 Konten (30\xa0%), 2 weitere ausgenommen · aktuelle Passwortprüfung bei 8 (20\xa0%), 1 "
        "weiteres ausgenommen · Wiederherstellung bestätigt bei 20 (50\xa0%)"
    ) in text
    assert "• *Alle Plattformen*:" in text
    assert compact == [
        "TikTok for Business: von 40 Geschäftskonten Bestätigung in zwei Schritten laut "
        "Plattform aktiv bei 30\xa0%, aktuelle Passwortprüfung bei 20\xa0%, Wiederherstellung "
        "bestätigt bei 50\xa0%"
    ]


def test_the_surfaces_stay_within_their_limits() -> None:
    many = replace(
        report(), accounts=figures(*(replace(TIKTOK, platform=f"p{n}") for n in range(30)))
    )
    message = views_stats.stats_message(many)
    section = next(
        block["text"]["text"]
        for block in message["blocks"]
        if block.get("text", {}).get("text", "").startswith("*Per business account*")
    )
    assert len(section) <= 3000 and "…and 20 more platforms" in section
    summary = views_stats.summary_text(many, "2026-W48")
    assert len(summary) < 1_500
    assert "\n".join(texts(views_stats.overview_blocks(many))).count("business accounts,") == 4


def test_the_weekly_summary_has_the_platforms_compactly() -> None:
    summary = views_stats.summary_text(replace(report(), accounts=figures(TIKTOK)), "2026-W48")
    assert (
        "\n• TikTok for Business: of 40 business accounts, 2SV confirmed on 30%, a recent "
        "password check on 20%, recovery confirmed on 50%\n"
    ) in summary
    assert len(summary) < 1_000
