"""Queries about campaigns: starting and stopping them, the running ones the sweep reads once,
their daily progress, and the one claim of the lists sent after a deadline."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage.campaign_models import Campaign, CampaignDay
from storage.database import upsert_into
from storage.models import BusinessAccount, Member

RUNNING, STOPPED = "running", "stopped"


class RunningRow(NamedTuple):
    """A running campaign, as the sweep and the checklist need it."""

    id: int
    check: str
    title: str
    scope: str
    scope_value: str | None
    deadline: date
    due_at: datetime
    overdue_at: datetime | None


class DayRow(NamedTuple):
    campaign_id: int
    day: date
    pairs: int
    done: int
    exempt: int
    accounts: int
    accounts_done: int
    breakdown: dict[str, Any]
    taken_at: datetime


def add(session: Session, campaign: Campaign) -> Campaign:
    session.add(campaign)
    session.flush()
    return campaign


def find(session: Session, campaign_id: int, *, lock: bool = False) -> Campaign | None:
    statement = select(Campaign).where(Campaign.id == campaign_id)
    if lock:
        statement = statement.with_for_update()
    return session.scalars(statement).first()


def running_campaigns(session: Session) -> list[Campaign]:
    """The running campaigns, the nearest deadline first."""
    return list(
        session.scalars(
            select(Campaign)
            .where(Campaign.status == RUNNING)
            .order_by(Campaign.due_at, Campaign.id)
        )
    )


def listed(session: Session, limit: int = 50) -> list[Campaign]:
    """Running campaigns first, the nearest deadline first; then the stopped, newest first."""
    running = running_campaigns(session)
    stopped = session.scalars(
        select(Campaign)
        .where(Campaign.status != RUNNING)
        .order_by(Campaign.id.desc())
        .limit(max(0, limit - len(running)))
    ).all()
    return [*running, *stopped]


def running(session: Session) -> list[RunningRow]:
    """Every running campaign of the workspace: a few rows, read once per sweep."""
    rows = session.execute(
        select(
            Campaign.id,
            Campaign.check,
            Campaign.title,
            Campaign.scope,
            Campaign.scope_value,
            Campaign.deadline,
            Campaign.due_at,
            Campaign.overdue_at,
        )
        .where(Campaign.status == RUNNING)
        .order_by(Campaign.id)
    )
    return [RunningRow(*row) for row in rows]


def claim_overdue(session: Session, campaign_id: int, now: datetime) -> bool:
    """True for the one transaction that marks the campaign's lists as written; any other (a
    second process, a later sweep) finds it marked and writes nothing."""
    result: Any = session.execute(
        update(Campaign)
        .where(
            Campaign.id == campaign_id,
            Campaign.status == RUNNING,
            Campaign.overdue_at.is_(None),
            Campaign.due_at <= now,
        )
        .values(overdue_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)


def save_days(
    session: Session, day: date, taken_at: datetime, rows: Sequence[dict[str, Any]]
) -> None:
    """The day's progress of each campaign, one statement; a row a later sweep the same day
    wrote is left as it is."""
    if not rows:
        return
    statement = upsert_into(session, CampaignDay)
    values = [{**row, "day": day, "taken_at": taken_at} for row in rows]
    columns = [column for column in values[0] if column not in ("day", "campaign_id")]
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["workspace_id", "campaign_id", "day"],
            set_={column: statement.excluded[column] for column in columns},
            where=CampaignDay.taken_at <= statement.excluded.taken_at,
        ),
        values,
    )


_DAY_COLUMNS = (
    CampaignDay.campaign_id,
    CampaignDay.day,
    CampaignDay.pairs,
    CampaignDay.done,
    CampaignDay.exempt,
    CampaignDay.accounts,
    CampaignDay.accounts_done,
    CampaignDay.breakdown,
    CampaignDay.taken_at,
)


def latest_days(session: Session, campaign_ids: Collection[int]) -> dict[int, DayRow]:
    """Each campaign's latest day, one statement."""
    if not campaign_ids:
        return {}
    latest = (
        select(CampaignDay.campaign_id, func.max(CampaignDay.day).label("day"))
        .where(CampaignDay.campaign_id.in_(sorted(campaign_ids)))
        .group_by(CampaignDay.campaign_id)
        .subquery()
    )
    rows = session.execute(
        select(*_DAY_COLUMNS).join(
            latest,
            (latest.c.campaign_id == CampaignDay.campaign_id) & (latest.c.day == CampaignDay.day),
        )
    )
    return {row.campaign_id: DayRow(*row) for row in rows}


class SeriesRow(NamedTuple):
    campaign_id: int
    day: date
    pairs: int
    done: int
    exempt: int


def series(session: Session, campaign_ids: Collection[int], since: date) -> list[SeriesRow]:
    """The campaigns' days since `since`, oldest first: their progress over time."""
    if not campaign_ids:
        return []
    rows = session.execute(
        select(
            CampaignDay.campaign_id,
            CampaignDay.day,
            CampaignDay.pairs,
            CampaignDay.done,
            CampaignDay.exempt,
        )
        .where(CampaignDay.campaign_id.in_(sorted(campaign_ids)), CampaignDay.day >= since)
        .order_by(CampaignDay.campaign_id, CampaignDay.day)
    )
    return [SeriesRow(*row) for row in rows]


def platforms(session: Session) -> list[str]:
    """The platforms of the workspace's business accounts, for a campaign's scope."""
    return list(
        session.scalars(
            select(BusinessAccount.platform).distinct().order_by(BusinessAccount.platform)
        )
    )


def has_platform(session: Session, platform: str) -> bool:
    found = session.scalar(
        select(BusinessAccount.id).where(BusinessAccount.platform == platform).limit(1)
    )
    return found is not None


def accounts_managed(session: Session, slack_user_id: str) -> int:
    """How many business accounts the member with this Slack id manages."""
    found = session.scalar(
        select(func.count(BusinessAccount.id))
        .join(Member, Member.id == BusinessAccount.account_manager_id)
        .where(Member.slack_user_id == slack_user_id)
    )
    return int(found or 0)
