"""The main flows in each member's language, against the real app (`app.py serve`) over HTTP:
Ana's Slack locale is de-DE, Raj's en-US, both in one workspace. The stand-in answers the locale
to users.info when the bot asks for it (include_locale), as Slack does.

Status, the 2-step verification modal, the password page, a reminder DM and a case: German for
Ana (with German formats), English and unchanged for Raj; the case card in the channel follows
the workspace's language. Then `/security language` switches Raj and back."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from sandbox import payloads
from sandbox.slack_standin import SlackStandIn
from storage.database import Database
from storage.models import AuditRecord
from tests.conftest import ADMIN, AccountFactory, MemberFactory
from tests.e2e.conftest import Answer, AppStarter, RunningApp, run_app

pytestmark = pytest.mark.e2e

ANA, RAJ = "U0ANA", "U0RAJ"
ESCALATION, SUPPORT = "C0ESCALATE", "C0SUPPORT"  # the accounts are unmanaged: cases go to support
EURO = "\u00a0€"  # Babel's German amount: a no-break space before the sign, "120,50 €"
LINK = re.compile(r"https?://[^\s\"|>]+/[^\s\"|>]+")


@pytest.fixture
def app(start_app: AppStarter, app_environment: dict[str, str], database: Database) -> RunningApp:
    environment = {
        **app_environment,
        "ESCALATION_CHANNEL": ESCALATION,
        "SUPPORT_CHANNEL": SUPPORT,
    }
    return start_app(environment, database)


@pytest.fixture
def ana_and_raj(
    member: MemberFactory, account: AccountFactory, standin: SlackStandIn
) -> tuple[int, int]:
    """Ana (de-DE) and Raj (en-US) on a business account each; their profiles not read yet, so
    the bot reads them, with the locale, on first contact. The accounts' ids."""
    ana = member(ANA, name="Ana", profile_fresh=False)
    raj = member(RAJ, name="Raj", profile_fresh=False)
    standin.add_user(ANA, email="u0ana@example.com", real_name="Ana", locale="de-DE")
    standin.add_user(RAJ, email="u0raj@example.com", real_name="Raj", locale="en-US")
    hats = account("Acme Hats Ads", members=[ana], platform_account_id="7011111")
    shoes = account("Acme Shoes Ads", members=[raj], platform_account_id="7022222")
    return hats.id, shoes.id


def security(app: RunningApp, user_id: str, text: str) -> Answer:
    return app.send(payloads.slash_command(user_id, text, response_url=app.standin.response_url()))


def answered(answer: Answer) -> dict[str, Any]:
    assert answer.status == 200, answer.text
    message: dict[str, Any] = answer.json()
    assert message["response_type"] == "ephemeral"
    return message


def shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def profile_read(app: RunningApp, user_id: str) -> None:
    """Wait until the bot asked Slack for the member's profile with the locale."""
    standin = app.standin
    standin.wait_for(
        lambda: [
            call
            for call in standin.calls("users.info")
            if call.args.get("user") == user_id and call.ok
        ]
    )


def steady_status(app: RunningApp, user_id: str, expected: str) -> dict[str, Any]:
    """`/security status` once the profile read after the first answer has been stored."""
    return app.standin.wait_for(
        lambda: (
            message
            if (message := answered(security(app, user_id, "status")))["text"] == expected
            else None
        )
    )


