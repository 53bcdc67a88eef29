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

from sandbox import payloads
from sandbox.slack_standin import SlackStandIn
from storage.database import Database
from tests.conftest import AccountFactory, MemberFactory
from tests.e2e.conftest import AppStarter, Answer, RunningApp

pytestmark = pytest.mark.e2e

ANA, RAJ = "U0ANA", "U0RAJ"
ESCALATION = "C0ESCALATE"
LINK = re.compile(r"https?://[^\s\"|>]+/[^\s\"|>]+")


@pytest.fixture
def app(start_app: AppStarter, app_environment: dict[str, str], database: Database) -> RunningApp:
    environment = {
        **app_environment,
        "ESCALATION_CHANNEL": ESCALATION,
        "SUPPORT_CHANNEL": "C0SUPPORT",
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
    return app.send(
        payloads.slash_command(user_id, text, response_url=app.standin.response_url())
    )


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
        lambda: (views if len(views := standin.opened_views()) == 2 else None)
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


def one_time_link(app: RunningApp, user_id: str) -> str:
    """The path of the one-time link in the member's latest DM."""
    standin = app.standin
    dm = standin.wait_for(lambda: standin.messages(user_id))[-1]
    found = LINK.findall(shown(dm["blocks"]))
    assert found, dm
    return urlsplit(found[0]).path


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
