"""What the sandbox keeps beside its SQLite file from one run to the next: the key its secrets are
encrypted with, and how far `time` moved the app's clock; and `reset`, which wipes the database."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url

from bot.core.config import Settings
from bot.core.errors import ConfigError

KEY_SUFFIX = ".sandbox-key"  # x.db keeps its sandbox key in x.db.sandbox-key
CLOCK_SUFFIX = ".sandbox-clock"  # and how far `time` moved the app's clock, in seconds


@dataclass(frozen=True)
class SecretKeys:
    """The keys secrets at rest are encrypted with, and what the banner says about them."""

    keys: tuple[str, ...]
    note: str
    lasting: bool  # False: secrets stored on this run cannot be read on the next


def clock_file(database_url: str) -> Path | None:
    """Beside the SQLite file, as the key is; None for an in-memory or server database."""
    path = key_file(database_url)
    return None if path is None else path.with_name(path.name.replace(KEY_SUFFIX, CLOCK_SUFFIX))


def kept_offset(path: Path | None) -> timedelta:
    try:
        return timedelta(seconds=float(path.read_text(encoding="ascii"))) if path else timedelta()
    except (OSError, ValueError):
        return timedelta()  # no move kept, or an unreadable one: the clock starts at now


def can_reset(database_url: str) -> bool:
    return key_file(database_url) is not None


def wipe(database_url: str) -> None:
    """A clean sandbox: the SQLite database and the clock's move gone (the key file stays; with
    nothing encrypted left it does no harm). The next start migrates and seeds afresh."""
    database = key_file(database_url)
    if database is None:
        raise ConfigError("reset wipes the sandbox's own SQLite database only")
    database = database.with_name(database.name.removesuffix(KEY_SUFFIX))
    kept = clock_file(database_url)
    for path in (database, *(Path(f"{database}{end}") for end in ("-wal", "-shm", "-journal"))):
        path.unlink(missing_ok=True)
    if kept is not None:
        kept.unlink(missing_ok=True)


def secret_keys(settings: Settings, database_url: str) -> SecretKeys:
    """SECURITY_BOT_KEYS when set; else the sandbox's own key, kept beside a SQLite database so
    that secrets stored on one run (authenticator links) can still be read on the next."""
    if settings.security_bot_keys:
        return SecretKeys(
            settings.security_bot_keys, "Secrets are encrypted with SECURITY_BOT_KEYS.", True
        )
    path = key_file(database_url)
    if path is None:
        note = (
            "Secrets are encrypted with a key made for this run only: authenticators linked now "
            "won't verify next time. Set SECURITY_BOT_KEYS to keep them."
        )
        return SecretKeys((Fernet.generate_key().decode(),), note, False)
    note = f"Secrets are encrypted with the sandbox's own key, kept in {path} for next time."
    return SecretKeys((_kept_key(path),), note, True)


def key_file(database_url: str) -> Path | None:
    """Beside the SQLite file; None for an in-memory or server database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(f"{url.database}{KEY_SUFFIX}")


def _kept_key(path: Path) -> str:
    """The key in `path`, made on first use, readable and writable by this user only."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(path)
    key = Fernet.generate_key().decode()
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key + "\n")
    return key


def _read_key(path: Path) -> str:
    try:
        key = path.read_text(encoding="ascii").strip()
        Fernet(key.encode())
    except (ValueError, TypeError):  # UnicodeDecodeError is a ValueError
        raise ConfigError(
            f"{path} does not hold a Fernet key. Secrets encrypted with it cannot be read: "
            "delete the file for a new key, or set SECURITY_BOT_KEYS."
        ) from None
    return key