def test_status_and_the_two_step_modal_in_each_members_language(
    app: RunningApp, ana_and_raj: tuple[int, int]
) -> None:
    standin = app.standin

    # First contact: the answer is built before the profile (and its locale) is read.
    first = answered(security(app, ANA, "status"))
    assert first["text"] == "0 of 7 checks pass"
    profile_read(app, ANA)
    calls = [c.args for c in standin.calls("users.info") if c.args.get("user") == ANA]
    assert str(calls[0].get("include_locale")).lower() in ("true", "1")

    german = steady_status(app, ANA, "0 von 7 Prüfungen bestanden")
    assert "Ihre Sicherheits-Checkliste" in shown(german["blocks"])
    assert "Acme Hats Ads" in shown(german["blocks"])
    assert "Your security checklist" not in shown(german["blocks"])

    answered(security(app, RAJ, "status"))
    profile_read(app, RAJ)
    english = answered(security(app, RAJ, "status"))
    assert english["text"] == "0 of 7 checks pass"
    assert "Your security checklist" in shown(english["blocks"])
    assert "Acme Shoes Ads" in shown(english["blocks"])

    for user_id in (ANA, RAJ):
        button = {
            "type": "button",
            "action_id": "report_two_step",
            "block_id": "two_step",
            "text": {"type": "plain_text", "text": "I've turned it on"},
        }
        press = payloads.block_action(user_id, button, response_url=standin.response_url())
        assert app.send(press).status == 200
    ana_modal, raj_modal = standin.wait_for(
        lambda: views if len(views := standin.opened_views()) == 2 else None
    )
    ana_modal, raj_modal = sorted(
        (ana_modal, raj_modal), key=lambda view: "Zwei" not in view["title"]["text"]
    )
    assert ana_modal["title"]["text"] == "Zwei-Schritt-Bestätigung"
    assert ana_modal["submit"]["text"] == "Ich habe sie aktiviert"
    assert "Geschäftskonto" in shown(ana_modal["blocks"])
    assert raj_modal["title"]["text"] == "2-step verification"
    assert raj_modal["submit"]["text"] == "I've turned it on"
    assert "Business account" in shown(raj_modal["blocks"])


def test_a_button_pressed_before_the_profile_was_read_does_not_keep_english_afterwards(
    app: RunningApp, ana_and_raj: tuple[int, int]
) -> None:
    standin = app.standin
    button = {"type": "button", "action_id": "report_two_step", "block_id": "two_step"}
    press = payloads.block_action(ANA, button, response_url=standin.response_url())
    assert app.send(press).status == 200  # her locale is not known yet: English
    standin.wait_for(lambda: len(standin.opened_views()) == 1)
    answered(security(app, ANA, "status"))
    profile_read(app, ANA)
    steady_status(app, ANA, "0 von 7 Prüfungen bestanden")

    again = payloads.block_action(ANA, button, response_url=standin.response_url())
    assert app.send(again).status == 200

    views = standin.wait_for(lambda: v if len(v := standin.opened_views()) == 2 else None)
    assert [view["title"]["text"] for view in views] == [
        "2-step verification",
        "Zwei-Schritt-Bestätigung",
    ]


def one_time_link(app: RunningApp, user_id: str) -> str:
    """The path of the one-time link in the member's latest DM."""
    standin = app.standin
    dm = standin.wait_for(lambda: standin.messages(user_id))[-1]
    found = LINK.search(shown(dm["blocks"]))
    assert found is not None, dm
    return urlsplit(found.group(0)).path


def test_the_password_page_is_in_the_language_of_the_member_the_link_belongs_to(
    app: RunningApp, ana_and_raj: tuple[int, int]
) -> None:
    for user_id in (ANA, RAJ):
        answered(security(app, user_id, "status"))
        profile_read(app, user_id)
    steady_status(app, ANA, "0 von 7 Prüfungen bestanden")

    coming = answered(security(app, ANA, "password"))
    assert coming["text"].startswith("Ich schicke Ihnen einen Einmal-Link per Direktnachricht")
    ana_page = app.get(one_time_link(app, ANA))
    answered(security(app, RAJ, "password"))
    raj_page = app.get(one_time_link(app, RAJ))

    assert ana_page.status == 200, ana_page.text
    assert '<html lang="de">' in ana_page.text
    assert "Passwörter prüfen" in ana_page.text
    assert "Acme Hats Ads" in ana_page.text
    assert raj_page.status == 200, raj_page.text
    assert '<html lang="en">' in raj_page.text
    assert "Check your passwords" in raj_page.text
    assert "Acme Shoes Ads" in raj_page.text


def first_contact(app: RunningApp) -> None:
    """Ana and Raj each run `/security status`, after which the bot knows their locales."""
    for user_id in (ANA, RAJ):
        answered(security(app, user_id, "status"))
        profile_read(app, user_id)
    steady_status(app, ANA, "0 von 7 Prüfungen bestanden")


