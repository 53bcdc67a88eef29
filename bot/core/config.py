"""Settings from the environment, validated once at start-up; nothing else reads os.environ."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

from bot.core.errors import ConfigError
from bot.nudges.policy_file import PolicyError, parse_policy
from bot.nudges.settings import NudgePolicy

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///security-bot.db"
_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_SLACK_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_CLIENT_ID = re.compile(r"^[0-9]+\.[0-9]+$")  # Basic Information > App Credentials
_CLIENT_SECRET = re.compile(r"^[A-Za-z0-9]{16,128}$")
STATE_SECRET_LENGTH = 32
SUPPORT_CONTACT_LIMIT = 200


@dataclass(frozen=True)
class Settings:
    """Everything the bot is configured with. Secrets are kept out of repr()."""

    slack_bot_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_client_id: str | None = None
    slack_client_secret: str | None = field(default=None, repr=False)
    slack_state_secret: str | None = field(default=None, repr=False)
    workspace_retention_days: int = 30
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = field(default=DEFAULT_DATABASE_URL, repr=False)
    port: int = 3000
    public_base_url: str = "http://localhost:3000"
    security_bot_keys: tuple[str, ...] = field(default=(), repr=False)
    security_admins: frozenset[str] = frozenset()
    escalation_channel: str | None = None
    support_channel: str | None = None
    support_handlers: frozenset[str] = frozenset()
    support_contact: str | None = None
    alerts_signing_secret: str | None = field(default=None, repr=False)
    pwned_passwords_url: str | None = None
    smtp_url: str | None = field(default=None, repr=False)
    smtp_from: str | None = None
    platform_webhook_url: str | None = None
    password_min_score: int = 3
    nudge_policy: NudgePolicy = field(default_factory=NudgePolicy, repr=False)
    scheduled_jobs: bool = True
    request_threads: int = 16
    web_workers: int = 2
    web_threads: int = 1
    log_format: str = "text"
    metrics_token: str | None = field(default=None, repr=False)
    # Deadlines, in seconds, that keep every answer to Slack within its 3 seconds.
    request_body_deadline: float = 5.0
    database_connect_timeout: float = 2.0
    database_statement_timeout: float = 1.5
    database_pool_timeout: float = 1.0

    @property
    def oauth_mode(self) -> bool:
        """Many workspaces, installed through /slack/install, rather than one SLACK_BOT_TOKEN."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def http_mode_ready(self) -> bool:
        return bool((self.slack_bot_token or self.oauth_mode) and self.slack_signing_secret)

    @property
    def socket_mode_ready(self) -> bool:
        return bool(self.slack_app_token and self.slack_bot_token)


