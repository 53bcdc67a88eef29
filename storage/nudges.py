"""Queries of the nudges: streamed reads for the sweep, the outbox, claims and nudge items.

Reads for the sweep stream every table once, ordered by member, so a sweep issues the same few
statements whatever the number of members. Writes that two processes may race on are conditional
(`INSERT ... ON CONFLICT DO NOTHING`, `UPDATE ... WHERE <still as read>`), and report what they did.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple, TypeVar, cast

from sqlalchemy import Table, Text, bindparam, func, select, update
from sqlalchemy import cast as cast_to
from sqlalchemy.orm import Session, aliased

from storage.database import upsert_into
from storage.models import BusinessAccount, CheckResult, Member, Membership
from storage.nudge_models import NudgeExclusion, NudgeItem, NudgeOutbox

STREAM_CHUNK = 2_000
MEMBER_KIND = "member"
_items = cast(Table, NudgeItem.__table__)
_outbox = cast(Table, NudgeOutbox.__table__)


# -- the rows the sweep streams, each ordered by member_id first ------------------------------


class MemberRow(NamedTuple):
    member_id: int
    slack_user_id: str
    display_name: str | None
    time_zone: str | None
    joined_at: datetime


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
    result = session.connection().execute(statement.execution_options(yield_per=STREAM_CHUNK))
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


def recipient_rounds(session: Session, kinds: Collection[str]) -> dict[tuple[str, str], int]:
    """The last round per (recipient, kind), for escalation messages."""
    rows = session.execute(
        select(NudgeOutbox.recipient, NudgeOutbox.kind, func.max(NudgeOutbox.round_number))
        .where(NudgeOutbox.kind.in_(sorted(kinds)))
        .group_by(NudgeOutbox.recipient, NudgeOutbox.kind)
    )
    return {(recipient, kind): last for recipient, kind, last in rows}


def members_wanting_recheck(session: Session, limit: int) -> list[int]:
    rows = session.scalars(
        select(NudgeItem.member_id)
        .where(NudgeItem.recheck_wanted.is_(True), NudgeItem.closed_at.is_(None))
        .distinct()
        .order_by(NudgeItem.member_id)
        .limit(limit)
    )
    return list(rows)


def request_recheck(session: Session, member_id: int) -> None:
    """New passing evidence: the member's open gaps are looked at again soon."""
    session.execute(
        update(NudgeItem)
        .where(
            NudgeItem.member_id == member_id,
            NudgeItem.closed_at.is_(None),
            NudgeItem.recheck_wanted.is_(False),
        )
        .values(recheck_wanted=True)
    )


def clear_recheck(session: Session, member_ids: Collection[int]) -> None:
    session.execute(
        update(NudgeItem)
        .where(NudgeItem.member_id.in_(sorted(member_ids)), NudgeItem.recheck_wanted.is_(True))
        .values(recheck_wanted=False)
    )


# -- writing decisions ------------------------------------------------------------------------


def insert_messages(
    session: Session, rows: Sequence[dict[str, Any]]
) -> dict[tuple[str, str, int], int]:
    """Insert outbox rows, skipping any whose (recipient, kind, round) exists; the ids inserted.

    Rows are inserted in key order, so two processes inserting overlapping rows wait for each
    other instead of deadlocking.
    """
    if not rows:
        return {}
    ordered = sorted(rows, key=lambda row: (row["recipient"], row["kind"], row["round_number"]))
    statement = (
        upsert_into(session, _outbox)
        .on_conflict_do_nothing(index_elements=["recipient", "kind", "round_number"])
        .returning(_outbox.c.id, _outbox.c.recipient, _outbox.c.kind, _outbox.c.round_number)
    )
    found = session.connection().execute(statement, ordered)  # batched, in this order
    return {(r.recipient, r.kind, r.round_number): r.id for r in found}


def insert_items(session: Session, rows: Sequence[dict[str, Any]]) -> dict[tuple[int, str], int]:
    """New open items; one that is already open (a race) is left as it is."""
    if not rows:
        return {}
    statement = (
        upsert_into(session, _items)
        .on_conflict_do_nothing(index_elements=["member_id", "open_check"])
        .returning(_items.c.id, _items.c.member_id, _items.c.check)
    )
    found = session.connection().execute(statement, list(rows))
    return {(r.member_id, r.check): r.id for r in found}


