"""Signed platform requests: only the secret's holder, within five minutes either way."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.platform.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, verify

SECRET = "platform-secret"
BODY = b'{"id": "alert-1"}'
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
STAMP = int(NOW.timestamp())


def test_the_signature_is_hmac_sha256_of_version_timestamp_and_body() -> None:
    headers = sign(SECRET, BODY, STAMP)

    expected = hmac.new(SECRET.encode(), f"v0:{STAMP}:".encode() + BODY, hashlib.sha256)
    assert headers == {
        TIMESTAMP_HEADER: str(STAMP),
        SIGNATURE_HEADER: "v0=" + expected.hexdigest(),
    }
    assert verify(SECRET, headers, BODY, NOW)


def test_header_names_are_matched_without_regard_to_case() -> None:
    headers = {name.lower(): value for name, value in sign(SECRET, BODY, STAMP).items()}

    assert verify(SECRET, headers, BODY, NOW)


@pytest.mark.parametrize("offset", [-300, 300, 0])
def test_five_minutes_either_way_is_still_accepted(offset: int) -> None:
    assert verify(SECRET, sign(SECRET, BODY, STAMP + offset), BODY, NOW)


@pytest.mark.parametrize("offset", [-301, 301, -86_400])
def test_more_than_five_minutes_off_is_refused(offset: int) -> None:
    assert not verify(SECRET, sign(SECRET, BODY, STAMP + offset), BODY, NOW)


def test_a_forged_or_altered_request_is_refused() -> None:
    assert not verify(SECRET, sign("another-secret", BODY, STAMP), BODY, NOW)
    assert not verify(SECRET, sign(SECRET, BODY, STAMP), BODY + b" ", NOW)
    # the timestamp is signed too: re-dating a captured request breaks it
    redated = {**sign(SECRET, BODY, STAMP - 3600), TIMESTAMP_HEADER: str(STAMP)}
    assert not verify(SECRET, redated, BODY, NOW)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {TIMESTAMP_HEADER: str(STAMP)},
        {SIGNATURE_HEADER: sign(SECRET, BODY, STAMP)[SIGNATURE_HEADER]},
        {TIMESTAMP_HEADER: "yesterday", SIGNATURE_HEADER: "v0=" + "0" * 64},
        {TIMESTAMP_HEADER: f"{STAMP}.5", SIGNATURE_HEADER: "v0=" + "0" * 64},
        {TIMESTAMP_HEADER: "-1", SIGNATURE_HEADER: "v0=" + "0" * 64},
        {TIMESTAMP_HEADER: "", SIGNATURE_HEADER: "v0=" + "0" * 64},
        {TIMESTAMP_HEADER: "9" * 40, SIGNATURE_HEADER: "v0=" + "0" * 64},
        {TIMESTAMP_HEADER: str(STAMP), SIGNATURE_HEADER: "v1=" + "0" * 64},
        {TIMESTAMP_HEADER: str(STAMP), SIGNATURE_HEADER: "not hex"},
    ],
    ids=[
        "no headers",
        "no signature",
        "no timestamp",
        "words",
        "fraction",
        "negative",
        "empty",
        "absurdly long",
        "other version",
        "garbage signature",
    ],
)
def test_missing_or_malformed_headers_are_refused(headers: dict[str, str]) -> None:
    assert not verify(SECRET, headers, BODY, NOW)


@pytest.mark.parametrize("secret", [None, ""])
def test_without_a_secret_everything_is_refused(secret: str | None) -> None:
    assert not verify(secret, sign("", BODY, STAMP), BODY, NOW)
    assert not verify(secret, sign(SECRET, BODY, STAMP), BODY, NOW)


def test_a_signature_is_checked_whatever_time_zone_now_is_in() -> None:
    berlin = NOW.astimezone(timezone(timedelta(hours=1)))
    assert verify(SECRET, sign(SECRET, BODY, STAMP), BODY, berlin)
    assert not verify(SECRET, sign(SECRET, BODY, STAMP + 3600), BODY, berlin)
