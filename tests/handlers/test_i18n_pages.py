"""The one-time pages and the install pages through the catalogue: no word of a page escapes it
(pseudo-language), German reads German with German formats, and the page says its language."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

from slack_bolt import BoltRequest

from bot.checklist.model import BusinessAccountRef, State
from bot.core.i18n import PSEUDO, reading
from bot.passwords.rules import Acceptance, Breach, Strength
from bot.passwords.service import AccountVerdict, CheckOutcome
from handlers.slack.installs import browser_language
from handlers.web.pages import install_templates, password_templates, templates
from handlers.web.pages.password_templates import Rotation
from handlers.web.password_page import _slack_line
from handlers.web.secure_pages import _page_date
from tests.i18n_check import escaped_words

NOW = datetime(2026, 12, 13, 9, 14, tzinfo=UTC)
ACCOUNT = BusinessAccountRef(7, "7012345", "Acme Shoes Ads", "tiktok_business", False, None)
# Data shown as it is: names, accounts, platforms, the QR code's issuer and label, the app names
# of a sentence's examples stay in the sentence (they are inside its mark).
DATA = ["Ana", "Acme Shoes Ads", "TikTok for Business", "Acme Security", "ana@acme.example"]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_data(self, data: str) -> None:
        self.found.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.extend(value or "" for name, value in attrs if name == "aria-label")


def read(html: str) -> list[str]:
    """What a person reads of a page: its text and its labels for screen readers; code spans
    (keys, recovery codes) and the style sheet are not words."""
    parser = _Text()
    html = re.sub(r"<style>.*?</style>|<svg.*?</svg>", "", html, flags=re.S)
    html = re.sub(r"<code[^>]*>.*?</code>", "", html, flags=re.S)
    parser.feed(html)
    return [text for text in parser.found if text.strip()]


def unnested(text: str) -> str:
    while True:
        flatter = re.sub(r"⟦[^⟦⟧]*⟧", " ", text)
        if flatter == text:
            return text
        text = flatter


def escaped(html: str) -> list[str]:
    return [word for text in read(html) for word in escaped_words(unnested(text), DATA)]


def verdict(accepted: bool = False) -> AccountVerdict:
    return AccountVerdict(
        ACCOUNT,
        Strength(1, "3 hours", "", (), 12, False, frozenset()),
        Acceptance(accepted, "6-20 characters", ("a number",) if not accepted else ()),
        Breach.FOUND,
        ("Other Ads",),
        3,
    )


def outcome() -> CheckOutcome:
    return CheckOutcome((verdict(), verdict(True)), (), State.PASSING, "note", NOW)


def all_pages() -> list[str]:
    return [
        templates.authenticator_landing("Ana", 30, "csrf"),
        templates.authenticator_landing(None, 1, "csrf"),
        templates.authenticator_enrolment(
            uri="otpauth://totp/x?secret=ABC",
            grouped_key="ABCD EFGH",
            issuer="Acme Security",
            label="ana@acme.example",
            csrf="csrf",
            error=None,
        ),
        templates.authenticator_linked("13 Dec 2026", ["1234-5678"]),
        templates.recovery_codes_landing("Ana", "csrf"),
        templates.recovery_codes_replaced(["1234-5678"]),
        templates.problem("Title", "Message"),
        install_templates.add_to_slack("https://slack.example/authorize"),
        install_templates.installed("Acme"),
        install_templates.not_installed("access_denied", "/slack/install"),
        install_templates.not_installed("something_new", "/slack/install"),
        password_templates.check_form(
            display_name="Ana",
            accounts=[ACCOUNT],
            hidden_accounts=3,
            link_minutes=30,
            csrf="csrf",
            rotation=True,
        ),
        password_templates.check_form(
            display_name=None,
            accounts=[],
            hidden_accounts=0,
            link_minutes=30,
            csrf="csrf",
            rotation=False,
        ),
    ]


def test_no_word_of_the_pages_escapes_the_catalogue() -> None:
    with reading(PSEUDO):
        pages = all_pages()
    for html in pages:
        # a problem page's title and message are the caller's, already translated
        assert [w for w in escaped(html) if w not in ("Title", "Message", "Acme")] == [], html


def test_no_word_of_the_verdicts_escapes_the_catalogue() -> None:
    rotation = Rotation(closed=(("Acme Shoes Ads", "2 days"),), still_open=("Other Ads",))
    with reading(PSEUDO):
        html = password_templates.verdicts(outcome(), rotation)
        failed = password_templates.verdicts(outcome(), Rotation((), (), failed=True))
        line = _slack_line(outcome(), rotation)
    # what bot/passwords says (the rule, the problems, the crack time, the note) is its own
    theirs = ["characters", "number", "hours", "note", "Other Ads"]
    assert [w for w in escaped(html) if w not in theirs] == []
    assert [w for w in escaped(failed) if w not in theirs] == []
    assert escaped_words(unnested(line), DATA) == []


def test_the_pages_in_german_say_so_and_read_german() -> None:
    with reading("de"):
        landing = templates.authenticator_landing("Ana", 30, "csrf")
        form = password_templates.check_form(
            display_name=None,
            accounts=[ACCOUNT],
            hidden_accounts=1,
            link_minutes=30,
            csrf="csrf",
            rotation=False,
        )
        result = password_templates.verdicts(outcome(), None)
        line = _slack_line(outcome(), None)
        installed = install_templates.not_installed("access_denied", "/slack/install")
        date = _page_date(NOW)
    assert '<html lang="de">' in landing
    assert "Hallo Ana," in landing and "30 Minuten lang nach dem Versand" in landing
    assert "Sie haben 1 weiteres Geschäftskonto" in form and "<title>Passwörter prüfen" in form
    assert "0 von 2 erfüllen die Richtlinie." in result
    assert "Akzeptiert es nicht: a number. Verlangt wird: 6-20 characters." in result
    assert line.startswith("🔐 Passwörter geprüft am <!date^")
    assert "Sie haben die Installation in Slack abgebrochen" in installed
    assert date == "13.12.2026"


def test_the_pages_in_english_are_unchanged() -> None:
    landing = templates.authenticator_landing(None, 30, "csrf")
    assert '<html lang="en">' in landing and "<p>Hello there,</p>" in landing
    assert "0 of 2 meet the policy." in password_templates.verdicts(outcome(), None)


def test_the_install_pages_read_the_browsers_language() -> None:
    german = BoltRequest(body="", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.8"})
    other = BoltRequest(body="", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert browser_language(german) == "de"
    assert browser_language(other) == "en"
    assert browser_language(BoltRequest(body="")) == "en"
