"""`locale` in the sandbox: the simulated member's Slack language, which the bot follows until
they choose one themselves with `/security language`."""

from __future__ import annotations

import pytest

from bot.core.config import Settings
from tests.sandbox.test_console_workspaces import session, shown_after

pytestmark = pytest.mark.e2e


def test_the_bot_follows_the_slack_language_until_the_member_chooses(
    settings: Settings, database_url: str
) -> None:
    turns = session(
        settings,
        database_url,
        "/security status",
        "locale de",
        "/security status",
        "/security language en",
        "/security status",
        "/security language auto",
        "locale en",
        "/security status",
        "locale klingon-language",
    )

    assert "Your security checklist" in shown_after(turns, "/security status", 0)
    assert "Deutsch" in shown_after(turns, "locale de")
    german = shown_after(turns, "/security status", 1)
    assert "Ihre Sicherheits-Checkliste" in german and "0 von 7 Prüfungen bestanden" in german
    assert "From now on I write to you in English." in shown_after(turns, "/security language en")
    assert "Your security checklist" in shown_after(turns, "/security status", 2)
    assert "Ab jetzt schreibe ich Ihnen auf Deutsch." in shown_after(
        turns, "/security language auto"
    )
    assert "Your security checklist" in shown_after(turns, "/security status", 3)
    assert "Give a language such as de, en or de-AT." in shown_after(
        turns, "locale klingon-language"
    )
