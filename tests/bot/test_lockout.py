"""The one lockout rule every typed code shares (authenticator, recovery email)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.lockout import lock_end, locked_message, minutes_left

NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Limits:
    max_failures: int = 3
    failure_window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=10)


def minutes(*offsets: int) -> list[datetime]:
    return [NOON + timedelta(minutes=offset) for offset in offsets]


def test_the_failure_that_makes_the_count_within_the_window_locks_for_the_lockout() -> None:
    failures = minutes(0, 5, 14)
    assert lock_end(failures, Limits(), NOON + timedelta(minutes=14)) == failures[-1] + timedelta(
        minutes=10
    )


def test_fewer_failures_than_the_limit_never_lock() -> None:
    assert lock_end(minutes(0, 1), Limits(), NOON + timedelta(minutes=2)) is None
    assert lock_end([], Limits(), NOON) is None


def test_failures_spread_wider_than_the_window_do_not_lock() -> None:
    assert lock_end(minutes(0, 8, 16), Limits(), NOON + timedelta(minutes=16)) is None


def test_the_lock_ends_after_the_lockout() -> None:
    failures = minutes(0, 1, 2)
    assert lock_end(failures, Limits(), NOON + timedelta(minutes=11, seconds=59)) is not None
    assert lock_end(failures, Limits(), NOON + timedelta(minutes=12)) is None


def test_a_later_burst_counts_from_its_own_last_failure() -> None:
    failures = minutes(0, 1, 2, 30, 31, 32)
    assert lock_end(failures, Limits(), NOON + timedelta(minutes=33)) == NOON + timedelta(
        minutes=42
    )


@pytest.mark.parametrize(
    ("left", "shown"),
    [
        (timedelta(seconds=1), "1 minute"),
        (timedelta(seconds=60), "1 minute"),
        (timedelta(seconds=61), "2 minutes"),
        (timedelta(minutes=15), "15 minutes"),
    ],
)
def test_minutes_left_round_up(left: timedelta, shown: str) -> None:
    assert minutes_left(NOON + left, NOON) == shown


def test_the_locked_message_says_how_long() -> None:
    message = locked_message(NOON + timedelta(minutes=15), NOON)
    assert message == (
        "Too many wrong codes. For your safety, codes are refused for the next 15 minutes."
    )
