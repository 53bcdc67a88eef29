"""The figures security admins see: `/security stats`, the overview on their Home tab and the
weekly summary, all from one `AdoptionReport`.

Adoption comes from the snapshots the sweeps write (bot/stats/tally.py): members in scope, how many
pass each check, and the history. Reminders, snoozes, escalations and fixes come from the nudges'
own tables; the figures per business account and platform from the members' evidence itself
(bot/stats/accounts.py). Every figure is aggregated by the database (storage/stats.py), so a report costs the
same few statements with 50 members or 50,000. Only security admins may see it: the figures name
account managers and how their members do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.cases.figures import CaseFigures, case_figures
from bot.cases.severity import TARGETS, Severity, Target
from bot.checklist.model import CHECKS, TITLES, Check
from bot.core import audit
from bot.core.clock import Clock
from bot.core.errors import NotAllowed
from bot.core.i18n import _
from bot.nudges.outbox import MEMBER
from bot.nudges.policy import Closed, Level
from bot.stats.accounts import AccountFigures, account_figures
from storage import stats as store
from storage.database import Database
from storage.stats import Counted
from storage.stats_models import ALL_CHECKS

PERIOD = timedelta(days=7)  # "this week": the seven days up to now
HISTORY = timedelta(weeks=12)
MANAGERS_SHOWN = 15
SNOOZED = "nudge.snoozed"  # the audit action bot/nudges/service.py writes for each snooze


def percent(part: int, whole: int) -> float | None:
    return None if whole <= 0 else 100.0 * part / whole


@dataclass(frozen=True)
class CheckAdoption:
    check: Check
    in_scope: int
    passing: int
    needs_action: int
    unknown: int

    @property
    def title(self) -> str:
        return TITLES[self.check]

    @property
    def percent(self) -> float | None:
        return percent(self.passing, self.in_scope)


@dataclass(frozen=True)
class AdoptionPoint:
    """One day of history: members in scope, how many pass every check, and each check."""

    day: date
    in_scope: int
    fully_passing: int
    passing: Mapping[Check, int]
    applies: Mapping[Check, int] | None = None  # per check, the members it applies to

    def percent(self, check: Check | None = None) -> float | None:
        """Of the members `check` applies to, the share passing it (of members in scope, the
        share passing every check that applies to them, when None)."""
        if check is None:
            return percent(self.fully_passing, self.in_scope)
        whole = self.in_scope if self.applies is None else self.applies.get(check, 0)
        return percent(self.passing.get(check, 0), whole)


@dataclass(frozen=True)
class ManagerLine:
    slack_user_id: str
    name: str | None  # as Slack last told it: user-supplied, shown escaped
    members: int
    fully_passing: int
    open_gaps: int

    @property
    def percent(self) -> float | None:
        return percent(self.fully_passing, self.members)


@dataclass(frozen=True)
class NudgeFigures:
    """The reminders' work; each `Counted` is the last seven days, and all time."""

    reminders: Counted  # reminder DMs Slack accepted
    snoozes: Counted  # presses of Snooze that snoozed something
    escalations: Counted  # gaps taken to account managers or security admins
    to_admins: int  # of all escalated gaps, those that reached the security admins
    fixed: Counted  # reminded-about gaps closed because the check now passes
    median_to_fix: timedelta | None  # first reminder to fix, of every fixed gap
    median_to_fix_this_week: timedelta | None  # of the gaps fixed in the last seven days


@dataclass(frozen=True)
class AdoptionReport:
    at: datetime
    as_of: datetime | None  # when the sweep behind the adoption figures ran; None before any
    in_scope: int
    fully_passing: int
    checks: tuple[CheckAdoption, ...]
    history: tuple[AdoptionPoint, ...]  # oldest first, one point per day with a snapshot
    nudges: NudgeFigures
    managers: tuple[ManagerLine, ...]  # most open gaps first, at most MANAGERS_SHOWN
    managers_total: int
    cases: CaseFigures = field(default_factory=CaseFigures)
    accounts: AccountFigures = field(default_factory=AccountFigures)  # per account and platform

    @property
    def fully_passing_percent(self) -> float | None:
        return percent(self.fully_passing, self.in_scope)

    def week_before(self) -> AdoptionPoint | None:
        """The latest point at least a week older than the newest one, to compare with."""
        if not self.history:
            return None
        cutoff = self.history[-1].day - PERIOD
        older = [point for point in self.history if point.day <= cutoff]
        return older[-1] if older else None

    def weekly(self) -> tuple[AdoptionPoint, ...]:
        """The history thinned to the last point of each ISO week, for a compact line."""
        by_week: dict[tuple[int, int], AdoptionPoint] = {}
        for point in self.history:
            year, week, _weekday = point.day.isocalendar()
            by_week[(year, week)] = point
        return tuple(by_week.values())