def load_settings(environ: Mapping[str, str] | None = None, *, mode: str = "serve") -> Settings:
    """Read and check every setting; raise ConfigError naming the first bad one.

    `mode` is serve, socket, sandbox or tool (a one-shot command such as `db upgrade`).
    """
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    port = _port(get("PORT"))
    workers = get("WEB_CONCURRENCY") or "2"
    if not workers.isdigit() or not 1 <= int(workers) <= 64:
        raise ConfigError("WEB_CONCURRENCY must be a number of worker processes from 1 to 64")
    threads = get("WEB_THREADS") or "1"
    if not threads.isdigit() or not 1 <= int(threads) <= 64:
        raise ConfigError("WEB_THREADS must be a number of threads per worker from 1 to 64")
    slack_api_url = get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
    _require_url("SLACK_API_URL", slack_api_url)
    if not slack_api_url.endswith("/"):
        slack_api_url += "/"
    public_base_url = (get("PUBLIC_BASE_URL") or f"http://localhost:{port}").rstrip("/")
    _require_url("PUBLIC_BASE_URL", public_base_url)
    database_url = get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if not re.match(r"^[a-z][a-z0-9+]*://", database_url):
        raise ConfigError("DATABASE_URL is not a SQLAlchemy URL (e.g. postgresql+psycopg://...)")

    settings = Settings(
        slack_bot_token=_token("SLACK_BOT_TOKEN", get("SLACK_BOT_TOKEN"), "xoxb-"),
        slack_signing_secret=get("SLACK_SIGNING_SECRET"),
        slack_app_token=_token("SLACK_APP_TOKEN", get("SLACK_APP_TOKEN"), "xapp-"),
        slack_client_id=_matching("SLACK_CLIENT_ID", get("SLACK_CLIENT_ID"), _CLIENT_ID),
        slack_client_secret=_matching(
            "SLACK_CLIENT_SECRET", get("SLACK_CLIENT_SECRET"), _CLIENT_SECRET
        ),
        slack_state_secret=_state_secret(get("SLACK_STATE_SECRET")),
        workspace_retention_days=_days("WORKSPACE_RETENTION_DAYS", get("WORKSPACE_RETENTION_DAYS")),
        slack_api_url=slack_api_url,
        database_url=database_url,
        port=port,
        public_base_url=public_base_url,
        security_bot_keys=_fernet_keys(get("SECURITY_BOT_KEYS")),
        security_admins=_user_ids("SECURITY_ADMINS", get("SECURITY_ADMINS")),
        escalation_channel=_channel("ESCALATION_CHANNEL", get("ESCALATION_CHANNEL")),
        support_channel=_channel("SUPPORT_CHANNEL", get("SUPPORT_CHANNEL")),
        support_handlers=_user_ids("SUPPORT_HANDLERS", get("SUPPORT_HANDLERS")),
        support_contact=_support_contact(get("SUPPORT_CONTACT")),
        alerts_signing_secret=get("ALERTS_SIGNING_SECRET"),
        pwned_passwords_url=_optional_url("PWNED_PASSWORDS_URL", get("PWNED_PASSWORDS_URL")),
        smtp_url=_smtp_url(get("SMTP_URL")),
        smtp_from=get("SMTP_FROM"),
        platform_webhook_url=_optional_url("PLATFORM_WEBHOOK_URL", get("PLATFORM_WEBHOOK_URL")),
        password_min_score=_min_score(get("PASSWORD_MIN_SCORE")),
        nudge_policy=_nudge_policy(get("NUDGE_POLICY_FILE")),
        scheduled_jobs=_switch("SCHEDULED_JOBS", get("SCHEDULED_JOBS")),
        web_workers=int(workers),
        web_threads=int(threads),
        log_format=log_format(env),
        metrics_token=get("METRICS_TOKEN"),
        request_body_deadline=_seconds("REQUEST_BODY_DEADLINE", get("REQUEST_BODY_DEADLINE"), 5.0),
        database_connect_timeout=_seconds(
            "DATABASE_CONNECT_TIMEOUT", get("DATABASE_CONNECT_TIMEOUT"), 2.0, least=2.0
        ),
        database_statement_timeout=_seconds(
            "DATABASE_STATEMENT_TIMEOUT", get("DATABASE_STATEMENT_TIMEOUT"), 1.5
        ),
        database_pool_timeout=_seconds("DATABASE_POOL_TIMEOUT", get("DATABASE_POOL_TIMEOUT"), 1.0),
    )
    _check_mode(settings, mode)
    if settings.platform_webhook_url and not settings.alerts_signing_secret:
        raise ConfigError(
            "PLATFORM_WEBHOOK_URL needs ALERTS_SIGNING_SECRET, which signs its requests"
        )
    return settings


def log_format(environ: Mapping[str, str] | None = None) -> str:
    """LOG_FORMAT: `json` for one JSON object per line, `text` (the default) for a terminal. Read
    on its own too, because logging is set up before the mode's settings are."""
    env = os.environ if environ is None else environ
    raw = env.get("LOG_FORMAT", "").strip().lower() or "text"
    if raw not in ("json", "text"):
        raise ConfigError("LOG_FORMAT must be json or text")
    return raw


def _check_oauth(settings: Settings) -> None:
    """OAuth mode needs its three settings together, and is one mode: not beside a bot token."""
    if bool(settings.slack_client_id) != bool(settings.slack_client_secret):
        raise ConfigError("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set together (OAuth mode)")
    if not settings.oauth_mode:
        return
    if not settings.slack_state_secret:
        raise ConfigError("SLACK_STATE_SECRET is required in OAuth mode (SLACK_CLIENT_ID is set)")
    if settings.slack_bot_token:
        raise ConfigError(
            "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are two modes: unset SLACK_BOT_TOKEN to install "
            "by OAuth, or the client id and secret to serve one workspace"
        )


def _check_mode(settings: Settings, mode: str) -> None:
    _check_oauth(settings)
    if mode == "socket" and not settings.slack_bot_token:
        raise ConfigError("SLACK_BOT_TOKEN is required to connect to Slack")
    if mode == "serve" and not (settings.slack_bot_token or settings.oauth_mode):
        raise ConfigError(
            "SLACK_BOT_TOKEN is required to connect to Slack "
            "(or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install by OAuth)"
        )
    if mode in ("serve", "socket") and not settings.security_bot_keys:
        raise ConfigError("SECURITY_BOT_KEYS is required outside the sandbox")
    if mode == "serve" and not settings.slack_signing_secret:
        raise ConfigError("SLACK_SIGNING_SECRET is required for HTTP mode")
    if mode == "socket" and not settings.slack_app_token:
        raise ConfigError("SLACK_APP_TOKEN is required for Socket Mode")