def test_a_reminder_dm_is_in_each_members_language(
    app: RunningApp, ana_and_raj: tuple[int, int], app_environment: dict[str, str]
) -> None:
    standin = app.standin
    first_contact(app)

    # A Tuesday, 11:00 in Berlin: after the new members' grace, inside working hours.
    swept = run_app("nudge", "run-once", "--at", "2026-12-08T10:00", env=app_environment)

    assert swept.returncode == 0, swept.stderr
    assert "delivery: sent 2" in swept.stdout
    (to_ana,) = standin.messages(ANA)
    (to_raj,) = standin.messages(RAJ)
    assert to_ana["text"] == (
        "Hallo Ana, ein paar Minuten jetzt halten Ihre Geschäftskonten sicher. "
        "Das ist auf Ihrer Sicherheits-Checkliste noch offen:"
    )
    ana_reads = shown(to_ana["blocks"])
    assert "Noch nicht bestätigt für: Acme Hats Ads." in ana_reads
    assert "Authenticator-App verknüpfen" in ana_reads
    assert "In 3 Tagen erinnern" in ana_reads
    assert "Erinnerung 1 von 6 · in Ihrer Arbeitszeit gesendet" in ana_reads
    assert to_raj["text"] == (
        "Hi Raj, a few minutes now keep your business accounts safe. "
        "Here is what is still open on your security checklist:"
    )
    raj_reads = shown(to_raj["blocks"])
    assert "Not confirmed yet for: Acme Shoes Ads." in raj_reads
    assert "Snooze 3 days" in raj_reads
    assert "Reminder 1 of 6 · sent in your working hours" in raj_reads
    assert "Erinnerung" not in raj_reads


