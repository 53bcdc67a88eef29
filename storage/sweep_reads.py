"""What the reminder sweep reads: every table streamed once, ordered by member, in one snapshot,
so a sweep issues the same few statements whatever the number of members. Rows are named."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Text, func, select
from sqlalchemy import cast as cast_to
from sqlalchemy.orm import Session, aliased

from storage.exemption_models import Exemption
from storage.models import BusinessAccount, CheckResult, Member, Membership
from storage.nudge_models import NudgeExclusion, NudgeItem, NudgeOutbox
from storage.nudges import MEMBER_KIND
from storage.scoping import limited

STREAM_CHUNK = 2_000


# -- the rows the sweep streams, each ordered by member_id first ------------------------------


class MemberRow(NamedTuple):
    member_id: int
    slack_user_id: str
    display_name: str | None
    time_zone: str | None
    joined_at: datetime
    locale: str | None
    language: str | None


class AccountRow(NamedTuple):
    """A business account of a member, with its account manager's Slack id."""

    member_id: int
    account_id: int
    platform_account_id: str
    name: str
    platform: str
    managed: bool
    manager_slack_id: str | None


class EvidenceRow(NamedTuple):
    member_id: int
    check: str
    business_account_id: int | None
    state: str
    source: str
    observed_at: datetime
    detail_json: str | None  # decoded by the reader only when not empty: most evidence has none


class OpenItemRow(NamedTuple):
    member_id: int
    item_id: int
    check: str
    first_nudged_at: datetime
    last_nudged_at: datetime
    cadence_from: datetime
    nudge_count: int
    snoozed_until: datetime | None
    snooze_count: int
    level: int
    escalated_at: datetime | None


class RoundRow(NamedTuple):
    """The last round of reminders decided for a member."""

    member_id: int
    last_round: int


class Exclusion(NamedTuple):
    reason: str
    until: datetime | None


class ExemptionRow(NamedTuple):
    """An approved exemption in force: one check on one business account, until a moment."""

    check: str
    business_account_id: int
    until: datetime
    approved_by: str


R = TypeVar("R", bound=NamedTuple)


