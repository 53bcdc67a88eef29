"""The desk's surfaces: every word from the catalogue (rendered in the pseudo-language), German
sentences, people by name, and the Home tab's page within Slack's 100 blocks, with Previous /
Next where there is more."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.cases.model import Status
from bot.cases.severity import Severity
from bot.checklist.model import BusinessAccountRef, Check, Evidence, MemberRef, Source, State
from bot.checklist.rules import build_checklist
from bot.core.i18n import PSEUDO, reading
from bot.desk import page_views, views
from bot.desk.history import AlertEntry, CaseEntry, ManagerEntry, PostureEntry
from bot.desk.posture import AccountPosture, Gap, MemberPosture, OpenCase
from bot.desk.reminders import Reminded
from bot.desk.service import AccountPage, Choices, Role
from storage.account_pages import FoundAccount, Person
from tests.i18n_check import escaped_words

AT = datetime(2026, 11, 24, 10, tzinfo=UTC)
DATA = ["Acme Shoes Ads", "Northwind", "TikTok for Business", "Dana Example", "Member"]


def _member(n: int, *gaps: Gap, compromised: bool = False) -> MemberPosture:
    return MemberPosture(
        n, f"U0M{n:04d}", f"Member {n}", "T0STANDIN", gaps, State.UNKNOWN, False, State.PASSING,
        compromised, False, (Check.STRONG_PASSWORD,) if n == 2 else (),
    )  # fmt: skip


def _account(n: int, *, members: int = 5, case: bool = False) -> AccountPosture:
    gaps = (Gap(Check.TWO_STEP, State.NEEDS_ACTION), Gap(Check.RECOVERY_PHONE, State.UNKNOWN))
    people = tuple(
        _member(m, Gap(Check.NO_COMPROMISED_PASSWORD, State.NEEDS_ACTION), *gaps, compromised=True)
        if m == 1
        else _member(m, *gaps)
        for m in range(1, members + 1)
    )
    open_case = OpenCase(7, Status.INVESTIGATING, Severity.HIGH) if case else None
    return AccountPosture(
        n, str(7_000_000 + n), "Acme Shoes Ads", "tiktok_business", True, people, open_case, 2
    )


def _page(role: Role = Role.MANAGER) -> AccountPage:
    dana = Person("dana@example.com", "U0DANA", "Dana Example")
    eve = Person("eve@example.com", None, None)
    history = (
        ManagerEntry(AT, None, dana),
        ManagerEntry(AT, dana, None),
        ManagerEntry(AT, eve, dana),
        CaseEntry(AT, 7, Status.RESOLVED, Severity.CRITICAL),
        AlertEntry(AT, "compromised_password", "waiting", dana),
        AlertEntry(AT, "account_takeover", "open", eve),
        PostureEntry(AT, dana, {"two_step": True, "recovery_email_set": False,
                                "recovery_phone_set": True, "password_changed_at": "x"}),
        PostureEntry(AT, None, {"two_step": False}),
        PostureEntry(AT, None, {}),
    )  # fmt: skip
    return AccountPage(_account(1, case=True), role, "U0DANA", history)


def surfaces() -> list[Any]:
    reminded = Reminded("U0ANA", (Check.TWO_STEP, Check.AUTHENTICATOR), 3)
    return [
        views.desk_blocks([_account(n) for n in range(1, 40)], 0, 80),
        views.desk_blocks([_account(1, case=True)], 0, 80),
        page_views.account_message(_page()),
        page_views.account_message(_page(Role.MEMBER)),
        page_views.choices_message(Choices("acme", (FoundAccount(1, "7012345", "Acme Shoes Ads", "tiktok_business"),), True)),
        page_views.choices_message(Choices("acme", (FoundAccount(1, "7012345", "Acme Shoes Ads", "tiktok_business"),), False)),
        page_views.reminded_notice(reminded, True),
        page_views.reminded_notice(reminded, False),
        page_views.reminded_notice(Reminded("U0ANA", (Check.TWO_STEP,), None), False),
    ]  # fmt: skip


@pytest.mark.parametrize("index", range(9))
def test_every_word_comes_from_the_catalogue(index: int) -> None:
    with reading(PSEUDO):
        surface = surfaces()[index]
    assert escaped_words(surface, allowed=DATA) == []


def test_german() -> None:
    with reading("de"):
        home = str(views.desk_blocks([_account(n) for n in range(1, 40)], 0, 80))
        page = str(page_views.account_message(_page()))
    assert "Ihre Geschäftskonten" in home and "Konten 1-15 von 39" in home
    assert "Jetzt erinnern" in home and "Fall eröffnen" in home and "Weiter" in home
    assert "Bestätigung in zwei Schritten laut Plattform: *0 von 5*" in home
    assert "Geschäftskonto: Acme Shoes Ads" in page and "*Verlauf*, das Neueste zuerst" in page
    assert "Account-Manager gewechselt von e•••@example.com zu <@U0DANA>" in page


def test_people_by_name_and_times_in_the_readers_zone() -> None:
    text = str(page_views.account_message(_page()))
    assert "<@U0DANA> became the account manager" in text
    assert "from e•••@example.com to <@U0DANA>" in text  # not linked to Slack: masked
    assert "eve@example.com" not in text
    assert "<!date^1795514400^{date_short} {time}|24 Nov 2026 10:00 UTC>" in text
    assert "Posture report about every member: 2-step verification off" in text


def test_a_page_fits_the_blocks_left_and_offers_previous_and_next() -> None:
    accounts = [_account(n) for n in range(1, 501)]
    first = views.desk_blocks(accounts, 0, 80)
    middle = views.desk_blocks(accounts, 15, 80)
    past_the_end = views.desk_blocks(accounts, 10_000, 80)
    assert len(first) <= 80 and len(middle) <= 80
    assert "Accounts 1-15 of 500" in str(first) and "Accounts 16-30 of 500" in str(middle)
    assert "Accounts 496-500 of 500" in str(past_the_end)

    def steps(blocks: list[dict[str, Any]]) -> dict[str, str]:
        return {
            e["action_id"]: e["value"]
            for b in blocks
            if b["type"] == "actions"
            for e in b["elements"]
        }

    assert steps(first) == {"desk_next": "15"}
    assert steps(middle) == {"desk_previous": "0", "desk_next": "30"}
    assert steps(past_the_end) == {"desk_previous": "480"}


def test_the_whole_home_tab_stays_within_100_blocks() -> None:
    accounts = [
        BusinessAccountRef(n, str(n), f"Account {n}", "tiktok_business", True, "U0DANA")
        for n in range(1, 12)
    ]
    evidence = [
        Evidence(Check.TWO_STEP, n, State.NEEDS_ACTION, Source.PLATFORM, AT, {})
        for n in range(1, 12)
    ]
    checklist = build_checklist(MemberRef(1, "U0DANA", "Dana"), accounts, evidence)
    overview = [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}] * 5
    view = views.home_view(checklist, overview, [_account(n) for n in range(1, 500)], 0)
    assert len(view["blocks"]) <= 100
    ids = [
        e.get("action_id")
        for b in view["blocks"]
        for e in [b.get("accessory") or {}, *b.get("elements", [])]
        if e.get("action_id")
    ]
    assert len(ids) == len(set(ids))  # a view repeats no action_id