def _seconds(name: str, raw: str | None, default: float, *, least: float = 0.1) -> float:
    """A number of seconds (decimals allowed) from `least` to 60."""
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not least <= value <= 60:  # also refuses nan and inf
        raise ConfigError(f"{name} must be a number of seconds from {least:g} to 60")
    return value


def _port(raw: str | None) -> int:
    if raw is None:
        return 3000
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError("PORT must be a number between 1 and 65535")
    return int(raw)


def _require_url(name: str, value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{name} must be an http(s) URL")


def _optional_url(name: str, value: str | None) -> str | None:
    if value is not None:
        _require_url(name, value)
    return value


def _token(name: str, value: str | None, prefix: str) -> str | None:
    if value is not None and not value.startswith(prefix):
        raise ConfigError(f"{name} must start with {prefix}")
    return value


def _matching(name: str, value: str | None, shape: re.Pattern[str]) -> str | None:
    if value is not None and not shape.match(value):
        raise ConfigError(f"{name} is not shaped as Slack's App Credentials show it")
    return value


def _state_secret(raw: str | None) -> str | None:
    """Keys the OAuth states stored in the database (only their HMAC is stored)."""
    if raw is not None and (len(raw) < STATE_SECRET_LENGTH or not raw.isprintable()):
        raise ConfigError(
            f"SLACK_STATE_SECRET must be at least {STATE_SECRET_LENGTH} characters "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return raw


def _days(name: str, raw: str | None, default: int = 30) -> int:
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 3650:
        raise ConfigError(f"{name} must be a number of days from 1 to 3650")
    return int(raw)


def _fernet_keys(raw: str | None) -> tuple[str, ...]:
    if raw is None:
        return ()
    keys = tuple(part.strip() for part in raw.split(",") if part.strip())
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            raise ConfigError(
                f"SECURITY_BOT_KEYS entry {position} is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)"
            ) from None
    return keys


def _user_ids(name: str, raw: str | None) -> frozenset[str]:
    if raw is None:
        return frozenset()
    ids = frozenset(part.strip() for part in raw.split(",") if part.strip())
    if any(not _SLACK_USER_ID.match(user_id) for user_id in ids):
        raise ConfigError(f"{name} must be comma-separated Slack user IDs such as U012ABCDEF")
    return ids


def _channel(name: str, raw: str | None) -> str | None:
    if raw is not None and not _SLACK_CHANNEL_ID.match(raw):
        raise ConfigError(f"{name} must be a Slack channel ID such as C012ABCDEF")
    return raw


def _support_contact(raw: str | None) -> str | None:
    """What reporters of unmanaged cases are given: one short line of text or a URL."""
    if raw is not None and (len(raw) > SUPPORT_CONTACT_LIMIT or not raw.isprintable()):
        raise ConfigError(
            f"SUPPORT_CONTACT must be one line of at most {SUPPORT_CONTACT_LIMIT} characters "
            "(a text such as an email address, or a URL)"
        )
    return raw


def _min_score(raw: str | None) -> int:
    """The zxcvbn score (0-4) a password needs to pass the strong-password check."""
    if raw is None:
        return 3
    if raw not in ("0", "1", "2", "3", "4"):
        raise ConfigError("PASSWORD_MIN_SCORE must be a zxcvbn score from 0 to 4")
    return int(raw)


def _switch(name: str, raw: str | None, default: bool = True) -> bool:
    if raw is None:
        return default
    if raw.lower() not in ("on", "off", "true", "false", "1", "0"):
        raise ConfigError(f"{name} must be on or off")
    return raw.lower() in ("on", "true", "1")


def _nudge_policy(path: str | None) -> NudgePolicy:
    """The nudge policy: README's defaults, with what NUDGE_POLICY_FILE (TOML) overrides."""
    if path is None:
        return NudgePolicy()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise ConfigError("NUDGE_POLICY_FILE cannot be read") from None
    try:
        return parse_policy(text)
    except PolicyError as error:
        raise ConfigError(f"NUDGE_POLICY_FILE: {error}") from None


def _smtp_url(raw: str | None) -> str | None:
    if raw is None:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError("SMTP_URL must look like smtp://user:password@host:587")
    return raw
