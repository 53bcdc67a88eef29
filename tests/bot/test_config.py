"""Settings are checked once; a bad one is named, its value never echoed."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from bot.core.config import load_settings
from bot.core.errors import ConfigError

KEY = Fernet.generate_key().decode()
SERVE = {
    "SLACK_BOT_TOKEN": "xoxb-1-secret-token",
    "SLACK_SIGNING_SECRET": "very-secret-signing",
    "SECURITY_BOT_KEYS": KEY,
}


def test_defaults_for_the_sandbox() -> None:
    settings = load_settings({}, mode="sandbox")
    assert settings.port == 3000
    assert settings.public_base_url == "http://localhost:3000"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url == "sqlite:///security-bot.db"
    assert not settings.http_mode_ready


def test_serve_settings_are_read() -> None:
    settings = load_settings(
        {
            **SERVE,
            "PORT": "8080",
            "SECURITY_ADMINS": "U012ABC, W0ADMIN",
            "ESCALATION_CHANNEL": "C0ESC",
            "SLACK_API_URL": "http://127.0.0.1:9/api",
            "SECURITY_BOT_KEYS": f"{KEY}, {Fernet.generate_key().decode()}",
        },
        mode="serve",
    )
    assert settings.port == 8080
    assert settings.public_base_url == "http://localhost:8080"
    assert settings.security_admins == frozenset({"U012ABC", "W0ADMIN"})
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert len(settings.security_bot_keys) == 2
    assert "secret" not in repr(settings)
    assert (settings.web_workers, settings.web_threads) == (2, 1)


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token-secret"}, "SLACK_BOT_TOKEN"),
        ({"SECURITY_BOT_KEYS": ""}, "SECURITY_BOT_KEYS"),
        ({"SECURITY_BOT_KEYS": "not-a-key-secret"}, "SECURITY_BOT_KEYS"),
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"SECURITY_ADMINS": "dana@example.com"}, "SECURITY_ADMINS"),
        ({"ESCALATION_CHANNEL": "#escalations"}, "ESCALATION_CHANNEL"),
        ({"PUBLIC_BASE_URL": "bot.example.com"}, "PUBLIC_BASE_URL"),
        ({"DATABASE_URL": "not a url secret"}, "DATABASE_URL"),
        ({"SMTP_URL": "mail.example.com"}, "SMTP_URL"),
        ({"WEB_CONCURRENCY": "0"}, "WEB_CONCURRENCY"),
        ({"WEB_THREADS": "0"}, "WEB_THREADS"),
        ({"WEB_THREADS": "many"}, "WEB_THREADS"),
        ({"SUPPORT_HANDLERS": "support@example.com"}, "SUPPORT_HANDLERS"),
        ({"SUPPORT_CONTACT": "x" * 201}, "SUPPORT_CONTACT"),
        ({"SUPPORT_CONTACT": "call\tus secret"}, "SUPPORT_CONTACT"),
    ],
)
def test_bad_settings_name_the_variable_not_the_value(changes: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({**SERVE, **changes}, mode="serve")
    message = str(raised.value)
    assert named in message
    assert "secret" not in message
    assert "\n" not in message


def test_socket_mode_needs_the_app_token() -> None:
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN"):
        load_settings(SERVE, mode="socket")
    assert load_settings({**SERVE, "SLACK_APP_TOKEN": "xapp-1"}, mode="socket").socket_mode_ready


def test_the_password_score_needed_is_a_zxcvbn_score() -> None:
    assert load_settings({}, mode="sandbox").password_min_score == 3
    assert load_settings({"PASSWORD_MIN_SCORE": "4"}, mode="sandbox").password_min_score == 4
    for bad in ("5", "-1", "three", "3.5"):
        with pytest.raises(ConfigError, match="PASSWORD_MIN_SCORE must be a zxcvbn score"):
            load_settings({"PASSWORD_MIN_SCORE": bad}, mode="sandbox")


def test_who_works_unmanaged_cases_and_the_contact_reporters_get() -> None:
    settings = load_settings(
        {"SUPPORT_HANDLERS": "U0SUE, U0TOM", "SUPPORT_CONTACT": " https://help.example.com "},
        mode="sandbox",
    )
    assert settings.support_handlers == frozenset({"U0SUE", "U0TOM"})
    assert settings.support_contact == "https://help.example.com"
    unset = load_settings({}, mode="sandbox")
    assert (unset.support_handlers, unset.support_contact) == (frozenset(), None)
