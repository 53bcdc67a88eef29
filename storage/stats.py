"""Queries of reporting: adoption snapshots written by the sweep, and the figures read from them
and from the nudges' own tables.

Every figure is aggregated by the database (counts, sums, one ordered pick for a median), so a
report costs the same dozen statements and returns a few hundred rows at most, whatever the number
of members. Snapshots are upserted on their key, so the day's latest sweep wins on both databases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, case, delete, extract, func, select
from sqlalchemy.orm import Session

from storage.database import upsert_into
from storage.models import AuditRecord, Member
from storage.nudge_models import NudgeItem, NudgeOutbox
from storage.stats_models import AccountManagerSnapshot, AdoptionSnapshot


@dataclass(frozen=True)
class CheckRow:
    check: str
    in_scope: int
    passing: int
    needs_action: int
    unknown: int


@dataclass(frozen=True)
class ManagerRow:
    slack_user_id: str
    name: str | None
    members: int
    fully_passing: int
    open_gaps: int


@dataclass(frozen=True)
class LatestAdoption:
    """The latest day with a snapshot, when its latest sweep ran, and its rows of check."""

    day: date | None
    taken_at: datetime | None
    checks: list[CheckRow]


@dataclass(frozen=True)
class SeriesPoint:
    """One check on one day of the snapshots."""

    day: date
    check: str
    in_scope: int
    passing: int


class Counted(NamedTuple):
    """A count in the period asked about, and in all."""

    period: int
    total: int


@dataclass(frozen=True)
class ItemFigures:
    escalated: Counted  # gaps escalated beyond the member (escalated_at in the period)
    to_admins: int  # of all escalated gaps, those that reached the security admins
    fixed: Counted  # gaps closed because the check passes (closed_at in the period)


# -- written by the sweep ---------------------------------------------------------------------


def save_adoption(
    session: Session,
    day: date,
    taken_at: datetime,
    checks: Sequence[dict[str, Any]],
    managers: Sequence[dict[str, Any]],
) -> None:
    """The day's snapshot: rows of check (in_scope, passing, needs_action, unknown) and of account
    manager (manager_slack_id, members, fully_passing, open_gaps). Three statements.

    A row already written by a later sweep the same day is left as it is; account managers the
    day's earlier sweeps counted and this one did not are removed.
    """
    for model, key, rows in (
        (AdoptionSnapshot, "check", checks),
        (AccountManagerSnapshot, "manager_slack_id", managers),
    ):
        if not rows:
            continue
        statement = upsert_into(session, model)
        values = [{**row, "day": day, "taken_at": taken_at} for row in rows]
        columns = [column for column in values[0] if column not in ("day", key)]
        upsert = statement.on_conflict_do_update(
            index_elements=["workspace_id", "day", key],
            set_={column: statement.excluded[column] for column in columns},
            where=model.taken_at <= statement.excluded.taken_at,
        )
        session.execute(upsert, values)
    session.execute(
        delete(AccountManagerSnapshot).where(
            AccountManagerSnapshot.day == day, AccountManagerSnapshot.taken_at < taken_at
        )
    )


# -- read by the report -----------------------------------------------------------------------


def latest_adoption(session: Session) -> LatestAdoption:
    """The latest day with a snapshot, when its sweep ran, and its rows (one statement)."""
    latest = select(func.max(AdoptionSnapshot.day)).scalar_subquery()
    rows = session.execute(
        select(
            AdoptionSnapshot.day,
            AdoptionSnapshot.taken_at,
            AdoptionSnapshot.check,
            AdoptionSnapshot.in_scope,
            AdoptionSnapshot.passing,
            AdoptionSnapshot.needs_action,
            AdoptionSnapshot.unknown,
        ).where(AdoptionSnapshot.day == latest)
    ).all()
    if not rows:
        return LatestAdoption(None, None, [])
    found = [
        CheckRow(row.check, row.in_scope, row.passing, row.needs_action, row.unknown)
        for row in rows
    ]
    return LatestAdoption(rows[0].day, max(row.taken_at for row in rows), found)


def adoption_series(session: Session, since: date) -> list[SeriesPoint]:
    """Every snapshot's rows of check from `since`, oldest first."""
    rows = session.execute(
        select(
            AdoptionSnapshot.day,
            AdoptionSnapshot.check,
            AdoptionSnapshot.in_scope,
            AdoptionSnapshot.passing,
        )
        .where(AdoptionSnapshot.day >= since)
        .order_by(AdoptionSnapshot.day, AdoptionSnapshot.check)
    ).all()
    return [SeriesPoint(row.day, row.check, row.in_scope, row.passing) for row in rows]