@dataclass(frozen=True)
class StatsService:
    """The security statistics, shown to the security `admins` only."""

    database: Database
    clock: Clock
    admins: AbstractSet[str]
    # The served workspace's case targets per severity, asked at use (default: the documented).
    targets: Callable[[], Mapping[Severity, Target]] = lambda: TARGETS

    def is_admin(self, slack_user_id: str) -> bool:
        return slack_user_id in self.admins

    def check_viewer(self, viewer: str) -> None:
        """Refuse anyone but a security admin, and audit the refusal."""
        if self.is_admin(viewer):
            return
        with self.database.sessions.begin() as session:
            audit.record(
                session,
                at=self.clock.now(),
                actor=viewer,
                action="stats.view.refused",
                target="stats",
            )
        raise NotAllowed(_("Only security admins can see the security statistics."))

    def report(self, viewer: str) -> AdoptionReport:
        """`/security stats`: the report, for security admins only; both outcomes are audited."""
        self.check_viewer(viewer)
        with self.database.sessions.begin() as session:
            audit.record(
                session, at=self.clock.now(), actor=viewer, action="stats.viewed", target="stats"
            )
        return self.build()

    def overview(self, viewer: str) -> AdoptionReport | None:
        """For the Home tab: the report when `viewer` is a security admin, else nothing at all."""
        return self.build() if self.is_admin(viewer) else None

    def build(self) -> AdoptionReport:
        """The report as of now, for whoever the caller checked may see it."""
        now = self.clock.now()
        since = now - PERIOD
        with self.database.sessions() as session:
            latest = store.latest_adoption(session)
            series = store.adoption_series(session, (now - HISTORY).date())
            managers, managers_total = (
                store.managers_on(session, latest.day, MANAGERS_SHOWN) if latest.day else ([], 0)
            )
            items = store.item_figures(session, Closed.FIXED, since, Level.ADMINS)
            nudges = NudgeFigures(
                reminders=store.messages_sent(session, MEMBER, since),
                snoozes=store.audited(session, SNOOZED, since),
                escalations=items.escalated,
                to_admins=items.to_admins,
                fixed=items.fixed,
                median_to_fix=_duration(store.median_seconds_to_fix(session, Closed.FIXED)),
                median_to_fix_this_week=_duration(
                    store.median_seconds_to_fix(session, Closed.FIXED, since)
                ),
            )
            cases = case_figures(session, now, self.targets())
            accounts = account_figures(session, now)
        by_check = {row.check: row for row in latest.checks}
        everyone = by_check.get(ALL_CHECKS)
        return AdoptionReport(
            at=now,
            as_of=latest.taken_at,
            in_scope=everyone.in_scope if everyone else 0,
            fully_passing=everyone.passing if everyone else 0,
            checks=tuple(
                CheckAdoption(check, row.in_scope, row.passing, row.needs_action, row.unknown)
                for check in Check
                if (row := by_check.get(check.value)) is not None
            ),
            history=_history(series),
            nudges=nudges,
            managers=tuple(
                ManagerLine(m.slack_user_id, m.name, m.members, m.fully_passing, m.open_gaps)
                for m in managers
            ),
            managers_total=managers_total,
            cases=cases,
            accounts=accounts,
        )


def _history(series: list[store.SeriesPoint]) -> tuple[AdoptionPoint, ...]:
    days: dict[date, dict[str, tuple[int, int]]] = {}
    for point in series:
        days.setdefault(point.day, {})[point.check] = (point.in_scope, point.passing)
    points = []
    for day, checks in days.items():
        in_scope, fully_passing = checks.get(ALL_CHECKS, (0, 0))
        passing = {CHECKS[c]: n for c, (_, n) in checks.items() if c in CHECKS}
        applies = {CHECKS[c]: n for c, (n, _) in checks.items() if c in CHECKS}
        points.append(AdoptionPoint(day, in_scope, fully_passing, passing, applies))
    return tuple(points)


def _duration(seconds: float | None) -> timedelta | None:
    return None if seconds is None else timedelta(seconds=round(seconds))
