"""Queries of the weekly summaries: claiming one (admin, week) row before sending, and the result.

A claim is an `INSERT ... ON CONFLICT DO NOTHING` for the week's first attempt, else a conditional
UPDATE of a row whose claim expired or whose retry is due; either tells whether this process won.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from storage.database import upsert_into
from storage.models import Member
from storage.stats_models import WeeklySummary

SENDING, PENDING = "sending", "pending"


def claim(
    session: Session,
    recipient: str,
    week: str,
    holder: str,
    now: datetime,
    until: datetime,
    max_attempts: int,
) -> bool:
    """True when `holder` may send `recipient`'s summary of `week` now, until `until`."""
    insert = upsert_into(session, WeeklySummary)
    created = session.execute(
        insert.values(
            recipient=recipient,
            week=week,
            state=SENDING,
            claimed_by=holder,
            claimed_until=until,
            attempts=1,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["workspace_id", "recipient", "week"])
        .returning(WeeklySummary.id)
    ).first()
    if created is not None:
        return True
    taken = session.execute(
        update(WeeklySummary)
        .where(
            WeeklySummary.recipient == recipient,
            WeeklySummary.week == week,
            WeeklySummary.attempts < max_attempts,
            or_(
                and_(WeeklySummary.state == SENDING, WeeklySummary.claimed_until < now),
                and_(
                    WeeklySummary.state == PENDING,
                    or_(WeeklySummary.not_before.is_(None), WeeklySummary.not_before <= now),
                ),
            ),
        )
        .values(
            state=SENDING,
            claimed_by=holder,
            claimed_until=until,
            attempts=WeeklySummary.attempts + 1,
        )
    )
    return bool(getattr(taken, "rowcount", 0))


def finish(session: Session, recipient: str, week: str, holder: str, **values: Any) -> bool:
    """Record the outcome, if `holder` still holds the claim; whether it did."""
    done = session.execute(
        update(WeeklySummary)
        .where(
            WeeklySummary.recipient == recipient,
            WeeklySummary.week == week,
            WeeklySummary.state == SENDING,
            WeeklySummary.claimed_by == holder,
        )
        .values(claimed_until=None, **values)
    )
    return bool(getattr(done, "rowcount", 0))


def time_zones(session: Session, slack_user_ids: Collection[str]) -> dict[str, str | None]:
    """The Slack time zone of each of these users that is a known member."""
    rows = session.execute(
        select(Member.slack_user_id, Member.time_zone).where(
            Member.slack_user_id.in_(sorted(slack_user_ids))
        )
    )
    return {slack_id: zone for slack_id, zone in rows if slack_id is not None}


def summary_of(session: Session, recipient: str, week: str) -> WeeklySummary | None:
    return session.scalars(
        select(WeeklySummary).where(
            WeeklySummary.recipient == recipient, WeeklySummary.week == week
        )
    ).first()


def summaries(session: Session) -> list[WeeklySummary]:
    return list(session.scalars(select(WeeklySummary).order_by(WeeklySummary.id)))
