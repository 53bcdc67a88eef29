"""Signed requests between the platform and the bot, in Slack's v0 scheme.

`X-Alert-Timestamp` carries Unix seconds and `X-Alert-Signature` carries `v0=` and the hex
HMAC-SHA256 of `v0:{timestamp}:{raw body}` under the shared secret. The timestamp is inside the
signature, so a captured request cannot be replayed after the window, nor re-dated within it.

Pure: the alerts API, the posture API and the platform webhook (outgoing) all use these two
functions, with the time passed in.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import datetime, timedelta

TIMESTAMP_HEADER = "X-Alert-Timestamp"
SIGNATURE_HEADER = "X-Alert-Signature"
VERSION = "v0"
WINDOW = timedelta(minutes=5)
# Ten digits reach the year 2286; anything longer is not a timestamp worth parsing.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def sign(secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    """The two headers that make `body`, sent at `timestamp` (Unix seconds), verifiable."""
    stamp = str(int(timestamp))
    return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: f"{VERSION}={_digest(secret, stamp, body)}"}


def verify(secret: str | None, headers: Mapping[str, str], body: bytes, now: datetime) -> bool:
    """True only for a request signed with `secret` within WINDOW of `now`, either way.

    No secret configured means nothing can be verified, so everything is refused. Header names
    are matched without regard to case, as HTTP requires.
    """
    if not secret:
        return False
    by_name = {name.lower(): value for name, value in headers.items()}
    stamp = by_name.get(TIMESTAMP_HEADER.lower(), "").strip()
    signature = by_name.get(SIGNATURE_HEADER.lower(), "").strip().lower()
    if not _TIMESTAMP.fullmatch(stamp) or not _SIGNATURE.fullmatch(signature):
        return False
    if abs(now.timestamp() - int(stamp)) > WINDOW.total_seconds():
        return False
    expected = f"{VERSION}={_digest(secret, stamp, body)}"
    return hmac.compare_digest(expected.encode(), signature.encode())


def _digest(secret: str, stamp: str, body: bytes) -> str:
    base = f"{VERSION}:{stamp}:".encode() + body
    return hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
