"""Failed-code lockout, read from the audit trail: one rule for every code a member types (the
authenticator's and the recovery email's), so a change to it reaches them all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from bot.core import audit
from bot.core.errors import CodeRejected
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


@dataclass(frozen=True)
class CodeActions:
    """The audit actions of one kind of code: each wrong one, each refused while locked, the lock."""

    rejected: str
    refused_locked: str
    locked: str


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


def refused_while_locked(
    session: Session,
    *,
    actor: str,
    target: str,
    actions: CodeActions,
    limits: FailureLimits,
    now: datetime,
) -> CodeRejected | None:
    """While codes for `target` are locked, the refusal to raise (audited); None otherwise."""
    until = locked_until(session, target, actions.rejected, limits, now)
    if until is None:
        return None
    audit.record(session, at=now, actor=actor, action=actions.refused_locked, target=target)
    return CodeRejected(locked_message(until, now))


def rejected(
    session: Session,
    *,
    actor: str,
    target: str,
    actions: CodeActions,
    limits: FailureLimits,
    now: datetime,
    reason: str,
    message: str,
) -> CodeRejected:
    """Audit a wrong code; the refusal says `message`, or that codes are now locked when this
    wrong code was the one too many (audited too)."""
    audit.record(
        session, at=now, actor=actor, action=actions.rejected, target=target, reason=reason
    )
    session.flush()
    until = locked_until(session, target, actions.rejected, limits, now)
    if until is None:
        return CodeRejected(message)
    audit.record(session, at=now, actor=actor, action=actions.locked, target=target)
    return CodeRejected(locked_message(until, now), locked_now=True)
