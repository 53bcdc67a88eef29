"""The case figures of `/security stats` and the admins' Home tab: open cases by severity, and
over the last 12 weeks the median time to take and to resolve and how many targets were missed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy.orm import Session

from bot.cases import severity
from bot.cases.model import ChargesSeen, Via
from bot.cases.severity import TARGETS, Severity, Target
from storage import cases as case_store

WEEKS = 12


@dataclass(frozen=True)
class CaseFigures:
    open_by_severity: dict[Severity, int] = field(default_factory=dict)
    opened: int = 0  # in the last 12 weeks
    median_to_take: timedelta | None = None
    median_to_resolve: timedelta | None = None
    missed_take: int = 0  # taken late, or still untaken past the target
    missed_resolve: int = 0

    @property
    def open_total(self) -> int:
        return sum(self.open_by_severity.values())


def case_figures(
    session: Session, now: datetime, targets: Mapping[Severity, Target] = TARGETS
) -> CaseFigures:
    """`targets`: the workspace's per severity, which "targets missed" counts against."""
    since = now - timedelta(weeks=WEEKS)
    open_by: dict[Severity, int] = {}
    took, solved = [], []
    opened = missed_take = missed_resolve = 0
    for row in case_store.case_clocks(session, since):
        level = severity.of(
            row.severity, Via(row.opened_via), ChargesSeen(row.unauthorized_charges)
        )
        if row.open:
            open_by[level] = open_by.get(level, 0) + 1
        if row.opened_at < since:
            continue
        opened += 1
        target = targets.get(level, TARGETS[level])
        if row.taken_at is not None:
            took.append(row.taken_at - row.opened_at)
        if (row.taken_at or now) - row.opened_at > target.take:
            missed_take += 1
        if row.resolved_at is not None:
            solved.append(row.resolved_at - row.opened_at)
        if (row.resolved_at or now) - row.opened_at > target.resolve:
            missed_resolve += 1
    return CaseFigures(
        open_by_severity={level: open_by[level] for level in Severity if level in open_by},
        opened=opened,
        median_to_take=_median(took),
        median_to_resolve=_median(solved),
        missed_take=missed_take,
        missed_resolve=missed_resolve,
    )


def _median(durations: list[timedelta]) -> timedelta | None:
    if not durations:
        return None
    seconds = median(delta.total_seconds() for delta in durations)
    return timedelta(seconds=round(seconds))
