"""Figures per business account and platform, beside those per member and per account manager:
of each platform's accounts, the share where every member has 2-step verification confirmed by
the platform, a recent password check that passed, and recovery confirmed.

Read live (storage/account_stats.py, one statement), not from the sweep's snapshots: an account's
posture is a join of its members' evidence that the per-member tally does not keep. Every member
of an account counts, excluded ones too: exclusions stop reminders, not access to the account.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.core.words import platform_name
from storage import account_stats as store

# The checklist judges a password check by its outcome, not its age; for this figure a check
# counts when it passed within this time (README, "Reporting").
PASSWORD_CHECK_RECENT = timedelta(days=90)


@dataclass(frozen=True)
class Share:
    """Of `of` accounts, `confirmed` where every member passes; `exempt` more where every gap is
    covered by an approved exemption in force (neither confirmed nor open)."""

    confirmed: int = 0
    of: int = 0
    exempt: int = 0

    @property
    def percent(self) -> float | None:
        return None if self.of <= 0 else 100.0 * self.confirmed / self.of

    def __add__(self, other: Share) -> Share:
        return Share(
            self.confirmed + other.confirmed, self.of + other.of, self.exempt + other.exempt
        )


@dataclass(frozen=True)
class PlatformFigures:
    platform: str  # the directory's slug; `name` is what people read
    accounts: int = 0
    without_members: int = 0  # they count as not confirmed: nobody's evidence to confirm
    two_step: Share = Share()
    passwords: Share = Share()
    recovery: Share = Share()

    @property
    def name(self) -> str:
        """The platform's display name ("TikTok for Business"); not escaped."""
        return platform_name(self.platform)


@dataclass(frozen=True)
class AccountFigures:
    platforms: tuple[PlatformFigures, ...] = ()  # by platform slug
    recent: timedelta = PASSWORD_CHECK_RECENT
    all_platforms: PlatformFigures = field(default_factory=lambda: PlatformFigures(""))

    @property
    def accounts(self) -> int:
        return self.all_platforms.accounts


def account_figures(session: Session, now: datetime) -> AccountFigures:
    rows = store.posture_by_platform(session, now, now - PASSWORD_CHECK_RECENT)
    platforms = tuple(_figures(row) for row in rows)
    return AccountFigures(platforms=platforms, all_platforms=summed(platforms))


def _figures(row: store.PlatformPosture) -> PlatformFigures:
    accounts = row.accounts
    return PlatformFigures(
        platform=row.platform,
        accounts=accounts,
        without_members=row.without_members,
        two_step=Share(row.two_step, accounts, row.two_step_exempt),
        passwords=Share(row.passwords, accounts, row.passwords_exempt),
        recovery=Share(row.recovery, accounts),
    )


def summed(platforms: Iterable[PlatformFigures]) -> PlatformFigures:
    """The "All platforms" line: every platform's counts added up."""
    total = PlatformFigures("")
    for line in platforms:
        total = PlatformFigures(
            "",
            total.accounts + line.accounts,
            total.without_members + line.without_members,
            total.two_step + line.two_step,
            total.passwords + line.passwords,
            total.recovery + line.recovery,
        )
    return total
