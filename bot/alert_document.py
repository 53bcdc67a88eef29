"""The platform's alert document: raw JSON in, a checked `AlertDocument` (or the reason) out.

Pure: the alerts API and `app.py alerts import` both read documents through `parse_alert`, so a
document is accepted or refused the same way whichever door it came through. The reasons are
shown to the platform (and to the operator importing a file), so they name the field and never
echo the value back.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

MAX_ID = 128
MAX_ACCOUNT_ID = 64  # the width of business_accounts.platform_account_id
MAX_EMAIL = 320  # the width of members.email
MAX_DETAIL = 2000
FIELDS = ("id", "kind", "account_id", "member_email", "detected_at", "detail")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


class AlertKind(StrEnum):
    COMPROMISED_PASSWORD = "compromised_password"  # noqa: S105 - an alert kind
    SUSPICIOUS_LOGIN = "suspicious_login"
    ACCOUNT_TAKEOVER = "account_takeover"


KINDS = ", ".join(kind.value for kind in AlertKind)


class AlertInvalid(ValueError):
    """The document is malformed; `reason` says what is wrong, safe to send back."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AlertDocument:
    id: str
    kind: AlertKind
    account_id: str
    member_email: str
    detected_at: datetime
    detail: str


def parse_alert(raw: bytes | str) -> AlertDocument:
    """Check one document; raise AlertInvalid naming the first problem."""
    try:
        loaded = json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise AlertInvalid("body is not valid JSON") from None
    if not isinstance(loaded, dict):
        raise AlertInvalid("body must be a JSON object")
    for name in FIELDS:
        if name not in loaded or loaded[name] is None:
            raise AlertInvalid(f"missing field: {name}")
    alert_id = _text(loaded, "id", MAX_ID)
    if not _ID.fullmatch(alert_id):
        raise AlertInvalid("id may hold only letters, digits and . _ : -")
    kind_text = _text(loaded, "kind", 64)
    try:
        kind = AlertKind(kind_text)
    except ValueError:
        raise AlertInvalid(f"kind must be one of: {KINDS}") from None
    account_id = _text(loaded, "account_id", MAX_ACCOUNT_ID)
    email = _text(loaded, "member_email", MAX_EMAIL).lower()
    if not _EMAIL.fullmatch(email):
        raise AlertInvalid("member_email is not an email address")
    return AlertDocument(
        id=alert_id,
        kind=kind,
        account_id=account_id,
        member_email=email,
        detected_at=_time(loaded, "detected_at"),
        detail=_text(loaded, "detail", MAX_DETAIL, allow_empty=True),
    )


def _text(document: dict[str, Any], name: str, limit: int, *, allow_empty: bool = False) -> str:
    value = document[name]
    if not isinstance(value, str):
        raise AlertInvalid(f"{name} must be a string")
    value = value.strip()
    if not value and not allow_empty:
        raise AlertInvalid(f"{name} is empty")
    if len(value) > limit:
        raise AlertInvalid(f"{name} is longer than {limit} characters")
    return value


def _time(document: dict[str, Any], name: str) -> datetime:
    value = document[name]
    reason = f"{name} must be an ISO 8601 time with a time zone, e.g. 2026-11-24T10:00:00Z"
    if not isinstance(value, str) or len(value) > 40:
        raise AlertInvalid(reason)
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise AlertInvalid(reason) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise AlertInvalid(reason)
    return moment
