"""The platform's alert DMs in the reader's language: every word from the catalogue (rendered in the
pseudo-language), and German sentences with German plurals and time spans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.i18n import PSEUDO, _, reading
from bot.platform import views
from bot.platform.alert_document import AlertDocument, AlertKind
from bot.platform.alerts import UNKNOWN_ACCOUNT, AlertNotice, Recipient
from bot.platform.compromised import ROTATED, SELF_REPORTED, ClosedAlert, Role
from handlers.slack.actions import _NO_ACCOUNTS
from handlers.slack.alerts import _NOTHING_OPEN
from tests.bot.test_checklist_i18n import escaped

DETECTED = datetime(2026, 11, 24, 9, tzinfo=UTC)
LABEL = "TikTok for Business · Acme Shoes Ads (7012345)"
DETAIL = "Seen in a credential dump"


def notice(members: int = 2, platform: str = "tiktok_business") -> AlertNotice:
    return AlertNotice(
        alert_key=1,
        platform_alert_id="alert-123",
        business_account_id=1,
        account_name="Acme Shoes Ads",
        platform=platform,
        platform_account_id="7012345",
        detail=DETAIL,
        detected_at=DETECTED,
        members=members,
        recipients=(Recipient("U0ANA", Role.MEMBER), Recipient("U0DANA", Role.MANAGER)),
    )


def closed(reason: str) -> ClosedAlert:
    return ClosedAlert(
        platform_alert_id="alert-123",
        business_account_id=1,
        account_name="Acme Shoes Ads",
        detected_at=DETECTED,
        closed_at=DETECTED + timedelta(hours=3, minutes=5),
        closed_by="U0ANA",
        time_to_remediate=timedelta(hours=3, minutes=5),
        messages=(),
        platform="tiktok_business",
        platform_account_id="7012345",
        reason=reason,
    )


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("platform", ["tiktok_business", "another_platform"])
@pytest.mark.parametrize("members", [1, 3])
def test_every_word_of_the_alert_dm_comes_from_the_catalogue(
    role: Role, platform: str, members: int
) -> None:
    with reading(PSEUDO):
        message = views.compromised_dm(notice(members, platform), role)
    label = "Another Platform · Acme Shoes Ads (7012345)"
    assert escaped(message, allowed=[LABEL, label, DETAIL]) == []


@pytest.mark.parametrize("reason", [ROTATED, SELF_REPORTED])
@pytest.mark.parametrize("role", list(Role))
def test_every_word_of_the_updated_dm_comes_from_the_catalogue(reason: str, role: Role) -> None:
    with reading(PSEUDO):
        message = views.resolved_dm(closed(reason), role)
    assert escaped(message, allowed=[LABEL]) == []


def test_every_word_of_the_other_messages_comes_from_the_catalogue() -> None:
    document = AlertDocument(
        "alert-9", AlertKind.COMPROMISED_PASSWORD, "7099999", "ana@example.com", DETECTED, ""
    )
    with reading(PSEUDO):
        offer = views.link_offer()
        admins = views.unknown_account_dm(document, UNKNOWN_ACCOUNT)
        said = [_(text) for text in (_NOTHING_OPEN, _NO_ACCOUNTS, views.LINK_REASON)]
    assert escaped(offer) == []
    assert escaped(admins) == []
    assert escaped(" ".join(said)) == []


def test_the_alert_dms_read_german() -> None:
    with reading("de"):
        member = str(views.compromised_dm(notice(), Role.MEMBER))
        manager = str(views.compromised_dm(notice(1), Role.MANAGER))
        managers = str(views.compromised_dm(notice(3), Role.MANAGER))
        waiting = str(views.resolved_dm(closed(SELF_REPORTED)))
        resolved = views.resolved_dm(closed(ROTATED))
    assert "Das Passwort Ihres Geschäftskontos wurde kompromittiert" in member
    assert "*User Settings* und auf *Account Security*" in member  # TikTok's labels, in English
    assert "Nicht autorisierte Aktivität melden" in member
    assert "Ich habe das Mitglied des Kontos gebeten" in manager
    assert "Ich habe die 3 Mitglieder des Kontos gebeten" in managers
    assert "3 Std. 5 Min. nachdem die Plattform die Kompromittierung erkannt hatte" in waiting
    assert resolved["text"] == (
        f"✅ Behoben: Das Passwort von {LABEL} wurde 3 Std. 5 Min. nach der Warnung geändert"
    )


def test_english_readers_see_the_same_words_as_before() -> None:
    message = views.resolved_dm(closed(ROTATED))
    assert (
        message["text"]
        == f"✅ Resolved: the password of {LABEL} was changed, 3 h 5 min after the alert"
    )
    assert "I've asked the account's 1 member to change it" in str(
        views.compromised_dm(notice(1), Role.MANAGER)
    )
