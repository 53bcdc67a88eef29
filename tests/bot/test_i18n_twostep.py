"""2-step verification, one-time links, lockouts and the password verdicts in the reader's
language: every word from the catalogue (rendered in the pseudo-language), and German when the
reader reads German."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from bot.checklist.model import BusinessAccountRef, Check, Evidence, MemberRef, Source, State
from bot.checklist.rules import build_checklist
from bot.checklist.views import SOURCE_WORDS, TIKTOK_STEPS
from bot.core.blocks import modal
from bot.core.errors import DatabaseUnavailable
from bot.core.i18n import PSEUDO, reading
from bot.core.lockout import locked_message, minutes_left
from bot.core.secure_links import LinkPurpose, _refusal
from bot.passwords.feedback import FEEDBACK, advice, crack_time
from bot.passwords.rules import Acceptance, Breach, Strength, acceptance
from bot.passwords.service import AccountVerdict, _uniqueness, strength_note
from bot.twostep import views as views_twostep
from bot.twostep.authenticator import LinkState, LinkStatus
from tests.i18n_check import escaped_words

AT = datetime(2026, 11, 24, 10, tzinfo=UTC)
NAMES = ["Acme Shoes Ads", "Acme Hats Ads", "Acme Bags Ads"]
LINKS = [
    LinkStatus(LinkState.NONE, None, 0),
    LinkStatus(LinkState.PENDING, None, 0),
    LinkStatus(LinkState.ACTIVE, AT, 10),
    LinkStatus(LinkState.ACTIVE, AT, 1),
    LinkStatus(LinkState.ACTIVE, None, 5),
]


def _unnested(surface: Any) -> Any:
    """A catalogue text placed into another (a title into "{title}: your one-time link") is
    marked inside the other's mark; take the inner one out, as escaped_words takes the outer."""
    text = json.dumps(surface, ensure_ascii=False)
    while _NESTED.search(text):
        text = _NESTED.sub(r"\1 ", text)
    return json.loads(text)


_NESTED = re.compile(r"(⟦[^⟦⟧]*)⟦[^⟦⟧]*⟧")


def _accounts(count: int) -> list[BusinessAccountRef]:
    return [
        BusinessAccountRef(i, str(7_000_000 + i), f"Acme Ads {i}", "tiktok_business", True, "U0D")
        for i in range(1, count + 1)
    ]


def _checklist(count: int) -> Any:
    refs = _accounts(count)
    evidence = [
        Evidence(Check.TWO_STEP, ref.id, State.PASSING, Source.SELF, AT, {"method": "sms"})
        for ref in refs[::2]
    ]
    return build_checklist(MemberRef(1, "U0ANA", "Ana"), refs, evidence)


def _shown_as_data(checklist: Any) -> list[str]:
    """What the 2SV message shows as it is: account names, and the checklist's own texts (its
    explanations, the platform's steps, the evidence words), which bot/checklist's tests check."""
    line = checklist.line(Check.TWO_STEP)
    return [
        *(account.explanation for account in line.accounts),
        line.explanation,
        TIKTOK_STEPS,
        *SOURCE_WORDS.values(),
        *(account.account.name for account in line.accounts),
        "TikTok for Business",  # the platform's name, inside a catalogue text
    ]


@pytest.mark.parametrize("accounts", [0, 1, 2, 21])
@pytest.mark.parametrize("link", LINKS, ids=lambda link: f"{link.state}-{link.recovery_codes_left}")
def test_the_two_step_message_comes_from_the_catalogue(accounts: int, link: LinkStatus) -> None:
    checklist = _checklist(accounts)
    with reading(PSEUDO):
        message = views_twostep.two_step_message(checklist, link)
    assert escaped_words(message, allowed=_shown_as_data(checklist)) == []
    assert escaped_words(message["text"]) == []


@pytest.mark.parametrize("purpose", list(LinkPurpose))
def test_the_link_dm_comes_from_the_catalogue(purpose: LinkPurpose) -> None:
    with reading(PSEUDO):
        message = views_twostep.link_dm(purpose, "https://bot.example/secure/x/t", minutes=10)
        sent = views_twostep.link_sent()
    assert escaped_words(_unnested(message)) == []
    assert escaped_words(sent) == []


def test_the_code_modals_come_from_the_catalogue() -> None:
    with reading(PSEUDO):
        modals = [
            views_twostep.step_up_modal("⟦To approve a reimbursement …⟧", "{}"),
            views_twostep.remove_authenticator_modal("{}"),
            modal("callback", "⟦Title⟧", "⟦Save⟧", []),
        ]
    for view in modals:
        assert escaped_words(view) == []


def test_refusals_and_notes_come_from_the_catalogue() -> None:
    now = AT
    with reading(PSEUDO):
        texts = [
            locked_message(now + timedelta(minutes=15), now),
            locked_message(now + timedelta(seconds=30), now),
            DatabaseUnavailable().user_message,
            *(_refusal("", purpose) for purpose in LinkPurpose),
            crack_time(Decimal("0.5")),
            crack_time(Decimal(90)),
            crack_time(Decimal(10) ** 12),
            *(advice(text) for text in FEEDBACK),
        ]
    for text in texts:
        assert escaped_words(text) == [], text