def managers_on(session: Session, day: date, limit: int) -> tuple[list[ManagerRow], int]:
    """The account managers of `day`'s snapshot, most open gaps first (at most `limit`), and how
    many there are in all."""
    total = session.scalar(select(func.count()).where(AccountManagerSnapshot.day == day))
    rows = session.execute(
        select(  # ManagerRow's fields, in its order
            AccountManagerSnapshot.manager_slack_id,
            Member.display_name,
            AccountManagerSnapshot.members,
            AccountManagerSnapshot.fully_passing,
            AccountManagerSnapshot.open_gaps,
        )
        .outerjoin(Member, Member.slack_user_id == AccountManagerSnapshot.manager_slack_id)
        .where(AccountManagerSnapshot.day == day)
        .order_by(
            AccountManagerSnapshot.open_gaps.desc(),
            AccountManagerSnapshot.members.desc(),
            AccountManagerSnapshot.manager_slack_id,
        )
        .limit(limit)
    ).all()
    return [ManagerRow(*row) for row in rows], int(total or 0)


def _how_many(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def messages_sent(session: Session, kind: str, since: datetime) -> Counted:
    """Outbox messages of `kind` that Slack accepted: since `since`, and in all."""
    period, total = session.execute(
        select(_how_many(NudgeOutbox.sent_at >= since), func.count()).where(
            NudgeOutbox.state == "sent", NudgeOutbox.kind == kind
        )
    ).one()
    return Counted(int(period), int(total))


def audited(session: Session, action: str, since: datetime) -> Counted:
    """Audit records of `action` since `since`, and in all (the action-and-time index)."""
    period, total = session.execute(
        select(_how_many(AuditRecord.at >= since), func.count()).where(AuditRecord.action == action)
    ).one()
    return Counted(int(period), int(total))


def item_figures(
    session: Session, fixed_reason: str, since: datetime, admins_level: int
) -> ItemFigures:
    """Escalated and fixed gaps, in one pass over the nudge items."""
    fixed = NudgeItem.closed_reason == fixed_reason
    row = session.execute(
        select(
            _how_many(NudgeItem.escalated_at >= since),
            _how_many(NudgeItem.level > 0),
            _how_many(NudgeItem.level >= admins_level),
            _how_many(and_(fixed, NudgeItem.closed_at >= since)),
            _how_many(fixed),
        )
    ).one()
    escalated_period, escalated, to_admins, fixed_period, fixed_total = (int(v) for v in row)
    return ItemFigures(
        escalated=Counted(escalated_period, escalated),
        to_admins=to_admins,
        fixed=Counted(fixed_period, fixed_total),
    )


def median_seconds_to_fix(
    session: Session, fixed_reason: str, since: datetime | None = None
) -> float | None:
    """The median time from a gap's first reminder to its fix, in seconds, of the gaps fixed
    since `since` (all when None); None when there are none. Two statements: how many, then the
    one or two middle values, picked by the database."""
    condition = NudgeItem.closed_reason == fixed_reason
    if since is not None:
        condition = and_(condition, NudgeItem.closed_at >= since)
    count = int(session.scalar(select(func.count()).where(condition)) or 0)
    if not count:
        return None
    took = _seconds(session, NudgeItem.first_nudged_at, NudgeItem.closed_at).label("took")
    middle = session.scalars(
        select(took).where(condition).order_by(took).offset((count - 1) // 2).limit(2 - count % 2)
    ).all()
    return sum(float(value) for value in middle) / len(middle)


def _seconds(session: Session, start: Any, end: Any) -> Any:
    """`end - start` in seconds: an interval's epoch on PostgreSQL, Julian days on SQLite (which
    stores these times as ISO text)."""
    if session.get_bind().dialect.name == "postgresql":
        return extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86_400.0
