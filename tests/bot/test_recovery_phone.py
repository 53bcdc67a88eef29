"""The recovery phone in the domain: numbers parsed and normalised to E.164 (international and
national forms), invalid ones refused clearly, the number stored and shown masked, self-reported."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.checklist.model import Check, Source, State
from bot.core.errors import InvalidInput
from bot.core.i18n import reading
from bot.core.masking import mask_email, mask_phone
from bot.recovery.phone import normalise, region_for_time_zone
from bot.services import Services
from storage.models import AuditRecord, RecoveryPhone
from tests.conftest import MemberFactory


@pytest.mark.parametrize(
    ("typed", "region", "e164"),
    [
        ("+49 30 1234567", None, "+49301234567"),  # international
        ("+49 (0)30 1234567", None, "+49301234567"),
        ("0049 30 1234567", None, "+49301234567"),  # international with 00
        ("030 1234567", "DE", "+49301234567"),  # national, read in the member's country
        ("030/123-4567", "DE", "+49301234567"),
        ("+1 (415) 555-2671", "DE", "+14155552671"),  # international wins over the region
        ("(415) 555-2671", "US", "+14155552671"),
        ("020 7946 0958", "GB", "+442079460958"),
    ],
)
def test_valid_numbers_are_normalised_to_e164(typed: str, region: str | None, e164: str) -> None:
    assert normalise(typed, region) == e164


@pytest.mark.parametrize(
    ("typed", "region"),
    [
        ("", "DE"),
        ("hello", "DE"),
        ("+49 123", None),  # too short
        ("+999 1234567", None),  # no such country code
        ("+1 555 0100 555 0100 555", None),
        ("030 1234567", "US"),  # not a US number
        ("1" * 41, "DE"),
    ],
)
def test_invalid_numbers_are_refused_with_an_example(typed: str, region: str | None) -> None:
    with pytest.raises(InvalidInput, match=r"isn't a valid phone number.*\+49 30 1234 5678"):
        normalise(typed, region)


def test_a_national_number_needs_a_country_when_the_time_zone_gives_none() -> None:
    with pytest.raises(InvalidInput, match="start with \\+ and your country code"):
        normalise("030 1234567", None)


@pytest.mark.parametrize(
    ("zone", "region"),
    [
        ("Europe/Berlin", "DE"),
        ("America/Chicago", "US"),
        ("Europe/London", "GB"),
        ("Asia/Kolkata", "IN"),
        ("UTC", None),
        ("Mars/Olympus", None),
        (None, None),
    ],
)
def test_the_country_for_national_numbers_comes_from_the_time_zone(
    zone: str | None, region: str | None
) -> None:
    assert region_for_time_zone(zone) == region


def test_masks_keep_little() -> None:
    assert mask_phone("+493012345612") == "+49 ••• ••• 12"
    assert mask_phone("+14155552671") == "+1 ••• ••• 71"
    assert mask_email("ana@example.com") == "a•••@example.com"
    assert mask_email("not-an-address") == "•••"


def test_a_recorded_number_is_stored_normalised_and_shown_masked(
    services: Services, member: MemberFactory
) -> None:
    member("U0ANA", time_zone="Europe/Berlin")

    recorded = services.recovery_phone.record("U0ANA", "030 12345612")

    assert recorded.masked == "+49 ••• ••• 12"
    with services.database.sessions() as session:
        assert session.scalars(select(RecoveryPhone.number)).all() == ["+493012345612"]
        details = session.scalars(select(AuditRecord.details)).all()
    assert details == [{"number": "+49 ••• ••• 12"}]  # the audit trail keeps it masked too
    line = services.members.status("U0ANA").checklist.line(Check.RECOVERY_PHONE)
    assert (line.state, line.source, line.fix) == (State.PASSING, Source.SELF, None)
    assert line.explanation == "+49 ••• ••• 12 on record."
    with reading("de"):  # the stored note is read in each reader's language
        assert line.explanation == "+49 ••• ••• 12 ist hinterlegt."
    assert services.recovery_phone.status("U0ANA").number == "+49 ••• ••• 12"


def test_a_new_number_replaces_the_old_one(services: Services, member: MemberFactory) -> None:
    member("U0ANA")
    services.recovery_phone.record("U0ANA", "+49 30 1234567")
    services.recovery_phone.record("U0ANA", "+44 20 7946 0958")

    with services.database.sessions() as session:
        assert session.scalars(select(RecoveryPhone.number)).all() == ["+442079460958"]


def test_an_invalid_number_is_refused_audited_and_not_stored(
    services: Services, member: MemberFactory
) -> None:
    member("U0ANA")

    with pytest.raises(InvalidInput):
        services.recovery_phone.record("U0ANA", "12")

    with services.database.sessions() as session:
        assert session.scalars(select(RecoveryPhone)).all() == []
        assert session.scalars(select(AuditRecord.action)).all() == ["recovery.phone.refused"]
    line = services.members.status("U0ANA").checklist.line(Check.RECOVERY_PHONE)
    assert line.state is State.UNKNOWN
