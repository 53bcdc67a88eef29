"""Failed-code lockout, read from the audit trail: one rule for every code a member types (the
authenticator's and the recovery email's), so a change to it reaches them all."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from bot.core.words import plural
from storage import audit as audit_store


class FailureLimits(Protocol):
    """The part of a policy that says how many wrong codes lock, within what, for how long."""

    @property
    def max_failures(self) -> int: ...
    @property
    def failure_window(self) -> timedelta: ...
    @property
    def lockout(self) -> timedelta: ...


def locked_until(
    session: Session, target: str, rejected: str, limits: FailureLimits, now: datetime
) -> datetime | None:
    """Until when codes for `target` are refused, or None; `rejected` is the audit action each
    wrong code was recorded under."""
    since = now - limits.failure_window - limits.lockout
    failures = audit_store.times_of(session, target, (rejected,), since)
    return lock_end(failures, limits, now)


def lock_end(failures: Sequence[datetime], limits: FailureLimits, now: datetime) -> datetime | None:
    """Locked for `lockout` after the failure that made `max_failures` within `failure_window`.

    `failures` in time order.
    """
    n = limits.max_failures
    for k in range(len(failures) - 1, n - 2, -1):
        if failures[k] - failures[k - n + 1] <= limits.failure_window:
            until = failures[k] + limits.lockout
            return until if now < until else None
    return None


def minutes_left(until: datetime, now: datetime) -> str:
    """ "1 minute", "15 minutes": rounded up, so a member never retries a moment too soon."""
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    return plural(minutes, "minute")


def locked_message(until: datetime, now: datetime) -> str:
    return (
        "Too many wrong codes. For your safety, codes are refused for the next "
        f"{minutes_left(until, now)}."
    )
