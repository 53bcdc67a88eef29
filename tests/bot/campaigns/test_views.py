"""The campaign surfaces in the reader's language: every word from the catalogue (rendered in the
pseudo-language), German sentences, the countdown in whole days, the modal's title within Slack's
24 characters, and the Home section within its 8 blocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.campaigns import views
from bot.campaigns.deadlines import with_deadlines
from bot.campaigns.figures import (
    AccountFigures,
    CampaignView,
    DayPoint,
    Figures,
    ManagerFigures,
    Progress,
)
from bot.campaigns.model import CampaignRef, Scope
from bot.campaigns.overdue_views import overdue_message
from bot.campaigns.service import StartForm
from bot.campaigns.summary_words import summary_lines
from bot.campaigns.words import due_words
from bot.checklist import views as checklist_views
from bot.checklist.model import BusinessAccountRef, Check, Evidence, MemberRef, Source, State
from bot.checklist.rules import build_checklist
from bot.core.i18n import PSEUDO, reading
from bot.nudges.settings import DAY, NudgePolicy
from bot.nudges.views import ItemNow, reminder_message, why_message
from bot.stats.chart import alt_text
from tests.i18n_check import escaped_words, texts

AT = datetime(2026, 11, 24, 10, tzinfo=UTC)
TODAY = date(2026, 11, 24)
DEADLINE = date(2026, 12, 18)
ACME = BusinessAccountRef(1, "7012345", "Acme Ads", "tiktok_business", True, "U0DANA")
MONTHS = ["Nov", "Dec"]  # a day without its year, under a spark line, as the statistics write it
DATA = ["Acme Ads", "Bolt Shop", "Ana", "2SV on TikTok", "TikTok for Business", *MONTHS]


def campaign(
    title: str = "2SV on TikTok", scope: Scope = Scope.EVERYONE, value: str | None = None,
    *, running: bool = True, overdue: datetime | None = None,
) -> CampaignView:  # fmt: skip
    return CampaignView(
        3, Check.TWO_STEP, title, scope, value, DEADLINE, datetime(2026, 12, 19, tzinfo=UTC),
        "running" if running else "stopped", "U0SAM", AT, None if running else "U0SAM", overdue,
    )  # fmt: skip


def progress(found: CampaignView | None = None) -> Progress:
    series = tuple(
        DayPoint(TODAY - timedelta(days=n), Figures(4, 3 - min(n, 3), 0)) for n in range(3, -1, -1)
    )
    return Progress(
        found or campaign(), TODAY, Figures(4, 2, 1), AT, 3, 1,
        (ManagerFigures("U0CARL", Figures(1, 0, 0)), ManagerFigures(None, Figures(1, 1, 0)),
         ManagerFigures("U0DANA", Figures(2, 1, 1))),
        (AccountFigures(3, "Bolt Shop", None, Figures(1, 0, 0)),),
        series,
    )  # fmt: skip


def overdue(role: str, open_total: int = 2) -> dict[str, Any]:
    accounts = [
        {"name": "Acme Ads", "platform_account_id": "7012345", "manager": "U0DANA",
         "members": [["U0ANA", "Ana"]], "more_members": 2},
    ] if open_total else []  # fmt: skip
    payload: dict[str, Any] = {
        "role": role,
        "campaign": {"id": 3, "title": "", "check": "two_step", "scope": "manager",
                     "scope_value": "U0DANA", "deadline": "2026-12-18"},
        "accounts": accounts, "accounts_total": 4 if open_total else 0, "open_total": open_total,
    }  # fmt: skip
    if role == "admins":
        payload["managers"] = [["U0DANA", 1, 3], ["", 1, 1]]
    return payload


def _checklist() -> list[dict[str, Any]]:
    off = Evidence(Check.TWO_STEP, 1, State.NEEDS_ACTION, Source.PLATFORM, AT, {})
    checklist = build_checklist(MemberRef(1, "U0ANA", "Ana"), [ACME], [off])
    running = CampaignRef(3, Check.TWO_STEP, "", Scope.EVERYONE, None, DEADLINE, AT + 30 * DAY)
    return checklist_views.checklist_blocks(with_deadlines(checklist, [running], TODAY), own=True)


def _reminder() -> dict[str, Any]:
    payload = {
        "name": "Ana", "time_zone": "Europe/Berlin", "snoozes_left": 1,
        "items": [{"check": "two_step", "title": "2-step verification on each business account",
                   "explanation": "Off, as the platform reports.", "fix": "report_two_step",
                   "state": "needs_action", "number": 2, "cap": 6, "due": "2026-12-18"}],
    }  # fmt: skip
    return reminder_message(7, payload, {"two_step": ItemNow(None, None)}, [], today=TODAY)


def surfaces() -> list[Any]:
    return [
        views.start_modal(StartForm(("tiktok_business",), TODAY)),
        views.started_notice(campaign()),
        views.stopped_notice(campaign(running=False)),
        views.list_message([progress(), Progress(campaign("", running=False), TODAY)]),
        views.list_message([]),
        views.show_message(progress(campaign(overdue=AT))),
        views.show_message(Progress(campaign(""), TODAY)),
        views.home_blocks([progress()]),
        views.home_blocks([]),
        views.usage(),
        overdue_message(overdue("manager")),
        overdue_message(overdue("admins")),
        overdue_message(overdue("admins", open_total=0)),
        _checklist(),
        _reminder(),
        why_message(NudgePolicy(), _reminder_payload()),
        summary_lines([progress(), Progress(campaign(""), TODAY)]),
        alt_text([], [progress()]),
        [
            due_words(DEADLINE, day)
            for day in (
                TODAY,
                DEADLINE,
                DEADLINE - timedelta(days=1),
                DEADLINE + timedelta(days=2),
                None,
            )
        ],
    ]


def _reminder_payload() -> dict[str, Any]:
    return {"time_zone": "Europe/Berlin", "items": [{"check": "two_step", "due": "2026-12-18",
                                                      "title": "Strong password", "why": ""}]}  # fmt: skip


@pytest.mark.parametrize("index", range(19))
def test_every_word_comes_from_the_catalogue(index: int) -> None:
    with reading(PSEUDO):
        surface = surfaces()[index]
    assert escaped_words(surface, allowed=DATA) == []


def test_the_countdown_counts_the_readers_days() -> None:
    with reading("en"):
        assert due_words(DEADLINE, TODAY) == "Due by 18 Dec 2026 (in 24 days)"
        assert due_words(DEADLINE, DEADLINE - timedelta(days=2)) == "Due by 18 Dec 2026 (in 2 days)"
        assert due_words(DEADLINE, DEADLINE - timedelta(days=1)) == "Due by 18 Dec 2026 (tomorrow)"
        assert due_words(DEADLINE, DEADLINE) == "Due by 18 Dec 2026 (today)"
        assert (
            due_words(DEADLINE, DEADLINE + timedelta(days=1))
            == "Was due by 18 Dec 2026 (1 day ago)"
        )
        assert due_words(DEADLINE, None) == "Due by 18 Dec 2026"
    with reading("de"):
        assert due_words(DEADLINE, TODAY) == "Fällig bis 18.12.2026 (in 24 Tagen)"
        assert (
            due_words(DEADLINE, DEADLINE + timedelta(days=3))
            == "War fällig bis 18.12.2026 (vor 3 Tagen)"
        )


def test_german() -> None:
    with reading("de"):
        modal = views.start_modal(StartForm(("tiktok_business",), TODAY))
        listed = "\n".join(texts(views.list_message([progress()])))
        told = "\n".join(texts(overdue_message(overdue("manager"))))
        checklist = "\n".join(texts(_checklist()))
        reminder = "\n".join(texts(_reminder()))
    assert modal["title"]["text"] == "Kampagne starten" and len(modal["title"]["text"]) <= 24
    assert "*75\xa0%* erledigt oder ausgenommen (3 von 4 Mitgliedskonten; 1 offen)" in listed
    assert "Kampagne #3: Die Frist ist abgelaufen (18.12.2026)" in told
    assert "Auf Ihren Geschäftskonten noch offen: 2 Mitgliedskonten auf 4 Geschäftskonten." in told
    assert "die Geschäftskonten von <@U0DANA>" in told
    assert "📅 *Fällig bis 18.12.2026 (in 24 Tagen)*" in checklist
    assert "📅 *Fällig bis 18.12.2026 (in 24 Tagen)*" in reminder


def test_the_home_section_stays_within_8_blocks() -> None:
    many = [progress(campaign(f"Campaign {n}")) for n in range(9)]
    blocks = views.home_blocks(many)
    assert len(blocks) <= 8
    assert "…and 4 more campaigns." in str(blocks)
    assert views.home_blocks(None) == []


def test_user_text_is_escaped() -> None:
    shown = str(views.list_message([progress(campaign("<!channel> & <@U0EVE>"))]))
    assert "&lt;!channel&gt; &amp; &lt;@U0EVE&gt;" in shown and "<!channel>" not in shown


def test_a_long_list_after_the_deadline_fits_one_message() -> None:
    payload = overdue("admins")
    payload["accounts"] = [
        {"name": f"Shop {n}", "manager": "U0DANA", "members": [[f"U0M{n:04d}", "M"]] * 3,
         "more_members": 0}
        for n in range(500)
    ]  # fmt: skip
    payload["accounts_total"] = 700
    message = overdue_message(payload)
    assert len(message["blocks"]) <= 50
    assert all(len(block.get("text", {}).get("text", "")) <= 3000 for block in message["blocks"])
    shown = sum(text.count("• *Shop ") for text in texts(message))
    assert shown > 300  # hundreds of accounts, a line each
    assert f"…and {700 - shown} more business accounts." in str(message)