def _verdict(password: str, *, score: int, breach: Breach, platform: bool = True) -> AccountVerdict:
    account = BusinessAccountRef(1, "7000001", NAMES[0], "tiktok_business", True, None)
    return AccountVerdict(
        account=account if platform else None,
        strength=Strength(score, "3 hours", "", (), len(password), False, frozenset()),
        acceptance=acceptance(password, "tiktok_business" if platform else None),
        breach=breach,
        reused_with=(),
        min_score=3,
    )


def test_password_notes_come_from_the_catalogue() -> None:
    with reading(PSEUDO):
        notes = [
            strength_note(_verdict("aB3$efgh", score=4, breach=Breach.NOT_FOUND)),
            strength_note(_verdict("aB3$efgh", score=4, breach=Breach.FAILED)),
            strength_note(_verdict("abc", score=0, breach=Breach.FOUND)),
            strength_note(_verdict("abc", score=0, breach=Breach.FOUND, platform=False)),
            strength_note(_verdict("aB3$efgh", score=4, breach=Breach.NOT_FOUND, platform=False)),
            _uniqueness([NAMES], checked=3, total=3)[1],
            _uniqueness([], checked=3, total=3)[1],
            _uniqueness([], checked=1, total=3)[1],
            _verdict("abc", score=0, breach=Breach.FOUND, platform=False).name,
        ]
    for note in notes:
        assert escaped_words(_unnested(note), allowed=[*NAMES, "TikTok for Business"]) == [], note


# -- German -------------------------------------------------------------------------------------


def test_the_two_step_message_in_german() -> None:
    with reading("de"):
        message = views_twostep.two_step_message(_checklist(2), LINKS[3])
    shown = json.dumps(message, ensure_ascii=False)
    assert message["text"] == (
        "Bestätigung in zwei Schritten: an für 1 von 2 Geschäftskonten; "
        "Authenticator-App mit dem Bot verknüpft"
    )
    assert message["blocks"][0]["text"]["text"] == "Bestätigung in zwei Schritten"
    assert "Verbleibende Wiederherstellungscodes: 1 (nur noch wenige: holen Sie neue)" in shown
    assert "Authenticator-App entfernen" in shown


def test_the_link_dm_in_german() -> None:
    with reading("de"):
        message = views_twostep.link_dm(
            LinkPurpose.PASSWORD_CHECK, "https://bot.example/secure/x/t", minutes=1
        )
    shown = json.dumps(message, ensure_ascii=False)
    assert message["text"] == "Passwörter prüfen: Ihr Einmal-Link"
    assert "Dieser Link funktioniert einmal, 1 Minute lang, und nur für Sie." in shown
    assert "niemals in Slack" in shown


def test_refusals_in_german() -> None:
    with reading("de"):
        locked = locked_message(AT + timedelta(minutes=15), AT)
        left = minutes_left(AT + timedelta(seconds=30), AT)
        refusal = _refusal("", LinkPurpose.PASSWORD_CHECK)
        busy = DatabaseUnavailable().user_message
    assert locked == (
        "Zu viele falsche Codes. Zu Ihrer Sicherheit werden Codes für die nächsten 15 Minuten "
        "abgelehnt."
    )
    assert left == "1 Minute"
    assert "mit `/security password` einen neuen an" in refusal
    assert busy.startswith("Ich erreiche meine Datenbank gerade nicht.")


def test_password_words_in_german() -> None:
    with reading("de"):
        weak = strength_note(_verdict("abc", score=0, breach=Breach.FOUND))
        reused = _uniqueness([NAMES], checked=3, total=3)[1]
        rules: Acceptance = acceptance("abc", None)
        times = [crack_time(Decimal(3 * 3600)), crack_time(Decimal(10) ** 12)]
        tip = advice("Avoid sequences.")
    assert weak.startswith("Braucht ein neues Passwort: zu schwach (Wertung 0 von 4); ")
    assert "TikTok for Business akzeptiert es nicht (kürzer als 6 Zeichen, " in weak
    assert weak.endswith("; in bekannten Datenlecks gefunden.")
    assert reused == (
        "Dasselbe oder fast dasselbe Passwort wird für Acme Shoes Ads, Acme Hats Ads und "
        "Acme Bags Ads verwendet."
    )
    assert rules.rule == "mindestens 8 Zeichen" and rules.problems == ("kürzer als 8 Zeichen",)
    assert times == ["3 Stunden", "Jahrhunderte"] and tip == "Vermeiden Sie Zeichenfolgen."


@pytest.mark.parametrize(
    ("seconds", "english"),
    [
        (Decimal("0.2"), "less than a second"),
        (Decimal(1), "1 second"),
        (Decimal(59), "59 seconds"),
        (Decimal(90), "2 minutes"),
        (Decimal(3600), "1 hour"),
        (Decimal(86400 * 3), "3 days"),
        (Decimal(86400 * 31 * 2), "2 months"),
        (Decimal(86400 * 31 * 12 * 5), "5 years"),
        (Decimal(10) ** 12, "centuries"),
    ],
)
def test_the_crack_time_reads_as_zxcvbn_says_it_in_english(seconds: Decimal, english: str) -> None:
    from zxcvbn.time_estimates import display_time

    assert crack_time(seconds) == english == display_time(seconds)