def remind_items(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Count a reminder on open items: rows of item_id, at, cadence_from, outbox_id, urgent."""
    if not rows:
        return
    statement = (
        update(_items)
        .where(_items.c.id == bindparam("item_id"), _items.c.closed_at.is_(None))
        .values(
            nudge_count=_items.c.nudge_count + 1,
            last_nudged_at=bindparam("at"),
            cadence_from=bindparam("cadence_from"),
            snoozed_until=None,
            urgent=bindparam("urgent"),
            last_outbox_id=bindparam("outbox_id"),
        )
    )
    session.connection().execute(statement, list(rows))


def list_items(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Items mentioned in a message without counting a reminder: rows of item_id, outbox_id."""
    if not rows:
        return
    statement = (
        update(_items)
        .where(_items.c.id == bindparam("item_id"), _items.c.closed_at.is_(None))
        .values(last_outbox_id=bindparam("outbox_id"))
    )
    session.connection().execute(statement, list(rows))


def escalate_items(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Raise items to a level: rows of item_id, level, at. Only upwards, only while open."""
    if not rows:
        return
    statement = (
        update(_items)
        .where(
            _items.c.id == bindparam("item_id"),
            _items.c.closed_at.is_(None),
            _items.c.level < bindparam("level"),
        )
        .values(level=bindparam("level"), escalated_at=bindparam("at"))
    )
    session.connection().execute(statement, list(rows))


def close_items(session: Session, rows: Sequence[dict[str, Any]], at: datetime) -> list[int]:
    """Close items (rows of item_id, reason); the ids of the latest messages to update in place."""
    if not rows:
        return []
    ids = [row["item_id"] for row in rows]
    messages = session.scalars(
        select(NudgeItem.last_outbox_id).where(
            NudgeItem.id.in_(ids),
            NudgeItem.closed_at.is_(None),
            NudgeItem.last_outbox_id.is_not(None),
        )
    ).all()
    statement = (
        update(_items)
        .where(_items.c.id == bindparam("item_id"), _items.c.closed_at.is_(None))
        .values(
            closed_at=at,
            closed_reason=bindparam("reason"),
            open_check=None,
            recheck_wanted=False,
        )
    )
    session.connection().execute(statement, list(rows))
    found = sorted({message for message in messages if message is not None})
    if found:
        session.execute(
            update(NudgeOutbox)
            .where(NudgeOutbox.id.in_(found), NudgeOutbox.state == "sent")
            .values(refresh_wanted_at=at)
        )
    return found


def cancel_pending_without_open_items(session: Session, member_ids: Collection[int]) -> int:
    """Pending reminders of these members that no longer mention any open item are cancelled."""
    if not member_ids:
        return 0
    pending = session.execute(
        select(NudgeOutbox.id, NudgeOutbox.member_id, NudgeOutbox.payload).where(
            NudgeOutbox.member_id.in_(sorted(member_ids)),
            NudgeOutbox.kind == MEMBER_KIND,
            NudgeOutbox.state == "pending",
        )
    ).all()
    if not pending:
        return 0
    open_checks = open_checks_of(session, {member_id for _, member_id, _ in pending if member_id})
    cancelled = [
        message_id
        for message_id, member_id, payload in pending
        if not {item["check"] for item in payload.get("items", [])}
        & open_checks.get(member_id or 0, set())
    ]
    if cancelled:
        session.execute(
            update(NudgeOutbox)
            .where(NudgeOutbox.id.in_(cancelled), NudgeOutbox.state == "pending")
            .values(state="cancelled", last_error="fixed before it was sent")
        )
    return len(cancelled)


def open_checks_of(session: Session, member_ids: Collection[int]) -> dict[int, set[str]]:
    rows = session.execute(
        select(NudgeItem.member_id, NudgeItem.check).where(
            NudgeItem.member_id.in_(sorted(member_ids)), NudgeItem.closed_at.is_(None)
        )
    )
    found: dict[int, set[str]] = {}
    for member_id, check in rows:
        found.setdefault(member_id, set()).add(check)
    return found


# -- exclusions -------------------------------------------------------------------------------


def exclusion_of(session: Session, member_id: int) -> NudgeExclusion | None:
    return session.scalars(
        select(NudgeExclusion).where(NudgeExclusion.member_id == member_id)
    ).first()


class ExclusionOfMember(NamedTuple):
    exclusion: NudgeExclusion
    slack_user_id: str | None
    display_name: str | None


def all_exclusions(session: Session) -> list[ExclusionOfMember]:
    rows = session.execute(
        select(NudgeExclusion, Member.slack_user_id, Member.display_name)
        .join(Member, Member.id == NudgeExclusion.member_id)
        .order_by(Member.display_name, Member.id)
    )
    return [
        ExclusionOfMember(row.NudgeExclusion, row.slack_user_id, row.display_name) for row in rows
    ]
