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
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


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
    loaded = json_object(raw, AlertInvalid)
    for name in FIELDS:
        if name not in loaded or loaded[name] is None:
            raise AlertInvalid(f"missing field: {name}")
    alert_id = text_field(loaded, "id", MAX_ID, AlertInvalid)
    if not ID_PATTERN.fullmatch(alert_id):
        raise AlertInvalid("id may hold only letters, digits and . _ : -")
    kind_text = text_field(loaded, "kind", 64, AlertInvalid)
    try:
        kind = AlertKind(kind_text)
    except ValueError:
        raise AlertInvalid(f"kind must be one of: {KINDS}") from None
    account_id = text_field(loaded, "account_id", MAX_ACCOUNT_ID, AlertInvalid)
    email = text_field(loaded, "member_email", MAX_EMAIL, AlertInvalid).lower()
    if not EMAIL_PATTERN.fullmatch(email):
        raise AlertInvalid("member_email is not an email address")
    return AlertDocument(
        id=alert_id,
        kind=kind,
        account_id=account_id,
        member_email=email,
        detected_at=time_field(loaded["detected_at"], "detected_at", AlertInvalid),
        detail=text_field(loaded, "detail", MAX_DETAIL, AlertInvalid, allow_empty=True),
    )


# The readers below are shared with bot/platform/posture_document.py, so a field is refused the same way
# in every platform document; each refuses with the document's own error, `invalid`.


def json_object(raw: bytes | str, invalid: type[AlertInvalid]) -> dict[str, Any]:
    """The body as a JSON object, or `invalid` saying it is not one."""
    try:
        loaded = json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise invalid("body is not valid JSON") from None
    if not isinstance(loaded, dict):
        raise invalid("body must be a JSON object")
    return loaded


def text_field(
    document: dict[str, Any],
    name: str,
    limit: int,
    invalid: type[AlertInvalid],
    *,
    allow_empty: bool = False,
) -> str:
    """The field's text, stripped; refused unless a string of at most `limit` characters."""
    value = document[name]
    if not isinstance(value, str):
        raise invalid(f"{name} must be a string")
    value = value.strip()
    if not value and not allow_empty:
        raise invalid(f"{name} is empty")
    if len(value) > limit:
        raise invalid(f"{name} is longer than {limit} characters")
    return value


def time_field(value: Any, name: str, invalid: type[AlertInvalid]) -> datetime:
    """A field's ISO 8601 time; one without a time zone would be a guess, so it is refused."""
    reason = f"{name} must be an ISO 8601 time with a time zone, e.g. 2026-11-24T10:00:00Z"
    if not isinstance(value, str) or len(value) > 40:
        raise invalid(reason)
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise invalid(reason) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise invalid(reason)
    return moment
