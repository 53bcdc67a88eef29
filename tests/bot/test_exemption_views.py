"""The exemption surfaces in the reader's language: every word from the catalogue (rendered in the
pseudo-language), German sentences, and the modal's title within Slack's 24 characters."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.checklist import views as checklist_views
from bot.checklist.exempting import excuse
from bot.checklist.model import (
    BusinessAccountRef,
    Check,
    Evidence,
    Exempt,
    MemberRef,
    Source,
    State,
)
from bot.checklist.rules import build_checklist
from bot.core.i18n import PSEUDO, reading
from bot.exemptions import views
from bot.exemptions.service import ExemptionView, Status
from bot.nudges.views import ItemNow, reminder_message
from tests.i18n_check import escaped_words

AT = datetime(2026, 11, 24, 10, tzinfo=UTC)
UNTIL = datetime(2027, 2, 1, tzinfo=UTC)  # the last day is 31 Jan 2027
ACME = BusinessAccountRef(1, "7012345", "Acme Ads", "tiktok_business", True, "U0DANA")
DATA = ["Acme Ads", "Ana", "AgencyHolds2SV"]


def _exemption(status: Status, decided_by: str | None = None) -> ExemptionView:
    return ExemptionView(
        1, "U0ANA", "Ana", 1, "Acme Ads", "U0DANA", Check.TWO_STEP,
        "AgencyHolds2SV", UNTIL, status, decided_by,
    )  # fmt: skip


def _checklist_blocks() -> list[dict[str, Any]]:
    off = Evidence(Check.TWO_STEP, 1, State.NEEDS_ACTION, Source.PLATFORM, AT, {})
    checklist = build_checklist(MemberRef(1, "U0ANA", "Ana"), [ACME], [off])
    excused = excuse(checklist, {(Check.TWO_STEP, 1): Exempt(UNTIL, "U0DANA")})
    return checklist_views.checklist_blocks(excused, own=True)


def surfaces() -> list[Any]:
    requested = _exemption(Status.REQUESTED)
    return [
        views.request_modal([ACME], Check.TWO_STEP, date(2026, 11, 24)),
        views.approver_message(requested),
        views.decided_message(_exemption(Status.APPROVED, "U0DANA")),
        views.decided_message(_exemption(Status.REJECTED, "U0DANA")),
        views.requested_notice(requested, ("U0DANA",)),
        views.requested_notice(requested, ()),
        views.member_decision(_exemption(Status.APPROVED, "U0DANA")),
        views.member_decision(_exemption(Status.REJECTED, "U0DANA")),
        _checklist_blocks(),
    ]


@pytest.mark.parametrize("index", range(9))
def test_every_word_comes_from_the_catalogue(index: int) -> None:
    with reading(PSEUDO):
        surface = surfaces()[index]
    assert escaped_words(surface, allowed=DATA) == []


def test_german() -> None:
    with reading("de"):
        modal = views.request_modal([ACME], Check.TWO_STEP, date(2026, 11, 24))
        asked = views.approver_message(_exemption(Status.REQUESTED))
        told = views.member_decision(_exemption(Status.APPROVED, "U0DANA"))
        checklist = str(_checklist_blocks())
    assert modal["title"]["text"] == "Ausnahme beantragen"
    assert len(modal["title"]["text"]) <= 24
    assert "<@U0ANA> beantragt eine Ausnahme" in asked["blocks"][0]["text"]["text"]
    assert [e["text"]["text"] for e in asked["blocks"][2]["elements"]] == ["Freigeben", "Ablehnen"]
    assert "hat Ihre Ausnahme genehmigt" in told["text"] and "31.01.2027" in told["text"]
    assert "Ausgenommen bis 31.01.2027, genehmigt von <@U0DANA>." in checklist
    assert "Vorerst ausgenommen: Acme Ads." in checklist


def test_the_exempt_check_offers_no_more_exemption_and_no_fix() -> None:
    blocks = _checklist_blocks()
    actions = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert "request_exemption:two_step" not in actions
    assert "request_exemption:strong_password" not in actions  # not checked yet: confirm first


def test_a_reminder_about_an_exemptable_gap_offers_the_button() -> None:
    payload = {
        "name": "Ana",
        "snoozes_left": 1,
        "items": [
            {"check": "two_step", "title": "2-step verification on each business account",
             "explanation": "Off.", "fix": "report_two_step", "state": "needs_action"},
            {"check": "authenticator", "title": "Authenticator linked to the bot",
             "explanation": "Not linked yet.", "fix": "link_authenticator",
             "state": "needs_action"},
        ],
    }  # fmt: skip
    now = {"two_step": ItemNow(None, None), "authenticator": ItemNow(None, None)}
    message = reminder_message(7, payload, now, [])
    buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    exemption = next(e for e in buttons if e["action_id"].startswith("request_exemption"))
    assert exemption["value"] == "nudge:7:two_step"  # the one exemptable gap, preselected
