"""The alert document: what is accepted, and the reason given for everything else."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.platform.alert_document import AlertDocument, AlertInvalid, AlertKind, parse_alert

GOOD: dict[str, Any] = {
    "id": "alert-123",
    "kind": "compromised_password",
    "account_id": "7012345",
    "member_email": "Ana@Example.com",
    "detected_at": "2026-11-24T10:00:00Z",
    "detail": "Found in a credential dump",
}


def document(**changes: Any) -> str:
    return json.dumps({**GOOD, **changes})


def reason(raw: bytes | str) -> str:
    with pytest.raises(AlertInvalid) as refused:
        parse_alert(raw)
    return refused.value.reason


def test_a_good_document_is_read_with_its_time_in_utc_and_the_email_lower_cased() -> None:
    assert parse_alert(document().encode()) == AlertDocument(
        id="alert-123",
        kind=AlertKind.COMPROMISED_PASSWORD,
        account_id="7012345",
        member_email="ana@example.com",
        detected_at=datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
        detail="Found in a credential dump",
    )


def test_every_kind_is_accepted_and_nothing_else() -> None:
    for kind in ("compromised_password", "suspicious_login", "account_takeover"):
        assert parse_alert(document(kind=kind)).kind.value == kind
    assert reason(document(kind="weak_password")) == (
        "kind must be one of: compromised_password, suspicious_login, account_takeover"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"{not json", "body is not valid JSON"),
        (b"\xff\xfe", "body is not valid JSON"),
        (b"", "body is not valid JSON"),
        (b"[1, 2]", "body must be a JSON object"),
        (b"[" * 100_000, "body is not valid JSON"),
    ],
    ids=["broken", "not utf-8", "empty", "array", "deeply nested"],
)
def test_a_body_that_is_not_a_json_object_is_refused(raw: bytes, expected: str) -> None:
    assert reason(raw) == expected


@pytest.mark.parametrize("name", list(GOOD))
def test_each_missing_field_is_named(name: str) -> None:
    raw = json.dumps({k: v for k, v in GOOD.items() if k != name})
    assert reason(raw) == f"missing field: {name}"
    assert reason(document(**{name: None})) == f"missing field: {name}"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"id": 123}, "id must be a string"),
        ({"id": ""}, "id is empty"),
        ({"id": "has space"}, "id may hold only letters, digits and . _ : -"),
        ({"id": "x" * 129}, "id is longer than 128 characters"),
        ({"account_id": 7012345}, "account_id must be a string"),
        ({"member_email": "not-an-email"}, "member_email is not an email address"),
        ({"detail": "x" * 2001}, "detail is longer than 2000 characters"),
    ],
)
def test_bad_fields_are_named(changes: dict[str, Any], expected: str) -> None:
    assert reason(document(**changes)) == expected


@pytest.mark.parametrize(
    "detected_at",
    ["yesterday", "2026-11-24", "2026-11-24T10:00:00", "2026-13-40T10:00:00Z", 1764000000],
    ids=["words", "date only", "no time zone", "impossible", "a number"],
)
def test_a_bad_date_is_refused_with_an_example(detected_at: Any) -> None:
    assert reason(document(detected_at=detected_at)) == (
        "detected_at must be an ISO 8601 time with a time zone, e.g. 2026-11-24T10:00:00Z"
    )


def test_an_empty_detail_is_allowed_and_unknown_fields_are_ignored() -> None:
    parsed = parse_alert(json.dumps({**GOOD, "detail": "", "severity": "high"}))
    assert parsed.detail == ""


def test_a_reason_never_echoes_the_value() -> None:
    assert "<script>" not in reason(document(kind="<script>"))
    assert "<script>" not in reason(document(member_email="<script>"))
