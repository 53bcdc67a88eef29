"""`python app.py nudge run-once [--dry-run] [--at TIME]`, run as a user would."""

from __future__ import annotations

import pytest

import app
from bot.services import Services
from sandbox.slack_standin import SlackStandIn
from tests.conftest import MemberFactory


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, services: Services) -> Services:
    monkeypatch.setenv("DATABASE_URL", services.settings.database_url)
    monkeypatch.setenv("SECURITY_BOT_KEYS", ",".join(services.settings.security_bot_keys))
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "NUDGE_POLICY_FILE"):
        monkeypatch.delenv(name, raising=False)
    return services


def test_a_dry_run_says_who_would_be_nudged_about_what_and_why_and_sends_nothing(
    environment: Services,
    member: MemberFactory,
    standin: SlackStandIn,
    capsys: pytest.CaptureFixture[str],
) -> None:
    member("U0ANA", name="Ana")
    assert app.main(["nudge", "run-once", "--dry-run", "--at", "2026-12-08T10:00"]) == 0
    out = capsys.readouterr().out
    assert "U0ANA (Ana, Tue 11:00 Europe/Berlin): one DM about" in out
    # Times are the member's own, with their zone named.
    assert (
        "Authenticator linked to the bot: first reminder (the 14 days' grace for new members "
        "ended Tue 8 Dec 2026 11:00 (Europe/Berlin))"
    ) in out
    assert "dry run: nothing was written or sent" in out
    assert standin.calls() == []
    assert environment.nudges.sweep(dry_run=True).reminders == 0  # the real clock: still grace


def test_the_night_and_the_grace_period_are_explained_with_verbose(
    environment: Services, member: MemberFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    member("U0ANA", name="Ana")
    app.main(["nudge", "run-once", "--dry-run", "--verbose", "--at", "2026-12-08T22:00"])
    out = capsys.readouterr().out
    assert "outside working hours; next window Wed 9 Dec 2026 09:00 (Europe/Berlin)" in out
    app.main(["nudge", "run-once", "--dry-run", "--verbose", "--at", "2026-11-25T10:00"])
    assert "new member: grace period until" in capsys.readouterr().out


def test_run_once_sends_at_the_time_given(
    environment: Services,
    member: MemberFactory,
    standin: SlackStandIn,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    member("U0ANA", name="Ana")
    assert app.main(["nudge", "run-once"]) == 2  # no Slack token: nothing could be sent
    assert "SLACK_BOT_TOKEN is required" in capsys.readouterr().err
    monkeypatch.setenv("SLACK_BOT_TOKEN", standin.bot_token)
    monkeypatch.setenv("SLACK_API_URL", standin.base_url)
    assert app.main(["nudge", "run-once", "--at", "2026-12-08T10:00"]) == 0
    assert "delivery: sent 1" in capsys.readouterr().out
    assert len(standin.messages("U0ANA")) == 1
    assert app.main(["nudge", "run-once", "--at", "2026-12-08T10:05"]) == 0
    assert len(standin.messages("U0ANA")) == 1
