"""The reminders speak the reader's language: every word of the reminder DM, the account manager
DM, the digest and "Why am I getting this?" comes from the catalogue (rendered in the
pseudo-language, nothing escapes), and in German they read German with German formats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.checklist.model import TITLES, Check, Fix
from bot.checklist.views import FIX_BUTTONS, STATE_WORDS
from bot.core.i18n import PSEUDO, reading
from bot.nudges.policy import Gap, Level, Tracked, decide
from bot.nudges.settings import DAY, NudgePolicy, SnoozeChoice
from bot.nudges.views import ItemNow, digest_message, manager_message, reminder_message, why_message
from tests.bot.nudges.test_policy import TUESDAY_10, member
from tests.bot.stats.nested_marks import escaped_words

POLICY = NudgePolicy()
CHOICES = (*POLICY.snoozes, SnoozeChoice("6h", "6 hours", timedelta(hours=6)))
# The checklist's own words (titles, states, fix buttons) are translated where the checklist
# defines them; data shown as it is: names, zones, the months of Slack's date fallbacks.
CHECKLIST_WORDS = [
    *TITLES.values(),
    *STATE_WORDS.values(),
    *(label for _action, label in FIX_BUTTONS.values()),
]
DATA = ["Ana", "Europe/Berlin", "Dec", "Nov", "AM", "PM", *CHECKLIST_WORDS]


def _item(check: Check, **extra: Any) -> dict[str, Any]:
    return {
        "check": check.value,
        "title": TITLES[check],
        "explanation": "",
        "fix": Fix.REPORT_TWO_STEP.value if check is Check.TWO_STEP else None,
        "state": "needs_action",
        "number": 2,
        "cap": 4,
        "why": "",
        **extra,
    }


def payload(*, urgent: bool = False) -> dict[str, Any]:
    return {
        "name": "Ana",
        "time_zone": "Europe/Berlin",
        "snoozes_left": 2,
        "items": [
            _item(Check.TWO_STEP),
            _item(Check.NO_COMPROMISED_PASSWORD, urgent=urgent, cap=None),
        ],
    }


def escalation_payload(members: int) -> dict[str, Any]:
    entry = {
        "member": "U0ANA",
        "managers": ["U0DANA", "U0EVE"],
        "items": [
            {**_item(Check.TWO_STEP), "since": "2026-11-02T09:00:00+00:00", "reminders": 4},
            {**_item(Check.RECOVERY_PHONE), "since": "not a date", "reminders": 1},
        ],
    }
    return {"members": [entry] * members}


def surfaces() -> list[dict[str, Any]]:
    open_now = {c: ItemNow(None, None) for c in ("two_step", "no_compromised_password")}
    fixed = {
        "two_step": ItemNow("fixed", None),
        "no_compromised_password": ItemNow("withdrawn", None),
    }
    snoozed = datetime(2026, 12, 1, 9, tzinfo=UTC)
    return [
        reminder_message(7, payload(), open_now, CHOICES, snoozed_until=snoozed),
        reminder_message(7, payload(urgent=True), open_now, CHOICES),
        reminder_message(7, payload(), fixed, CHOICES),
        manager_message(escalation_payload(1)),
        manager_message(escalation_payload(45)),
        digest_message(escalation_payload(1)),
        digest_message({"members": [{"member": "U0BO", "items": [], "has_accounts": False}]}),
        why_message(POLICY, payload()),
    ]


@pytest.mark.parametrize("index", range(8))
def test_every_word_of_the_nudges_comes_from_the_catalogue(index: int) -> None:
    with reading(PSEUDO):
        surface = surfaces()[index]
    assert escaped_words(surface, allowed=DATA) == []


def test_the_reminders_why_comes_from_the_catalogue() -> None:
    gap = Gap(Check.TWO_STEP, False, "2-step verification", "Off.", Fix.REPORT_TWO_STEP)
    first = TUESDAY_10 - 10 * DAY
    tracked = Tracked(1, Check.TWO_STEP, first, first, first, 2, None, 0, Level.MEMBER, None)
    with reading(PSEUDO):
        due = decide(POLICY, member(gap, tracked=(tracked,)), TUESDAY_10)
        fresh = decide(POLICY, member(gap), TUESDAY_10)
    whys = [reminder.why for reminder in (*due.reminders, *fresh.reminders)]
    assert whys and all(escaped_words(why, allowed=DATA) == [] for why in whys)


def test_a_german_reminder_reads_german() -> None:
    open_now = {c: ItemNow(None, None) for c in ("two_step", "no_compromised_password")}
    with reading("de"):
        message = reminder_message(7, payload(), open_now, CHOICES)
        urgent = reminder_message(7, payload(urgent=True), open_now, CHOICES)
    assert message["text"].startswith("Hallo Ana, ein paar Minuten jetzt halten Ihre")
    assert "Dienstkonto" not in message["text"]
    options = [o["text"]["text"] for o in message["blocks"][-2]["elements"][0]["options"]]
    assert options == [
        "In 1 Tag erinnern",
        "In 3 Tagen erinnern",
        "In 1 Woche erinnern",
        "Später erinnern: 6 Stunden",
    ]
    assert message["blocks"][-2]["elements"][1]["text"]["text"] == "Warum erhalte ich das?"
    assert "Erinnerung 2 von 4 · in Ihrer Arbeitszeit gesendet" in str(message["blocks"][-1])
    assert "das ist dringend" in urgent["text"]


def test_the_german_digest_and_why_use_german_words_and_plurals() -> None:
    with reading("de"):
        digest = digest_message(escalation_payload(45))
        manager = manager_message(escalation_payload(1))
        why = why_message(POLICY, payload())
    assert (
        digest["text"]
        == "Übersicht der Sicherheitserinnerungen: 45 Mitglieder haben noch offene Lücken"
    )
    shown = str(digest["blocks"])
    assert "4 Erinnerungen seit <!date^" in shown and "1 Erinnerung seit einiger Zeit" in shown
    assert "Account-Manager: <@U0DANA>, <@U0EVE>" in shown
    assert "…und 5 weitere Mitglieder." in shown
    assert manager["text"] == "1 Mitglied braucht Hilfe bei der Kontosicherheit"
    text = why["blocks"][0]["text"]["text"]
    assert text.startswith("*Warum erhalte ich das?*")
    assert "Nach 6 Erinnerungen zur selben Lücke mit Handlungsbedarf" in text
    assert "alle 4 Arbeitsstunden" in text and "höchstens für 4 Stunden" in text


def test_the_german_why_of_a_first_reminder_names_the_day_the_german_way() -> None:
    gap = Gap(Check.TWO_STEP, False, "2-step verification", "Off.", Fix.REPORT_TWO_STEP)
    joined = TUESDAY_10 - 15 * DAY
    with reading("de"):
        decision = decide(POLICY, member(gap, joined=joined), TUESDAY_10)
    assert decision.reminders[0].why == (
        "erste Erinnerung (die Schonfrist von 7 Tagen für neue Mitglieder endete am "
        "16.11.2026, 10:00:00 (Europe/Berlin))"
    )
