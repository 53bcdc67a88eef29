"""The checklist in the reader's language: every word of its surfaces from the catalogue (rendered
in the pseudo-language), German sentences and formats, and a checklist built in one language read
in another (it is translated when rendered, not when built)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.checklist import views
from bot.checklist.model import (
    BusinessAccountRef,
    Check,
    Checklist,
    Evidence,
    MemberRef,
    Source,
    State,
)
from bot.checklist.notes import note, remediation_time, span
from bot.checklist.rules import build_checklist
from bot.core.i18n import PSEUDO, reading
from bot.platform.compromised import WAITING_NOTE
from bot.platform.posture import NOTES
from tests.i18n_check import escaped_words, texts

AT = datetime(2026, 11, 24, 10, tzinfo=UTC)
EARLIER = AT - timedelta(days=2)
ACCOUNTS = [
    BusinessAccountRef(1, "7012345", "Acme Shoes Ads", "tiktok_business", True, "U0DANA"),
    BusinessAccountRef(2, "7012346", "Bolt Bikes Ads", "tiktok_business", True, "U0DANA"),
    BusinessAccountRef(3, "7012347", "Cora Caps Ads", "tiktok_business", False, None),
]
NAMES = ["Acme Shoes Ads", "Bolt Bikes Ads", "Cora Caps Ads", "Ana Example", "U0ANA"]


_MARK = re.compile(r"⟦[^⟦⟧]*⟧")


def escaped(surface: Any, allowed: Iterable[str] = ()) -> list[str]:
    """`escaped_words`, with a text whose value is itself a catalogue text (marked inside its
    mark: "⟦⟦Passing⟧ · no evidence yet⟧") stripped from the innermost mark out."""
    left: list[str] = []
    for text in texts(surface):
        while (stripped := _MARK.sub(" ", text)) != text:
            text = stripped
        left.extend(escaped_words(text, allowed))
    return left


def evidence(
    check: Check,
    account: int | None,
    state: State,
    source: Source,
    detail: dict[str, Any] | None = None,
    at: datetime = AT,
) -> Evidence:
    return Evidence(check, account, state, source, at, detail or {})


def busy_checklist() -> Checklist:
    """A member with three accounts and something to say on every check: platform and own
    reports, a report waiting for the platform, notes with names and time spans."""
    return build_checklist(
        MemberRef(1, "U0ANA", "Ana Example"),
        ACCOUNTS,
        [
            evidence(Check.TWO_STEP, 1, State.PASSING, Source.PLATFORM, {"method": "sms"}),
            evidence(Check.TWO_STEP, 2, State.NEEDS_ACTION, Source.PLATFORM, at=EARLIER),
            evidence(Check.TWO_STEP, 2, State.PASSING, Source.SELF, {"method": "email"}),
            evidence(Check.TWO_STEP, 3, State.PASSING, Source.SELF),
            evidence(
                Check.STRONG_PASSWORD,
                1,
                State.PASSING,
                Source.BOT,
                note(
                    "Changed {took} after the alert, as the platform reports.",
                    took=span(timedelta(hours=1, minutes=30)),
                ),
            ),
            evidence(
                Check.NO_COMPROMISED_PASSWORD,
                None,
                State.NEEDS_ACTION,
                Source.PLATFORM,
                note(
                    "The platform found the password of {names} compromised: "
                    "change it now, then press “I've changed it”.",
                    names=["Acme Shoes Ads", "Bolt Bikes Ads"],
                ),
            ),
            evidence(Check.NO_COMPROMISED_PASSWORD, 1, State.NEEDS_ACTION, Source.PLATFORM),
            evidence(
                Check.NO_COMPROMISED_PASSWORD, 3, State.UNKNOWN, Source.SELF, note(WAITING_NOTE)
            ),
            evidence(
                Check.RECOVERY_EMAIL,
                2,
                State.NEEDS_ACTION,
                Source.PLATFORM,
                note(NOTES[Check.RECOVERY_EMAIL][1]),
            ),
            evidence(
                Check.RECOVERY_PHONE,
                1,
                State.NEEDS_ACTION,
                Source.PLATFORM,
                note(NOTES[Check.RECOVERY_PHONE][1]),
            ),
        ],
    )


def no_accounts() -> Checklist:
    return build_checklist(MemberRef(2, "U0RAJ", "Raj"), [], [])


@pytest.mark.parametrize("own", [True, False])
@pytest.mark.parametrize("build", [busy_checklist, no_accounts])
def test_every_word_of_the_checklist_comes_from_the_catalogue(build: Any, own: bool) -> None:
    checklist = build()
    with reading(PSEUDO):
        message = views.status_message(checklist, own=own)
    assert escaped(message, allowed=[*NAMES, "Raj"]) == []


def test_every_word_of_the_two_step_modal_and_help_comes_from_the_catalogue() -> None:
    with reading(PSEUDO):
        modal = views.two_step_modal(ACCOUNTS, selected=2)
        help_message = views.help_message(["`/security status` ⟦shows your checklist⟧"])
    assert escaped(modal, allowed=[*NAMES, "TikTok for Business"]) == []
    assert escaped(help_message) == []


def test_the_checklist_reads_german_with_german_words_and_plurals() -> None:
    with reading("de"):
        message = views.status_message(busy_checklist(), own=True)
        text = str(message)
    assert message["text"] == "0 von 7 Prüfungen bestanden"
    assert "Ihre Sicherheits-Checkliste" in text
    assert "Bestätigung in zwei Schritten für jedes Geschäftskonto" in text
    assert "Aktiviert, wie die Plattform meldet (mit SMS)." in text
    assert "Laut Plattform 1 Std. 30 Min. nach der Warnung geändert." in text
    assert "Die Plattform hat das Passwort von Acme Shoes Ads und Bolt Bikes Ads" in text
    assert "Ich habe es geändert" in text  # the fix button
    assert "letzter Nachweis: von der Plattform gemeldet" in text
    assert "Handlungsbedarf" in text


def test_a_checklist_built_in_english_reads_in_the_language_it_is_shown_in() -> None:
    """The Home tab of a German member may be republished after someone else's press."""
    checklist = busy_checklist()  # built in the English of the test's context
    with reading("de"):
        german = views.status_message(checklist, own=True)
    english = views.status_message(checklist, own=True)
    assert "Aktiviert, wie die Plattform meldet (mit SMS)." in str(german)
    assert "Aktiviert" not in str(english) and "On, as the platform reports" in str(english)


