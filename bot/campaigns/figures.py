"""What the campaign views are given: a campaign and its progress as the sweeps recorded it,
plain frozen values, read in a few statements whatever the number of members."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.campaigns.model import Scope
from bot.checklist.model import Check
from bot.stats.report import percent
from storage.campaign_models import Campaign
from storage.campaigns import DayRow, SeriesRow


@dataclass(frozen=True)
class CampaignView:
    id: int
    check: Check
    title: str
    scope: Scope
    scope_value: str | None
    deadline: date
    due_at: datetime
    status: str  # running or stopped
    started_by: str
    started_at: datetime
    stopped_by: str | None
    overdue_at: datetime | None  # when the lists of what was still open went out

    @property
    def running(self) -> bool:
        return self.status == "running"


def campaign_view(row: Campaign) -> CampaignView:
    return CampaignView(
        id=row.id,
        check=Check(row.check),
        title=row.title,
        scope=Scope(row.scope),
        scope_value=row.scope_value,
        deadline=row.deadline,
        due_at=row.due_at,
        status=row.status,
        started_by=row.started_by,
        started_at=row.started_at,
        stopped_by=row.stopped_by,
        overdue_at=row.overdue_at,
    )


@dataclass(frozen=True)
class Figures:
    """Members on business accounts in scope, each pair once: done, exempt, or open."""

    pairs: int
    done: int
    exempt: int

    @property
    def open(self) -> int:
        return self.pairs - self.done - self.exempt

    @property
    def percent(self) -> float | None:
        """Done or exempt, of all pairs: what no longer asks anything."""
        return percent(self.done + self.exempt, self.pairs)


@dataclass(frozen=True)
class ManagerFigures:
    manager: str | None  # Slack user id; None: accounts without an account manager
    figures: Figures


@dataclass(frozen=True)
class AccountFigures:
    account_id: int
    name: str
    manager: str | None
    figures: Figures


@dataclass(frozen=True)
class DayPoint:
    day: date
    figures: Figures


@dataclass(frozen=True)
class Progress:
    """A campaign with its latest day (None before a sweep counted it) and its days so far."""

    campaign: CampaignView
    today: date  # the reader's, for the countdown
    latest: Figures | None = None
    counted_at: datetime | None = None
    accounts: int = 0
    accounts_done: int = 0
    managers: tuple[ManagerFigures, ...] = ()
    worst_accounts: tuple[AccountFigures, ...] = ()
    series: tuple[DayPoint, ...] = ()


def progress_of(
    campaign: CampaignView,
    today: date,
    latest: DayRow | None,
    series: Sequence[SeriesRow] = (),
) -> Progress:
    points = tuple(DayPoint(row.day, Figures(row.pairs, row.done, row.exempt)) for row in series)
    if latest is None:
        return Progress(campaign, today, series=points)
    breakdown: dict[str, Any] = latest.breakdown or {}
    managers = tuple(
        ManagerFigures(str(row[0]) or None, Figures(int(row[1]), int(row[2]), int(row[3])))
        for row in breakdown.get("managers", [])
    )
    accounts = tuple(
        AccountFigures(
            int(row[0]), str(row[1]), str(row[2]) or None, Figures(int(row[3]), int(row[4]),
                                                                   int(row[5]))
        )
        for row in breakdown.get("accounts", [])
    )  # fmt: skip
    return Progress(
        campaign,
        today,
        Figures(latest.pairs, latest.done, latest.exempt),
        latest.taken_at,
        latest.accounts,
        latest.accounts_done,
        managers,
        accounts,
        points,
    )
