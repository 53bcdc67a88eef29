"""The recovery modals, the workspace settings modal and their errors through the catalogue: no
word escapes it (pseudo-language), and German reads German."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.core.config import Settings
from bot.core.errors import InvalidInput
from bot.core.i18n import LANGUAGE_NAMES, PSEUDO, reading
from bot.recovery import views
from bot.recovery.email import RecoveryEmailStatus, _too_many_mails, normalise_address
from bot.recovery.phone import PhoneStatus, normalise
from bot.workspaces.settings_model import (
    Chosen,
    Proposal,
    SettingsInvalid,
    WorkspaceSettings,
    checked,
    defaults_of,
)
from bot.workspaces.settings_views import saved_message, settings_modal
from tests.i18n_check import escaped_words

NOW = datetime(2026, 12, 13, 9, 14, tzinfo=UTC)
# "Cancel" comes from bot/core/blocks.modal, the core's own text.
CORE = ["Cancel"]
EXAMPLES = ["you", "example", "com"]  # placeholder of the address input: sie@example.com in German


def _all_recovery_views() -> list[object]:
    confirmed = RecoveryEmailStatus("a***@example.com", NOW, None, None)
    return [
        views.email_modal("{}", confirmed, problem="A problem."),
        views.email_modal("{}", RecoveryEmailStatus(None, None, None, None)),
        views.code_modal("{}", "a***@example.com", NOW + timedelta(minutes=10)),
        views.code_modal("{}", "a***@example.com", None),
        views.email_confirmed_modal("a***@example.com"),
        views.phone_modal("{}", PhoneStatus("+49 ••• 78", NOW, "DE")),
        views.phone_modal("{}", PhoneStatus(None, None, None)),
        views.phone_saved_modal("+49 ••• 78"),
    ]


def test_no_word_of_the_recovery_modals_escapes_the_catalogue() -> None:
    with reading(PSEUDO):
        surfaces = _all_recovery_views()
    for surface in surfaces:
        # "A problem." is the caller's (already translated) message; DE the region shown as is
        allowed = [*CORE, "A problem.", "DE", *EXAMPLES]
        assert escaped_words(surface, allowed=allowed) == [], surface


def test_the_recovery_modals_in_german() -> None:
    with reading("de"):
        modal = views.code_modal("{}", "a***@example.com", NOW + timedelta(minutes=10))
        saved = views.phone_saved_modal("+49 ••• 78")
        phone = views.phone_modal("{}", PhoneStatus(None, None, None))
    assert modal["submit"]["text"] == "Bestätigen"
    assert "Ich habe einen 6-stelligen Code an a***@example.com gesendet." in str(modal)
    assert "ist als Ihre Wiederherstellungs-Telefonnummer hinterlegt" in str(saved)
    assert "*User Settings*" in str(phone) and "Melden Sie sich" in str(phone)
    assert len(modal["title"]["text"]) <= 24 and len(phone["title"]["text"]) <= 24


def test_the_recovery_errors_in_german_and_unchanged_in_english() -> None:
    with reading("de"), pytest.raises(InvalidInput) as german:
        normalise_address("not an address")
    assert german.value.user_message.startswith("Das sieht nicht nach einer E-Mail-Adresse aus")
    with reading("de"), pytest.raises(InvalidInput) as phone:
        normalise("030 1234", None)
    assert "Ländervorwahl" in phone.value.user_message
    with pytest.raises(InvalidInput) as english:
        normalise_address("not an address")
    assert english.value.user_message.startswith("That doesn't look like an email address")
    with reading(PSEUDO):
        assert escaped_words(_too_many_mails(NOW + timedelta(minutes=3), NOW)) == []


@pytest.fixture
def current(settings: Settings) -> WorkspaceSettings:
    defaults = defaults_of(settings)
    chosen = Chosen(
        security_admins=frozenset({"U0ANA"}),
        escalation_channel="C0ESC",
        working_hours_start=time(8),
    )
    return WorkspaceSettings(chosen, defaults, settings.nudge_policy, NOW, "U0ANA")


def test_no_word_of_the_settings_modal_escapes_the_catalogue(current: WorkspaceSettings) -> None:
    with reading(PSEUDO):
        modal = settings_modal(current)
        saved = saved_message(["security_admins", "working_days", "take_critical"])
        nothing = saved_message([])
    # each language by its own name, in every language; targets in their typed form ("4h")
    typed = ["15m", "4h", "1h", "1d", "3d", "7d"]
    assert escaped_words(modal, allowed=[*CORE, *LANGUAGE_NAMES.values(), *typed]) == []
    assert escaped_words(unnested(saved)) == []
    assert escaped_words(nothing) == []


def unnested(text: str) -> str:
    """Translated names inside a translated sentence nest the marks, which escaped_words reads
    one level deep: strip the innermost first, until none is left."""
    while True:
        flatter = re.sub(r"⟦[^⟦⟧]*⟧", " ", text)
        if flatter == text:
            return text
        text = flatter


def test_the_settings_modal_and_its_errors_in_german(current: WorkspaceSettings) -> None:
    with reading("de"):
        modal = settings_modal(current)
        saved = saved_message(["security_admins", "working_days"])
        one = saved_message(["reminder_cap"])
        with pytest.raises(SettingsInvalid) as invalid:
            checked(
                Proposal(
                    security_admins=frozenset(),
                    working_days=frozenset(),
                    reminder_cap="99",
                    default_time_zone="Mars/Olympus",
                    targets={"take_high": "2d", "resolve_low": "bald"},
                ),
                current.defaults,
            )
        targets = saved_message(["take_critical", "resolve_low"])
    assert modal["title"]["text"] == "Workspace-Einstellungen"
    [working_days] = [b for b in modal["blocks"] if b.get("block_id") == "working_days"]
    days = [option["text"]["text"] for option in working_days["element"]["options"]]
    assert days[:2] == ["Montag", "Dienstag"]
    assert saved == "2 Einstellungen dieses Workspace gespeichert: Sicherheitsadmins, Arbeitstage."
    assert one.startswith("1 Einstellung dieses Workspace gespeichert:")
    errors = invalid.value.errors
    assert errors["security_admins"].startswith("Ein Workspace braucht mindestens einen")
    assert errors["working_days"] == "Wählen Sie mindestens einen Arbeitstag."
    assert errors["default_time_zone"] == (
        "'Mars/Olympus' ist kein Zeitzonenname; verwenden Sie einen wie Europe/Berlin."
    )
    assert errors["reminder_cap"].startswith("Eine ganze Zahl von Erinnerungen von ")
    assert errors["take_high"] == (
        "Die Zeit bis zur Übernahme eines Falls mit Schweregrad hoch darf nicht länger sein als "
        "die Zeit bis zum Abschluss."
    )
    assert errors["resolve_low"] == "Eine Zeit mit Einheit, etwa 15m, 4h oder 3d."
    [take] = [b for b in modal["blocks"] if b.get("block_id") == "take_critical"]
    assert take["label"]["text"] == "Kritisch: Zeit bis zur Übernahme"
    assert take["element"]["initial_value"] == "15m"
    assert targets == (
        "2 Einstellungen dieses Workspace gespeichert: Zeit bis zur Übernahme eines Falls mit "
        "Schweregrad kritisch, Zeit bis zum Abschluss eines Falls mit Schweregrad niedrig."
    )


def test_the_settings_saved_message_is_unchanged_in_english() -> None:
    assert saved_message(["security_admins", "escalation_channel"]) == (
        "Saved 2 settings of this workspace: security admins, escalation channel."
    )