def filled(modal: dict[str, Any]) -> dict[str, Any]:
    """A modal's state as Slack submits it when nothing was changed: every input's initial value."""
    keys = {
        "multi_users_select": ("initial_users", "selected_users"),
        "conversations_select": ("initial_conversation", "selected_conversation"),
        "plain_text_input": ("initial_value", "value"),
        "timepicker": ("initial_time", "selected_time"),
        "checkboxes": ("initial_options", "selected_options"),
        "static_select": ("initial_option", "selected_option"),
    }
    values: dict[str, Any] = {}
    for block in modal["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        initial, selected = keys[element["type"]]
        state = {"type": element["type"], selected: element.get(initial)}
        values[block["block_id"]] = {element["action_id"]: state}
    return values


def opened_modal(app: RunningApp, callback_id: str) -> dict[str, Any]:
    standin = app.standin
    return standin.wait_for(
        lambda: next((v for v in standin.opened_views() if v["callback_id"] == callback_id), None)
    )


def channel_language_german(app: RunningApp) -> None:
    """A security admin sets the workspace's language to German in `/security settings`."""
    assert security(app, ADMIN, "settings").status == 200
    modal = opened_modal(app, "workspace_settings")
    values = filled(modal)
    language = values["language"]["language"]
    assert language["selected_option"]["value"] == "en"
    language["selected_option"] = {"text": {"type": "plain_text", "text": "Deutsch"}, "value": "de"}
    saved = app.send(payloads.view_submission(ADMIN, modal, values))
    assert saved.status == 200 and saved.json() == {"response_action": "clear"}, saved.text


def test_a_case_tells_each_member_in_their_language_and_the_card_follows_the_workspace(
    app: RunningApp, ana_and_raj: tuple[int, int], member: MemberFactory
) -> None:
    standin = app.standin
    member(ADMIN, name="Admin")
    first_contact(app)
    channel_language_german(app)

    opened = answered(security(app, ADMIN, "case open 7011111 Takeover suspected"))
    assert opened["text"] == f"Case *#1* is open in <#{SUPPORT}>."  # the admin reads English
    answered(security(app, ADMIN, "case open 7022222 Takeover suspected"))

    cards = standin.wait_for(lambda: m if len(m := standin.messages(SUPPORT)) == 2 else None)
    by_number = {card["text"].split(" · ")[0]: card for card in cards}
    assert set(by_number) == {"Fall #1", "Fall #2"}  # the workspace's language for both
    assert by_number["Fall #1"]["text"].startswith("Fall #1 · Acme Hats Ads")
    assert by_number["Fall #2"]["text"].startswith("Fall #2 · Acme Shoes Ads")
    to_ana = standin.wait_for(lambda: standin.messages(ANA))[-1]
    to_raj = standin.wait_for(lambda: standin.messages(RAJ))[-1]
    assert to_ana["text"] == "Fall #1 ist eröffnet"
    assert "hat Fall *#1* zu *TikTok for Business · Acme Hats Ads (7011111)* eröffnet" in shown(
        to_ana["blocks"]
    )
    assert to_raj["text"] == "Case #2 is open"
    assert "opened case *#2* about *TikTok for Business · Acme Shoes Ads (7022222)*" in shown(
        to_raj["blocks"]
    )

    # A charge on Ana's case: the amount in the card's language.
    press = payloads.block_action(
        ADMIN,
        {"type": "button", "action_id": "case_record_charge", "value": "1", "block_id": "b"},
        response_url=standin.response_url(),
    )
    assert app.send(press).status == 200
    modal = opened_modal(app, "case_charge")
    values = filled(modal)
    values["amount"]["amount"]["value"] = "120,50"
    values["currency"]["currency"]["value"] = "EUR"
    values["description"]["description"]["value"] = "Anzeigen gekauft"
    recorded = app.send(payloads.view_submission(ADMIN, modal, values))
    assert recorded.status == 200, recorded.text
    charge = standin.wait_for(
        lambda: next((m for m in standin.messages(SUPPORT) if m.get("thread_ts")), None)
    )
    card = next(m for m in standin.messages(SUPPORT) if m["ts"] == charge["thread_ts"])
    claimed = f"120,50{EURO} geltend gemacht · 0,00{EURO} freigegeben · 0,00{EURO} erstattet"
    assert f"*Abbuchungen*\\n{claimed}" in shown(card["blocks"])
    # The claim's own message in the card's thread: the channel's language too.
    assert charge["text"].startswith(f"Abbuchung 120,50{EURO}"), charge["text"]
    assert f"💳 *Abbuchung 120,50{EURO}*: Anzeigen gekauft\\nErfasst von <@U0ADMIN>" in shown(
        charge["blocks"]
    )


def test_a_member_chooses_german_and_goes_back_to_the_slack_language(
    app: RunningApp, ana_and_raj: tuple[int, int]
) -> None:
    answered(security(app, RAJ, "status"))
    profile_read(app, RAJ)
    assert answered(security(app, RAJ, "status"))["text"] == "0 of 7 checks pass"

    chosen = answered(security(app, RAJ, "language de"))
    assert chosen["text"] == "Ab jetzt schreibe ich Ihnen auf Deutsch."
    german = answered(security(app, RAJ, "status"))
    assert german["text"] == "0 von 7 Prüfungen bestanden"
    assert "Ihre Sicherheits-Checkliste" in shown(german["blocks"])

    wrong = answered(security(app, RAJ, "language klingon"))
    assert wrong["text"] == (
        "Wählen Sie `de` (Deutsch), `en` (English) oder `auto` (Ihre Slack-Sprache)."
    )

    back = answered(security(app, RAJ, "language auto"))
    assert back["text"] == "From now on I write to you in English."
    english = answered(security(app, RAJ, "status"))
    assert english["text"] == "0 of 7 checks pass"
    assert "Your security checklist" in shown(english["blocks"])

    # Ana's `auto` is her Slack locale: German; an English speaker's wrong value: English.
    answered(security(app, ANA, "status"))
    profile_read(app, ANA)
    steady_status(app, ANA, "0 von 7 Prüfungen bestanden")
    assert answered(security(app, ANA, "language auto"))["text"] == (
        "Ab jetzt schreibe ich Ihnen auf Deutsch."
    )
    assert answered(security(app, RAJ, "language fr"))["text"] == (
        "Choose `de` (Deutsch), `en` (English) or `auto` (your Slack language)."
    )
    assert app.database is not None
    with app.database.sessions() as session:
        chosen_rows = session.execute(
            select(AuditRecord.actor, AuditRecord.details)
            .where(AuditRecord.action == "member.language.chosen")
            .order_by(AuditRecord.id)
        ).all()
    assert [(actor, details["choice"]) for actor, details in chosen_rows] == [
        (RAJ, "de"),
        (RAJ, "auto"),
        (ANA, "auto"),
    ]