def begin_snapshot(session: Session) -> None:
    """Make every following read of `session` see the same committed state.

    PostgreSQL: REPEATABLE READ. SQLite: an explicit BEGIN, since the driver starts transactions
    only before writes; in WAL mode the reader keeps its snapshot while others commit.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    else:
        session.connection().exec_driver_sql("BEGIN")


def _stream(session: Session, statement: Any, row: type[R]) -> Iterator[R]:
    """Rows in chunks (a server-side cursor on PostgreSQL), through Core: no ORM on the way.

    Each column is labelled with its field's name, and the labels are checked against the row's
    fields once per statement: a column added, dropped or moved on one side only fails here
    instead of filling the wrong field.
    """
    result = session.connection().execute(
        limited(statement).execution_options(yield_per=STREAM_CHUNK)
    )
    labels = tuple(result.keys())
    if labels != row._fields:
        result.close()
        raise TypeError(f"{row.__name__} has fields {row._fields}, the statement {labels}")
    return map(row._make, result)


def _only(statement: Any, column: Any, member_ids: Collection[int] | None) -> Any:
    return statement if member_ids is None else statement.where(column.in_(sorted(member_ids)))


def stream_members(
    session: Session, member_ids: Collection[int] | None = None
) -> Iterator[MemberRow]:
    statement = select(
        Member.id.label("member_id"),
        Member.slack_user_id,
        Member.display_name,
        Member.time_zone,
        Member.created_at.label("joined_at"),
        Member.locale,
        Member.language,
    ).where(Member.slack_user_id.is_not(None))
    statement = _only(statement, Member.id, member_ids).order_by(Member.id)
    return _stream(session, statement, MemberRow)


def stream_accounts(
    session: Session, member_ids: Collection[int] | None = None
) -> Iterator[AccountRow]:
    manager = aliased(Member)
    statement = (
        select(
            Membership.member_id,
            BusinessAccount.id.label("account_id"),
            BusinessAccount.platform_account_id,
            BusinessAccount.name,
            BusinessAccount.platform,
            BusinessAccount.managed,
            manager.slack_user_id.label("manager_slack_id"),
        )
        .join(BusinessAccount, BusinessAccount.id == Membership.business_account_id)
        .outerjoin(manager, manager.id == BusinessAccount.account_manager_id)
    )
    statement = _only(statement, Membership.member_id, member_ids)
    statement = statement.order_by(Membership.member_id, BusinessAccount.name, BusinessAccount.id)
    return _stream(session, statement, AccountRow)


def stream_evidence(
    session: Session, member_ids: Collection[int] | None = None
) -> Iterator[EvidenceRow]:
    statement = select(
        CheckResult.member_id,
        CheckResult.check,
        CheckResult.business_account_id,
        CheckResult.state,
        CheckResult.source,
        CheckResult.observed_at,
        cast_to(CheckResult.detail, Text).label("detail_json"),
    )
    statement = _only(statement, CheckResult.member_id, member_ids)
    return _stream(session, statement.order_by(CheckResult.member_id), EvidenceRow)


def stream_open_items(
    session: Session, member_ids: Collection[int] | None = None
) -> Iterator[OpenItemRow]:
    statement = select(
        NudgeItem.member_id,
        NudgeItem.id.label("item_id"),
        NudgeItem.check,
        NudgeItem.first_nudged_at,
        NudgeItem.last_nudged_at,
        NudgeItem.cadence_from,
        NudgeItem.nudge_count,
        NudgeItem.snoozed_until,
        NudgeItem.snooze_count,
        NudgeItem.level,
        NudgeItem.escalated_at,
    ).where(NudgeItem.closed_at.is_(None))
    statement = _only(statement, NudgeItem.member_id, member_ids)
    statement = statement.order_by(NudgeItem.member_id, NudgeItem.id)
    return _stream(session, statement, OpenItemRow)


def stream_member_rounds(
    session: Session, member_ids: Collection[int] | None = None
) -> Iterator[RoundRow]:
    statement = select(
        NudgeOutbox.member_id, func.max(NudgeOutbox.round_number).label("last_round")
    ).where(NudgeOutbox.kind == MEMBER_KIND, NudgeOutbox.member_id.is_not(None))
    statement = _only(statement, NudgeOutbox.member_id, member_ids)
    statement = statement.group_by(NudgeOutbox.member_id).order_by(NudgeOutbox.member_id)
    return _stream(session, statement, RoundRow)


def exclusions(session: Session) -> dict[int, Exclusion]:
    rows = session.execute(
        select(NudgeExclusion.member_id, NudgeExclusion.reason, NudgeExclusion.until)
    )
    return {row.member_id: Exclusion(row.reason, row.until) for row in rows}


def exemptions_in_force(session: Session, now: datetime) -> dict[int, list[ExemptionRow]]:
    """Approved exemptions not yet ended, by member: few, so read whole, in one statement."""
    rows = session.execute(
        select(
            Exemption.member_id,
            Exemption.check,
            Exemption.business_account_id,
            Exemption.ends_at,
            Exemption.decided_by,
        ).where(Exemption.status == "approved", Exemption.ends_at > now)
    )
    found: dict[int, list[ExemptionRow]] = {}
    for member_id, check, account_id, until, approved_by in rows:
        found.setdefault(member_id, []).append(
            ExemptionRow(check, account_id, until, approved_by or "")
        )
    return found


def recipient_rounds(session: Session, kinds: Collection[str]) -> dict[tuple[str, str], int]:
    """The last round per (recipient, kind), for escalation messages."""
    rows = session.execute(
        select(NudgeOutbox.recipient, NudgeOutbox.kind, func.max(NudgeOutbox.round_number))
        .where(NudgeOutbox.kind.in_(sorted(kinds)))
        .group_by(NudgeOutbox.recipient, NudgeOutbox.kind)
    )
    return {(recipient, kind): last for recipient, kind, last in rows}
