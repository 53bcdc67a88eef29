"""Shared by the tests of `app.py alerts import FILE` and `app.py posture import FILE`: the shell an
operator runs them from, and the file they import."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services import Services
from sandbox.slack_standin import SlackStandIn
from tests.conftest import AccountFactory, MemberFactory


def operator_environment(
    monkeypatch: pytest.MonkeyPatch,
    services: Services,
    standin: SlackStandIn,
    member: MemberFactory,
    account: AccountFactory,
) -> Services:
    """The environment app.py reads, on the test database and the Slack stand-in and with nothing
    else of the developer's; Ana is a member of Acme Shoes Ads, platform account 7012345."""
    monkeypatch.setenv("DATABASE_URL", services.settings.database_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", standin.bot_token)
    monkeypatch.setenv("SLACK_API_URL", standin.base_url)
    for name in ("SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SECURITY_BOT_KEYS", "SMTP_URL"):
        monkeypatch.delenv(name, raising=False)
    ana = member("U0ANA", email="ana@example.com")
    account("Acme Shoes Ads", members=[ana], platform_account_id="7012345")
    return services


def write_lines(path: Path, *lines: str) -> str:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)
