"""Secrets at rest: Fernet under SECURITY_BOT_KEYS, the first key encrypting, every key decrypting."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.core.errors import ConfigError


class SecretBox:
    def __init__(self, keys: tuple[str, ...]) -> None:
        if not keys:
            raise ConfigError("SECURITY_BOT_KEYS is required to store secrets")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def seal(self, secret: str) -> bytes:
        return self._fernet.encrypt(secret.encode())

    def open(self, sealed: bytes) -> str:
        try:
            return self._fernet.decrypt(sealed).decode()
        except InvalidToken:
            raise ConfigError(
                "a stored secret cannot be decrypted with SECURITY_BOT_KEYS (was a key removed?)"
            ) from None

    def reseal(self, sealed: bytes) -> bytes:
        """Re-encrypt under the first key; for `keys rotate`."""
        return self._fernet.rotate(sealed)
