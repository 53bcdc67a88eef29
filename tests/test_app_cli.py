"""The one-shot subcommands of app.py, run as a user would, against the real database."""

from __future__ import annotations

import json
from datetime import timedelta

import pyotp
import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import text

import app
from bot.core.clock import FakeClock
from bot.core.secret_box import SecretBox
from bot.services import Services
from handlers.outbound.installations import SealedInstallationStore
from tests.conftest import MemberFactory


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, services: Services) -> Services:
    monkeypatch.setenv("DATABASE_URL", services.settings.database_url)
    monkeypatch.setenv("SECURITY_BOT_KEYS", ",".join(services.settings.security_bot_keys))
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    return services


def test_audit_export_writes_json_lines_since_a_date(
    environment: Services,
    member: MemberFactory,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    member("U0ANA")
    environment.recovery_phone.record("U0ANA", "+44 20 7946 0958")
    clock.advance(timedelta(days=3))
    environment.recovery_phone.record("U0ANA", "+44 20 7946 0958")

    assert app.main(["audit", "export", "--since", "2026-11-26"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["action"] == "recovery.phone.recorded"
    assert record["actor"] == "U0ANA"
    assert record["at"].startswith("2026-11-27T10:00:00")


def test_audit_export_rejects_a_bad_date(environment: Services) -> None:
    with pytest.raises(SystemExit, match="--since must be a date"):
        app.main(["audit", "export", "--since", "yesterday"])


def test_keys_rotate_moves_every_secret_to_the_first_key(
    environment: Services,
    member: MemberFactory,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    member("U0ANA")
    secret = environment.authenticator.begin("U0ANA").secret
    environment.authenticator.confirm("U0ANA", pyotp.TOTP(secret).at(clock.now()))
    old_key = environment.settings.security_bot_keys[0]
    store = SealedInstallationStore("1.2", environment.database.engine, SecretBox((old_key,)))
    store.save(
        Installation(
            app_id="A0APP", enterprise_id=None, team_id="T0ALPHA", user_id="U0ANA",
            bot_token="xoxb-alpha", bot_id="B0BOT", bot_user_id="U0BOT",
        )
    )  # fmt: skip
    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("SECURITY_BOT_KEYS", f"{new_key},{old_key}")

    assert app.main(["keys", "rotate"]) == 0

    # the authenticator's secret, and the install's bot token in both of slack_sdk's tables
    assert "re-encrypted 3 secrets" in capsys.readouterr().out
    with environment.database.engine.connect() as connection:
        sealed = connection.execute(
            text("SELECT secret_encrypted FROM authenticator_links")
        ).scalar_one()
        tokens = connection.execute(text("SELECT bot_token FROM slack_bots")).scalars().all()
    assert SecretBox((new_key,)).open(bytes(sealed)) == secret
    assert [SecretBox((new_key,)).open(token.encode()) for token in tokens] == ["xoxb-alpha"]


def test_a_bad_setting_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SECURITY_BOT_KEYS", "hunter2-not-a-key")
    assert app.main(["keys", "rotate"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "SECURITY_BOT_KEYS" in err and "hunter2" not in err
