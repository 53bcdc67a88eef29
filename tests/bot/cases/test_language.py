"""Every case surface speaks from the catalogue: rendered in the pseudo-language, no word escapes
it but the data shown as it is; rendered in German, the sentences and formats are German."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.cases import login_views, messages, modals, money, views
from bot.cases.access import Operation, refusal
from bot.cases.model import (
    PLATFORM,
    AccountRef,
    CaseCard,
    CaseDetail,
    CaseList,
    CaseSummary,
    ChargesSeen,
    ChargeStatus,
    ChargeTotals,
    ChargeView,
    Outcome,
    PlatformAnswer,
    PlatformStep,
    Status,
    Support,
    TimelineEntry,
    Via,
)
from bot.cases.wording import KINDS, elapsed
from bot.core.errors import InvalidInput
from bot.core.i18n import PSEUDO, reading
from tests.i18n_check import escaped_words, texts

NOW = datetime(2026, 12, 13, 9, 14, tzinfo=UTC)
ACCOUNT = AccountRef(7, "Acme Shoes Ads", "tiktok_business", "7012345", True, "U0DANA")
UNMANAGED = replace(ACCOUNT, managed=False, manager=None)
# The data shown as it is: names, the platform's name, ids, what people wrote.
DATA = [
    "TikTok for Business",
    "Acme Shoes Ads",
    "Our ads changed overnight",
    "Ads bought",
    "Nothing was lost",
    "not mine",
    "support@acme.example",
    "Unusual device",
    "Cancel",  # the modals' close button, from bot/core/blocks.py (not the cases')
    "Report unauthorized activity",  # the alert DMs' report button, from bot/platform/views.py
]


_MARKED = re.compile(r"⟦[^⟦⟧]*⟧")


def unmarked(surface: Any) -> list[str]:
    """The texts of `surface` without what the catalogue gave, nested marks included (a
    translated text formatted into another), innermost first."""
    left = []
    for text in texts(surface):
        while (stripped := _MARKED.sub(" ", text)) != text:
            text = stripped
        left.append(text)
    return left


def card(**changes: Any) -> CaseCard:
    base = CaseCard(
        number=4,
        account=ACCOUNT,
        status=Status.REPORTED,
        access_suspended=False,
        opened_at=NOW - timedelta(days=2, hours=3),
        opened_via=Via.REPORT,
        what_happened="Our ads changed overnight",
        charges_seen=ChargesSeen.YES,
        reporters=("U0ANA",),
        handler=None,
        outcome=None,
        resolution_summary=None,
        resolved_at=None,
        channel="C0ESC",
        card_ts="1.2",
        totals=(),
        now=NOW,
    )
    return replace(base, **changes)


def charge(status: ChargeStatus, **changes: Any) -> ChargeView:
    base = ChargeView(
        id=1,
        case_number=4,
        amount_minor=12050,
        currency="EUR",
        description="Ads bought",
        status=status,
        recorded_by="U0DANA",
        approved_by="U0SAM" if status in (ChargeStatus.APPROVED, ChargeStatus.PROCESSED) else None,
        decided_by="U0SAM" if status in (ChargeStatus.PROCESSED, ChargeStatus.REJECTED) else None,
        rejection_reason="not mine" if status is ChargeStatus.REJECTED else None,
        thread_ts=None,
    )
    return replace(base, **changes)


TOTALS = (ChargeTotals("EUR", 12050, 12050, 0), ChargeTotals("JPY", 1200, 0, 0))
RECORDED = PlatformStep("suspend", PlatformAnswer.RECORDED, "U0DANA")
RESTORED = PlatformStep("restore", PlatformAnswer.CONFIRMED, "U0DANA")
CARDS = [
    card(),
    card(
        status=Status.SUSPENDED,
        access_suspended=True,
        platform_step=RECORDED,
        handler="U0DANA",
        totals=TOTALS,
    ),
    card(
        status=Status.INVESTIGATING,
        access_suspended=True,
        platform_step=replace(RECORDED, answer=None),
        account=UNMANAGED,
        support=Support(contact="support@acme.example"),
        reporters=tuple(f"U0R{n}" for n in range(8)),
    ),
    card(
        account=UNMANAGED,
        support=Support(channel="C0SUP"),
        reporters=(),
        opened_by="U0MAX",
        opener_role="support",
        charges_seen=ChargesSeen.NO,
    ),
    card(
        status=Status.RESOLVED,
        outcome=Outcome.CONTROL_RESTORED,
        resolution_summary="Nothing was lost",
        resolved_at=NOW - timedelta(minutes=31),
        handler="U0DANA",
        platform_step=RESTORED,
        reporters=(PLATFORM,),
        opened_via=Via.ACCOUNT_TAKEOVER,
    ),
    card(
        status=Status.RESOLVED,
        outcome=Outcome.NOT_RECOVERABLE,
        resolution_summary="Nothing was lost",
        resolved_at=NOW - timedelta(seconds=20),
        reporters=("U0ANA", "U0RAJ"),
        opened_by="U0ADMIN",
        opener_role="security admin",
    ),
]


def surfaces() -> list[Any]:
    """Every case surface, in every state the builders know."""
    found: list[Any] = []
    for each in CARDS:
        found += [views.card_message(each), messages.joined_dm(each), messages.no_channel_dm(each)]
        found += [messages.opened_dm(each, by_alert=alert) for alert in (True, False)]
        found.append(messages.suspended_dm(each))
        found += [messages.platform_line(each, "U0DANA", took=took) for took in (True, False)]
        found.append(messages.not_taken_line(each, timedelta(minutes=31)))
        found.append(messages.handler_reminder(each, timedelta(days=2, hours=1)))
        found.append(messages.admins_reminder(each, timedelta(days=1)))
        for status in ChargeStatus:
            found.append(messages.charge_dm(each, charge(status)))
        if each.outcome is not None:
            found += [messages.resolved_dm(each), messages.outcome_line(each, "U0DANA")]
    for step in (RECORDED, RESTORED, replace(RESTORED, answer=PlatformAnswer.RECORDED)):
        for took in (True, False):
            shown = card(platform_step=step, access_suspended=True, handler="U0DANA")
            found.append(messages.platform_line(shown, "U0DANA", took=took))
            found.append(messages.suspended_dm(shown))
    for outcome in Outcome:
        found.append(messages.resolved_dm(replace(CARDS[4], outcome=outcome)))
    found += [views.charge_message(charge(status), "U0DANA") for status in ChargeStatus]
    timeline = tuple(
        TimelineEntry(NOW, "U0DANA", kind, "Ads bought") for kind in [*KINDS, "odd_kind"]
    )
    found.append(views.case_detail(CaseDetail(CARDS[1], timeline, (charge(ChargeStatus.CLAIMED),))))
    found.append(views.case_detail(CaseDetail(CARDS[0], (), ())))
    summaries = (
        CaseSummary(4, "Acme Shoes Ads", True, Status.REPORTED, None, NOW),
        CaseSummary(5, "Acme Shoes Ads", False, Status.SUSPENDED, "U0DANA", NOW),
    )
    for everything in (True, False):
        found.append(views.case_list(CaseList(summaries, 3, everything)))
        found.append(views.case_list(CaseList(summaries, 30, everything)))
        found.append(views.case_list(CaseList((), 0, everything)))
    found += [
        modals.report_modal([(7, "Acme Shoes Ads")]),
        modals.resolve_modal(4, ""),
        modals.charge_modal(4, ""),
        modals.reject_modal(""),
        modals.add_info_modal(4, ""),
        modals.severity_modal(4, ""),
        modals.ticket_modal(4, ""),
        login_views.question_dm(9, "Acme Shoes Ads", NOW, "Unusual device", business_account_id=7),
        login_views.answered_dm("Acme Shoes Ads", "U0ANA", case=None),
        login_views.answered_dm("Acme Shoes Ads", "U0ANA", case=4),
    ]
    found += [refusal(operation, 4) for operation in Operation]
    return found


def test_no_case_surface_has_a_word_outside_the_catalogue() -> None:
    with reading(PSEUDO):
        rendered = surfaces()
    escaped = {
        json.dumps(surface, ensure_ascii=False)[:120]: words
        for surface in rendered
        if (words := escaped_words("\n".join(unmarked(surface)), allowed=DATA))
    }
    assert escaped == {}


@pytest.mark.parametrize(
    ("typed", "currency"), [("1.234", "EUR"), ("abc", "EUR"), ("0", "EUR"), ("1", "EURO")]
)
def test_what_is_wrong_with_a_typed_amount_is_said_from_the_catalogue(
    typed: str, currency: str
) -> None:
    with reading(PSEUDO), pytest.raises(InvalidInput) as refused:
        money.minor_units(typed, money.currency_of(currency))
    assert escaped_words(refused.value.user_message) == []


def test_a_german_reader_gets_the_card_in_german_with_german_amounts() -> None:
    with reading("de"):
        shown = json.dumps(views.card_message(CARDS[1]), ensure_ascii=False)
        claimed = views.charge_message(charge(ChargeStatus.CLAIMED), None)
        charged = json.dumps(claimed, ensure_ascii=False)
    assert "Fall #4 · Acme Shoes Ads" in shown
    assert "Sperrung beantragt" in shown and "Betreut · Account-Manager <@U0DANA>" in shown
    assert "120,50\u00a0€ geltend gemacht · 120,50\u00a0€ freigegeben" in shown
    assert "Wer den Fall übernimmt" not in shown  # the handler is named
    assert "<@U0DANA> (Bearbeiter des Falls) muss den Zugriff auf der Plattform" in shown
    assert "Kontozugriff sperren" not in shown  # suspended already
    assert "Abbuchung erfassen" in shown and "Abschließen" in shown
    assert "Abbuchung 120,50\u00a0€: geltend gemacht, wartet auf Freigabe" in charged


def test_a_german_reader_gets_the_dms_in_german() -> None:
    resolved = CARDS[4]
    with reading("de"):
        dm = json.dumps(messages.resolved_dm(resolved), ensure_ascii=False)
        reminder = json.dumps(
            messages.handler_reminder(CARDS[1], timedelta(days=2, hours=3)), ensure_ascii=False
        )
        listed = views.case_list(CaseList((), 0, True))["text"]
        refused = refusal(Operation.TAKE, 4)
    assert "Fall *#4* zu *TikTok for Business · Acme Shoes Ads (7012345)* ist abgeschlossen" in dm
    assert "*Kontrolle wiederhergestellt*" in dm and "Bestätigung in zwei Schritten" in dm
    assert "Wiederherstellung des Zugriffs bei der Plattform beantragt" in dm
    assert "ist schon 2 Tage 3 Std. ohne Aktualisierung" in reminder
    assert listed == "Keine offenen Fälle."
    assert refused.startswith("Sie können Fall #4 leider nicht übernehmen")


def test_an_english_reader_sees_amounts_and_durations_as_before() -> None:
    assert money.said(12050, "EUR") == "€120.50"
    assert money.said(1200, "JPY") == "¥1,200"
    assert elapsed(timedelta(days=2, hours=3, minutes=5)) == "2 days 3 h"
    assert elapsed(timedelta(minutes=31)) == "31 min"
    assert elapsed(timedelta(seconds=3)) == "under a minute"
    with reading("de"):
        assert money.said(12050, "EUR") == "120,50\u00a0€"
        assert elapsed(timedelta(days=1, minutes=5)) == "1 Tag"


@pytest.mark.parametrize(
    ("language", "typed", "minor"),
    [
        ("en", "1,234.50", 123450),
        ("de", "1.234,50", 123450),
        ("de", "120,50", 12050),
        ("de", "120.50", 12050),  # a plain decimal point still reads as one
        ("en", "120,50", 12050),
    ],
)
def test_an_amount_is_read_as_the_reader_writes_numbers(
    language: str, typed: str, minor: int
) -> None:
    with reading(language):
        assert money.minor_units(typed, "EUR") == minor


@pytest.mark.parametrize(("language", "typed"), [("en", "1.234,50"), ("de", "1,234.50")])
def test_another_languages_grouping_is_refused_not_misread(language: str, typed: str) -> None:
    with reading(language), pytest.raises(InvalidInput):
        money.minor_units(typed, "EUR")


def test_a_thread_line_is_built_again_in_the_channels_language() -> None:
    with reading("en"):  # whoever acted reads English
        line = messages.actor_line("U0DANA", "{actor} took the case")
    assert line == "<@U0DANA> took the case"
    with reading("de"):  # the channel's language: handlers/slack/case_slack.py
        assert line.render() == "<@U0DANA> hat den Fall übernommen"
