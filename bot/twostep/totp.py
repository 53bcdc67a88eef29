"""Time-based one-time codes (RFC 6238) and the rules the bot adds around them.

Authenticator apps expect 6-digit, SHA-1, 30-second codes. One step of clock drift is accepted
either side; a code from a step at or before the last accepted one is a replay (RFC 6238 §5.2).
Only ASCII digits count: pyotp compares after Unicode normalisation and would accept full-width ones.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pyotp

DIGITS = 6
PERIOD = 30
DRIFT_STEPS = 1
ISSUER = "Account Security"
UNNAMED = "your Slack account"  # neither email nor name known yet: never the bare Slack id
_SPACES = re.compile(r"[ ]+")


def new_secret() -> str:
    """160 random bits in base32, as RFC 4226 recommends."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


def time_step(at: datetime, period: int = PERIOD) -> int:
    return int(at.timestamp()) // period


def normalise_code(typed: str, digits: int = DIGITS) -> str | None:
    """The code without spaces, or None unless it is exactly `digits` ASCII digits."""
    code = _SPACES.sub("", typed.strip(" "))
    if len(code) != digits or not code.isascii() or not code.isdigit():
        return None
    return code


def matching_step(
    secret: str,
    typed: str,
    at: datetime,
    *,
    last_step: int | None,
    digits: int = DIGITS,
    digest: Callable[..., Any] = hashlib.sha1,
    period: int = PERIOD,
    drift: int = DRIFT_STEPS,
) -> int | None:
    """The time step the code belongs to, if it is valid now and not a replay; else None."""
    code = normalise_code(typed, digits)
    if code is None:
        return None
    generator = pyotp.TOTP(secret, digits=digits, digest=digest, interval=period)
    current = time_step(at, period)
    found = None
    for step in range(current - drift, current + drift + 1):
        expected = generator.generate_otp(step)
        # compare every candidate, so timing does not tell which step matched
        if hmac.compare_digest(expected, code) and found is None:
            found = step
    if found is None or (last_step is not None and found <= last_step):
        return None
    return found


def entry_name(email: str | None, display_name: str | None) -> str:
    """Whom the entry in the member's authenticator app is for ("Account Security: Sam Rivera"),
    as people recognise themselves: their email, else their name. Never a Slack id, which nobody
    recognises in their app."""
    for known in (email, display_name):
        if known and known.strip():
            return known.strip()
    return UNNAMED


def provisioning_uri(secret: str, account_label: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).provisioning_uri(
        name=account_label, issuer_name=ISSUER
    )


def grouped(secret: str) -> str:
    """The key in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L


def new_recovery_codes(count: int = 10) -> list[str]:
    return [
        "-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(5)) for _ in range(2))
        for _ in range(count)
    ]


def normalise_recovery_code(typed: str) -> str | None:
    code = typed.strip().upper().replace("-", "").replace(" ", "")
    if len(code) != 10 or any(char not in RECOVERY_ALPHABET for char in code):
        return None
    return code


def recovery_code_hash(code: str) -> str:
    """Recovery codes carry 49 random bits and are single-use, so a plain SHA-256 suffices."""
    normalised = normalise_recovery_code(code) or ""
    return hashlib.sha256(normalised.encode()).hexdigest()
