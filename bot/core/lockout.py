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
from bot.core.i18n import ngettext, number
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


def minutes_to_wait(until: datetime, now: datetime) -> int:
    """Rounded up, so a member never retries a moment too soon."""
    return max(1, int((until - now).total_seconds() + 59) // 60)


def minutes_left(until: datetime, now: datetime) -> str:
    """ "1 minute", "15 minutes" in the reader's language. A sentence around a count is better
    one catalogue entry with `minutes_to_wait` (German declines the words around it)."""
    minutes = minutes_to_wait(until, now)
    return ngettext("{count} minute", "{count} minutes", minutes).format(count=number(minutes))


def locked_message(until: datetime, now: datetime) -> str:
    minutes = minutes_to_wait(until, now)
    return ngettext(
        "Too many wrong codes. For your safety, codes are refused for the next {count} minute.",
        "Too many wrong codes. For your safety, codes are refused for the next {count} minutes.",
        minutes,
    ).format(count=number(minutes))


@dataclass(frozen=True)
class CodeAttempt:
    """A member typing a code, now: who, about what, audited under which actions, locked by which
    limits. The lockout's two moments, before the code is checked and after a wrong one."""

    actor: str
    target: str
    actions: CodeActions
    limits: FailureLimits
    now: datetime

    def refused_while_locked(self, session: Session) -> CodeRejected | None:
        """While codes for the target are locked, the refusal to raise (audited); None otherwise."""
        until = locked_until(session, self.target, self.actions.rejected, self.limits, self.now)
        if until is None:
            return None
        self._audit(session, self.actions.refused_locked)
        return CodeRejected(locked_message(until, self.now))

    def rejected(self, session: Session, reason: str, message: str) -> CodeRejected:
        """Audit a wrong code; the refusal says `message`, or that codes are now locked when this
        wrong code was the one too many (audited too)."""
        self._audit(session, self.actions.rejected, reason=reason)
        session.flush()
        until = locked_until(session, self.target, self.actions.rejected, self.limits, self.now)
        if until is None:
            return CodeRejected(message)
        self._audit(session, self.actions.locked)
        return CodeRejected(locked_message(until, self.now), locked_now=True)

    def _audit(self, session: Session, action: str, **details: str) -> None:
        audit.record(
            session, at=self.now, actor=self.actor, action=action, target=self.target, **details
        )
