"""Each member's language: their choice, else their Slack locale, else English; kept a minute."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.checklist.languages import UnknownLanguage
from bot.checklist.members import Profile
from bot.core.clock import FakeClock
from bot.core.i18n import ENGLISH, language, language_for, read_later, reading
from bot.services import Services
from storage.models import AuditRecord
from tests.conftest import MemberFactory


def test_the_choice_wins_then_the_slack_locale_then_english() -> None:
    assert language_for("de-DE", None) == "de"
    assert language_for("de_AT", None) == "de"
    assert language_for("de-DE", "en") == "en"
    assert language_for("fr-FR", None) == ENGLISH  # no French catalogue: English
    assert language_for(None, None) == ENGLISH


def test_the_locale_comes_with_the_profile_and_the_choice_is_kept_and_audited(
    services: Services, member: MemberFactory, clock: FakeClock
) -> None:
    member("U0ANA")
    services.members.remember_profile(
        Profile("U0ANA", "T0STANDIN", "ana@example.com", "Ana", "Europe/Berlin", locale="de-DE")
    )
    assert services.languages.of("U0ANA") == "de"

    assert services.languages.choose("U0ANA", "EN") == "en"
    assert services.languages.of("U0ANA") == "en"
    assert services.languages.choose("U0ANA", "auto") == "de"
    with pytest.raises(UnknownLanguage):
        services.languages.choose("U0ANA", "klingon")

    with services.database.sessions() as session:
        chosen = session.scalars(
            select(AuditRecord.details).where(AuditRecord.action == "member.language.chosen")
        ).all()
    assert [details["choice"] for details in chosen] == ["en", "auto"]


def test_a_language_is_kept_a_minute_in_the_process(
    services: Services, member: MemberFactory, clock: FakeClock
) -> None:
    member("U0ANA")
    assert services.languages.of("U0ANA") == ENGLISH
    services.members.remember_profile(
        Profile("U0ANA", "T0STANDIN", "ana@example.com", "Ana", "Europe/Berlin", locale="de-DE")
    )
    assert services.languages.of("U0ANA") == ENGLISH  # still the one read a moment ago
    clock.advance(timedelta(seconds=61))
    assert services.languages.of("U0ANA") == "de"


def test_the_own_status_brings_its_language_and_a_later_reader_is_asked_only_when_needed(
    services: Services, member: MemberFactory
) -> None:
    member("U0ANA")
    services.members.remember_profile(
        Profile("U0ANA", "T0STANDIN", "ana@example.com", "Ana", "Europe/Berlin", locale="de-DE")
    )
    assert services.members.status("U0ANA").language == "de"

    asked: list[str] = []

    def look_up() -> str:
        asked.append("U0ANA")
        return "de"

    with reading(ENGLISH):
        read_later(look_up)
        assert asked == []  # nothing built yet: nothing asked
        assert language() == "de" and language() == "de"
        assert asked == ["U0ANA"]  # asked once
