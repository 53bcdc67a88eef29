"""The statistics' Block Kit stays within Slack's limits at its largest, and escapes every name."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from slack_sdk.models.views import View

from bot.checklist.model import Check
from bot.stats import views as views_stats
from bot.stats.report import (
    MANAGERS_SHOWN,
    AdoptionPoint,
    AdoptionReport,
    CheckAdoption,
    ManagerLine,
    NudgeFigures,
)
from sandbox.slack_standin import validate_blocks, validate_view
from storage.stats import Counted
from tests.bot.test_views import HOSTILE, _assert_valid_blocks, _checklist, _mrkdwn

AT = datetime(2026, 11, 24, 10, tzinfo=UTC)


def report(*, history_days: int = 84, managers: int = MANAGERS_SHOWN) -> AdoptionReport:
    start = AT.date() - timedelta(days=history_days - 1)
    history = tuple(
        AdoptionPoint(start + timedelta(days=n), 50_000, 300 * n, {c: 400 * n for c in Check})
        for n in range(history_days)
    )
    figures = NudgeFigures(
        reminders=Counted(12_345, 987_654),
        snoozes=Counted(12, 3_456),
        escalations=Counted(7, 890),
        to_admins=45,
        fixed=Counted(321, 65_432),
        median_to_fix=timedelta(days=3, hours=4),
        median_to_fix_this_week=timedelta(minutes=20),
    )
    return AdoptionReport(
        at=AT,
        as_of=AT if history_days else None,
        in_scope=50_000 if history_days else 0,
        fully_passing=25_000 if history_days else 0,
        checks=tuple(CheckAdoption(c, 50_000, 20_000, 20_000, 10_000) for c in Check)
        if history_days
        else (),
        history=history,
        nudges=figures,
        managers=tuple(
            ManagerLine(f"U0AM{n:04d}", f"{HOSTILE} {n}", 999_999, 12_345, 99_999)
            for n in range(managers)
        ),
        managers_total=managers + 2_000,
    )


@pytest.mark.parametrize("days", [0, 1, 84])
def test_the_stats_message_is_within_limits_and_escapes_names(days: int) -> None:
    message = views_stats.stats_message(report(history_days=days))
    _assert_valid_blocks(message["blocks"], "message")
    shown = _mrkdwn(message)
    assert "<!channel>" not in shown and "<@U123>" not in shown
    assert "…and 2,000 more account managers" in shown
    if days:
        assert "*50,000 members in scope* · *50%* pass every check" in shown
        assert "Median time from first reminder to fix: 20 min · 3.2 days" in shown


def test_the_home_tab_with_the_overview_is_within_limits() -> None:
    view = views_stats.home_view(_checklist(200), report())
    assert validate_view(view) == []
    View(**view).validate_json()
    assert "<!channel>" not in _mrkdwn(view)
    assert views_stats.home_view(_checklist(1), None)["blocks"][0]["text"]["text"] != (
        "Security overview"
    )


def test_the_summary_text_is_short_and_names_nobody() -> None:
    text = views_stats.summary_text(report(), "2026-W48")
    assert text.startswith("*Weekly security summary* · 2026-W48")
    assert len(text) < 1_000 and HOSTILE[:10] not in text
    assert "*50,000 members in scope* · *50%* pass every check (25000)" in text
    section = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    assert validate_blocks([section], surface="message") == []


def test_a_week_on_week_change_is_shown_in_points() -> None:
    history = tuple(
        AdoptionPoint(date(2026, 11, 10) + timedelta(days=n), 100, 10 + n, {}) for n in range(15)
    )
    shown = views_stats.stats_message(
        AdoptionReport(
            at=AT,
            as_of=AT,
            in_scope=100,
            fully_passing=24,
            checks=(),
            history=history,
            nudges=report().nudges,
            managers=(),
            managers_total=0,
        )
    )
    # 24% now against 17% on 17 November (a week before the newest point, 24 November).
    assert "+7 points on a week before" in _mrkdwn(shown)
