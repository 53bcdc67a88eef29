"""The alert DMs and their updates in each reader's language, through the real Bolt app and the
Slack stand-in: a German member and an English one told about the same alert, each in their
own words, and the DMs updated in place in the language of each reader."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.core.config import Settings
from bot.services import Services
from handlers.slack.alerts import notify
from sandbox.slack_standin import SlackStandIn
from storage.models import BusinessAccount
from tests.handlers.conftest import Slack, text_of
from tests.handlers.test_alerts import acme, alert
from wiring import build_client

__all__ = ["acme"]  # the fixture shared with the original module


def test_each_member_reads_the_alert_and_its_update_in_their_language(
    slack: Slack,
    standin: SlackStandIn,
    services: Services,
    settings: Settings,
    acme: BusinessAccount,
) -> None:
    services.languages.choose("U0ANA", "de")
    notice = services.alerts.receive(alert()).notice
    assert notice is not None
    notify(build_client(settings), services.alerts, notice, language_of=services.languages.of)

    [german] = standin.messages("U0ANA")
    [english] = standin.messages("U0RAJ")
    [manager] = standin.messages("U0DANA")
    assert german["text"].startswith("🚨 Das Passwort von TikTok for Business · Acme")
    assert "Was Sie jetzt tun sollten" in text_of(german["blocks"])
    assert "Ich habe es geändert" in str(german["blocks"])
    assert english["text"].startswith("🚨 The password of TikTok for Business · Acme")
    assert "I've asked the account's 2 members to change it" in text_of(manager["blocks"])

    slack.press("U0RAJ", "password_changed", value="alert:1")

    def waiting(user: str) -> Callable[[], list[dict[str, Any]]]:
        return lambda: [m for m in standin.messages(user) if m["text"].startswith("⏳")]

    [german] = standin.wait_for(waiting("U0ANA"))
    [english] = standin.wait_for(waiting("U0RAJ"))
    assert "Warten auf die Plattform" in text_of(german["blocks"])
    assert "1 Std. nachdem die Plattform die Kompromittierung erkannt hatte" in text_of(
        german["blocks"]
    )
    assert "Waiting for the platform" in text_of(english["blocks"])


def test_nothing_open_is_said_in_the_members_language(
    slack: Slack, standin: SlackStandIn, services: Services, acme: BusinessAccount
) -> None:
    services.languages.choose("U0ANA", "de")
    slack.press("U0ANA", "password_changed", value="alert:1")
    told = standin.wait_for(standin.response_url_posts)[-1]
    assert "keine offene Warnung zu einem kompromittierten Passwort" in told["text"]
