"""How serious a case is, and how long it may take: its severity (derived when it opens, changed by
hand with a reason), the targets per severity, and the clocks the card shows against them.

The targets are a documented default (README, "Incident-grade cases"), the same for every
workspace: time to take is from opening until someone took the case, time to resolve from
opening until it was resolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.cases.model import ChargesSeen, Via
from bot.core.i18n import N_


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}
SEVERITY_ICONS = {
    Severity.CRITICAL: "🟥",
    Severity.HIGH: "🟧",
    Severity.MEDIUM: "🟨",
    Severity.LOW: "🟦",
}
SEVERITY_WORDS = {
    Severity.CRITICAL: N_("Critical"),
    Severity.HIGH: N_("High"),
    Severity.MEDIUM: N_("Medium"),
    Severity.LOW: N_("Low"),
}
# Translators: a severity inside a sentence ("… changed the severity to high").
SEVERITY_INLINE = {
    Severity.CRITICAL: N_("critical"),
    Severity.HIGH: N_("high"),
    Severity.MEDIUM: N_("medium"),
    Severity.LOW: N_("low"),
}
# What a severity typed in a command may be called, in either language.
NAMES = {
    "critical": Severity.CRITICAL,
    "kritisch": Severity.CRITICAL,
    "high": Severity.HIGH,
    "hoch": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "mittel": Severity.MEDIUM,
    "low": Severity.LOW,
    "niedrig": Severity.LOW,
}


@dataclass(frozen=True)
class Target:
    take: timedelta
    resolve: timedelta


TARGETS = {
    Severity.CRITICAL: Target(take=timedelta(minutes=15), resolve=timedelta(hours=4)),
    Severity.HIGH: Target(take=timedelta(hours=1), resolve=timedelta(days=1)),
    Severity.MEDIUM: Target(take=timedelta(hours=4), resolve=timedelta(days=3)),
    Severity.LOW: Target(take=timedelta(days=1), resolve=timedelta(days=7)),
}
AMBER_AT = 0.75  # of a target's time gone while it still runs


def derive(via: Via, charges: ChargesSeen) -> Severity:
    """An account takeover with unauthorized charges is the worst; a suspicious login the least."""
    if charges is ChargesSeen.YES:
        return Severity.CRITICAL
    if via is Via.ACCOUNT_TAKEOVER:
        return Severity.HIGH
    if via is Via.SUSPICIOUS_LOGIN:
        return Severity.LOW
    return Severity.MEDIUM


def of(stored: str | None, via: Via, charges: ChargesSeen) -> Severity:
    """A case's severity: what it holds, or (kept before severities) derived."""
    return Severity(stored) if stored else derive(via, charges)


def worse(first: Severity, second: Severity) -> Severity:
    return first if RANK[first] <= RANK[second] else second


class Standing(StrEnum):
    MET = "met"  # done within the target, or running with time to spare
    AMBER = "amber"  # running, and most of the target's time is gone
    MISSED = "missed"  # done late, or running past the target


STANDING_ICONS = {Standing.MET: "🟢", Standing.AMBER: "🟠", Standing.MISSED: "🔴"}


@dataclass(frozen=True)
class Timer:
    """One clock against its target: how long so far (or in all), and whether it has stopped."""

    took: timedelta
    target: timedelta
    done: bool

    @property
    def standing(self) -> Standing:
        if self.took > self.target:
            return Standing.MISSED
        if not self.done and self.took >= self.target * AMBER_AT:
            return Standing.AMBER
        return Standing.MET


def timer(opened_at: datetime, until: datetime | None, now: datetime, target: timedelta) -> Timer:
    end = until if until is not None else now
    return Timer(end - opened_at, target, until is not None)
