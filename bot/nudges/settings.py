"""The reminder policy's settings: grace, cadence and cap per check, the urgent rules, snoozes and
Slack's pace. Plain values, read from NUDGE_POLICY_FILE (bot/nudges/policy_file.py) or defaults."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from bot.checklist.model import Check
from bot.nudges.hours import WorkingHours

DAY = timedelta(days=1)


@dataclass(frozen=True)
class CheckPolicy:
    grace: timedelta = 7 * DAY
    cadence: tuple[timedelta, ...] = (0 * DAY, 2 * DAY, 5 * DAY, 10 * DAY)
    then_every: timedelta = 7 * DAY
    cap: int = 6
    admins_after: timedelta = 7 * DAY
    enabled: bool = True
    # How long reminders wait after a member reported 2-step verification on that the platform
    # had reported off, for the platform to confirm it (only 2-step verification has such reports).
    pending: timedelta = 3 * DAY

    def __post_init__(self) -> None:
        offsets = self.cadence
        if not offsets or offsets[0] != timedelta(0):
            raise ValueError("the cadence starts at day 0")
        if any(later <= earlier for earlier, later in itertools.pairwise(offsets)):
            raise ValueError("the cadence must increase")
        if self.cap < 1 or self.then_every <= timedelta(0) or self.grace < timedelta(0):
            raise ValueError("cap, grace and the weekly interval must be positive")
        if self.pending < timedelta(0):
            raise ValueError("the wait for the platform to confirm must not be negative")

    def offset(self, sent: int) -> timedelta:
        """When the next reminder is due after `sent` reminders, from the first one."""
        if sent < len(self.cadence):
            return self.cadence[sent]
        return self.cadence[-1] + (sent - len(self.cadence) + 1) * self.then_every


@dataclass(frozen=True)
class UrgentPolicy:
    """For an open compromised-password alert; times here count working hours."""

    every: timedelta = timedelta(hours=4)
    escalate_after_days: float = 1.0
    admins_after_days: float = 1.0
    snooze_max: timedelta = timedelta(hours=4)


@dataclass(frozen=True)
class SnoozeChoice:
    key: str
    label: str
    length: timedelta


@dataclass(frozen=True)
class DeliveryPace:
    """Slack's limits: chat.postMessage about 1 a second per channel and several hundred a minute
    per workspace; chat.update is Tier 3 (50+ a minute). The sender paces at `headroom` of these,
    so timing jitter never tips a minute over the limit."""

    messages_per_minute: int = 300
    updates_per_minute: int = 50
    per_channel: timedelta = timedelta(seconds=1)
    headroom: float = 0.95


DEFAULT_CHECKS: Mapping[Check, CheckPolicy] = {
    Check.TWO_STEP: CheckPolicy(grace=7 * DAY),
    Check.AUTHENTICATOR: CheckPolicy(grace=14 * DAY),
    Check.STRONG_PASSWORD: CheckPolicy(grace=7 * DAY),
    Check.UNIQUE_PASSWORDS: CheckPolicy(grace=7 * DAY),
    Check.NO_COMPROMISED_PASSWORD: CheckPolicy(grace=0 * DAY),
    Check.RECOVERY_EMAIL: CheckPolicy(grace=14 * DAY),
    Check.RECOVERY_PHONE: CheckPolicy(grace=14 * DAY),
}
DEFAULT_SNOOZES = (
    SnoozeChoice("1d", "1 day", DAY),
    SnoozeChoice("3d", "3 days", 3 * DAY),
    SnoozeChoice("1w", "1 week", 7 * DAY),
)


@dataclass(frozen=True)
class NudgePolicy:
    checks: Mapping[Check, CheckPolicy] = field(default_factory=lambda: dict(DEFAULT_CHECKS))
    urgent: UrgentPolicy = field(default_factory=UrgentPolicy)
    hours: WorkingHours = field(default_factory=WorkingHours)
    default_time_zone: str = "UTC"
    snoozes: tuple[SnoozeChoice, ...] = DEFAULT_SNOOZES
    snooze_limit: int = 3
    sweep_every: timedelta = timedelta(minutes=5)
    deliver_every: timedelta = timedelta(seconds=15)
    pace: DeliveryPace = field(default_factory=DeliveryPace)

    def check(self, check: Check) -> CheckPolicy:
        return self.checks.get(check) or DEFAULT_CHECKS[check]

    def snooze(self, key: str) -> SnoozeChoice | None:
        return next((choice for choice in self.snoozes if choice.key == key), None)


# The policy itself, or where to ask for it at use: each workspace may set its own knobs
# (bot/workspaces/settings.py), and services are built once per process.
PolicySource = NudgePolicy | Callable[[], NudgePolicy]


def policy_of(source: PolicySource) -> NudgePolicy:
    return source if isinstance(source, NudgePolicy) else source()
