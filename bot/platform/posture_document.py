"""The platform's posture report: raw JSON in, a checked `PostureDocument` (or the reason) out.

Pure, like bot/platform/alert_document.py, whose field readers it shares: the posture API and `app.py
posture import` read reports through `parse_posture`, so both doors accept and refuse the same
way. Only `id`, `account_id` and `reported_at` are required; an evidence field that is absent (or
null) says nothing. Unknown fields are ignored, so the platform can add some without breaking
delivery.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.platform.alert_document import (
    EMAIL_PATTERN,
    ID_PATTERN,
    MAX_ACCOUNT_ID,
    MAX_EMAIL,
    MAX_ID,
    AlertInvalid,
    json_object,
    text_field,
    time_field,
)

REQUIRED = ("id", "account_id", "reported_at")
EVIDENCE = (
    "two_step",
    "two_step_method",
    "recovery_email_set",
    "recovery_phone_set",
    "password_changed_at",
)
_METHOD = re.compile(r"[a-z][a-z0-9_]{0,63}")


class PostureInvalid(AlertInvalid):
    """The report is malformed; `reason` names the field, safe to send back."""


@dataclass(frozen=True)
class PostureDocument:
    id: str
    account_id: str
    reported_at: datetime
    member_email: str | None = None
    two_step: bool | None = None
    two_step_method: str | None = None
    recovery_email_set: bool | None = None
    recovery_phone_set: bool | None = None
    password_changed_at: datetime | None = None

    def evidence(self) -> dict[str, Any]:
        """The evidence fields the report carried, as JSON values, for the record."""
        values = {
            "two_step": self.two_step,
            "two_step_method": self.two_step_method,
            "recovery_email_set": self.recovery_email_set,
            "recovery_phone_set": self.recovery_phone_set,
            "password_changed_at": _iso(self.password_changed_at),
        }
        return {name: value for name, value in values.items() if value is not None}


def parse_posture(raw: bytes | str) -> PostureDocument:
    """Check one report; raise PostureInvalid naming the first problem."""
    loaded = json_object(raw, PostureInvalid)
    for name in REQUIRED:
        if loaded.get(name) is None:
            raise PostureInvalid(f"missing field: {name}")
    report_id = _text(loaded, "id", MAX_ID)
    if not ID_PATTERN.fullmatch(report_id):
        raise PostureInvalid("id may hold only letters, digits and . _ : -")
    email = _optional_text(loaded, "member_email", MAX_EMAIL)
    if email is not None:
        email = email.lower()
        if not EMAIL_PATTERN.fullmatch(email):
            raise PostureInvalid("member_email is not an email address")
    method = _optional_text(loaded, "two_step_method", 64)
    if method is not None and not _METHOD.fullmatch(method):
        raise PostureInvalid("two_step_method must be a method name such as authenticator_app")
    changed = loaded.get("password_changed_at")
    return PostureDocument(
        id=report_id,
        account_id=_text(loaded, "account_id", MAX_ACCOUNT_ID),
        reported_at=_time(loaded["reported_at"], "reported_at"),
        member_email=email,
        two_step=_flag(loaded, "two_step"),
        two_step_method=method,
        recovery_email_set=_flag(loaded, "recovery_email_set"),
        recovery_phone_set=_flag(loaded, "recovery_phone_set"),
        password_changed_at=None if changed is None else _time(changed, "password_changed_at"),
    )


def _text(document: dict[str, Any], name: str, limit: int) -> str:
    return text_field(document, name, limit, PostureInvalid)


def _optional_text(document: dict[str, Any], name: str, limit: int) -> str | None:
    return None if document.get(name) is None else _text(document, name, limit)


def _flag(document: dict[str, Any], name: str) -> bool | None:
    value = document.get(name)
    if value is not None and not isinstance(value, bool):
        raise PostureInvalid(f"{name} must be true or false")
    return value


def _time(value: Any, name: str) -> datetime:
    return time_field(value, name, PostureInvalid)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
