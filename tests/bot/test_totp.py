"""The code rules themselves, through the project's own verification function."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pyotp
import pytest

from bot.twostep import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("unix_time", "code"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_rfc_6238_appendix_b_sha1_vectors(unix_time: int, code: str) -> None:
    at = datetime.fromtimestamp(unix_time, UTC)
    step = totp.matching_step(RFC_SECRET, code, at, last_step=None, digits=8, drift=0)
    assert step == unix_time // 30
    wrong = str((int(code) + 1) % 10**8).zfill(8)
    assert totp.matching_step(RFC_SECRET, wrong, at, last_step=None, digits=8, drift=0) is None


AT = datetime(2026, 11, 24, 10, 0, 15, tzinfo=UTC)
FULL_WIDTH = "".join(chr(0xFF11 + i) for i in range(6))  # the full-width digits 1 to 6
ARABIC_INDIC = "".join(chr(0x0661 + i) for i in range(6))  # the Arabic-Indic digits 1 to 6


def _code(secret: str, steps_off: int = 0) -> str:
    return pyotp.TOTP(secret).at(AT.timestamp() + 30 * steps_off)


def test_one_step_of_drift_either_side_accepted_two_refused() -> None:
    secret = totp.new_secret()
    now = totp.time_step(AT)
    assert totp.matching_step(secret, _code(secret, -1), AT, last_step=None) == now - 1
    assert totp.matching_step(secret, _code(secret, +1), AT, last_step=None) == now + 1
    assert totp.matching_step(secret, _code(secret, -2), AT, last_step=None) is None
    assert totp.matching_step(secret, _code(secret, +2), AT, last_step=None) is None


def test_replay_of_the_same_or_an_earlier_step_refused() -> None:
    secret = totp.new_secret()
    now = totp.time_step(AT)
    assert totp.matching_step(secret, _code(secret), AT, last_step=now) is None
    assert totp.matching_step(secret, _code(secret, -1), AT, last_step=now - 1) is None
    assert totp.matching_step(secret, _code(secret), AT, last_step=now - 1) == now


@pytest.mark.parametrize(
    "typed", ["12345", "1234567", "12345a", "", FULL_WIDTH, ARABIC_INDIC, "12 34 5"]
)
def test_malformed_codes_refused(typed: str) -> None:
    assert totp.normalise_code(typed) is None


def test_full_width_version_of_a_valid_code_refused() -> None:
    secret = totp.new_secret()
    code = _code(secret)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert pyotp.TOTP(secret).verify(full_width, for_time=AT)  # pyotp alone would accept it
    assert totp.matching_step(secret, full_width, AT, last_step=None) is None


def test_spaces_may_be_typed() -> None:
    secret = totp.new_secret()
    code = _code(secret)
    assert totp.matching_step(secret, f" {code[:3]} {code[3:]} ", AT, last_step=None) is not None


def test_recovery_codes_are_random_and_normalised() -> None:
    codes = totp.new_recovery_codes()
    assert len(set(codes)) == 10
    assert all(totp.normalise_recovery_code(code.lower()) for code in codes)
    assert totp.recovery_code_hash(codes[0]) == totp.recovery_code_hash(codes[0].lower())
    assert totp.normalise_recovery_code("123456") is None