def test_checks_that_do_not_apply_are_said_once_with_their_plural_in_german() -> None:
    with reading("de"):
        own = views.status_message(no_accounts(), own=True)
        other = views.status_message(no_accounts(), own=False)
    assert "Die 6 weiteren Prüfungen (" in str(own)
    assert "Für Sie ist keines erfasst, daher entfallen sie." in str(own)
    assert "Für diese Person ist keines erfasst" in str(other)
    assert "Sicherheits-Checkliste von Raj" in str(other)
    assert own["text"] == "0 von 1 Prüfung bestanden"


def test_time_spans_read_in_the_readers_language() -> None:
    took = timedelta(days=2, hours=3)
    assert remediation_time(took) == "2 days 3 h"
    with reading("de"):
        assert remediation_time(took) == "2 Tage 3 Std."
        assert remediation_time(timedelta(minutes=5)) == "5 Min."
        assert remediation_time(timedelta(seconds=20)) == "weniger als eine Minute"


def test_a_note_stored_as_plain_text_reads_as_it_is() -> None:
    """Rows written before notes were catalogue texts, or text from elsewhere."""
    checklist = build_checklist(
        MemberRef(1, "U0ANA", None),
        [],
        [evidence(Check.AUTHENTICATOR, None, State.PASSING, Source.BOT, {"note": "Linked {x}."})],
    )
    with reading("de"):
        assert checklist.line(Check.AUTHENTICATOR).explanation == "Linked {x}."
