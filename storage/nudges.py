"""Writes of the nudges: the outbox, claims and nudge items (the sweep's reads are in
storage/sweep_reads.py).

Writes that two processes may race on are conditional
(`INSERT ... ON CONFLICT DO NOTHING`, `UPDATE ... WHERE <still as read>`), and report what they did.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    ARRAY,
    JSON,
    Boolean,
    ColumnElement,
    FromClause,
    Integer,
    String,
    Table,
    bindparam,
    false,
    func,
    literal,
    literal_column,
    select,
    true,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from storage.database import shared_moment, upsert_into
from storage.models import Member
from storage.nudge_models import NudgeExclusion, NudgeItem, NudgeOutbox
from storage.scope import workspace_id

MEMBER_KIND = "member"
_items = cast(Table, NudgeItem.__table__)
_outbox = cast(Table, NudgeOutbox.__table__)


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
    session: Session, rows: Iterable[dict[str, Any]], at: datetime
) -> dict[tuple[str, str, int], int]:
    """Write messages to send, pending since `at`: rows of recipient, kind, round_number,
    member_id, payload, urgent. Any whose (recipient, kind, round) exists is skipped; the ids of
    those inserted.

    Rows are inserted in key order, so two processes inserting overlapping rows wait for each
    other instead of deadlocking. Each payload is written as JSON text as it comes (`rows` may be
    a generator), so its dicts are let go at once, not kept for the garbage collector to walk.
    """
    written = sorted(
        ({**row, "payload": json.dumps(row["payload"])} for row in rows),
        key=lambda row: (row["recipient"], row["kind"], row["round_number"]),
    )
    if not written:
        return {}
    text = bindparam("payload", type_=String)
    # SQLite keeps JSON as the text itself; PostgreSQL is told the text is JSON.
    payload = text if session.get_bind().dialect.name == "sqlite" else sql_cast(text, JSON)
    statement = (
        upsert_into(session, _outbox)
        .values(
            payload=payload,
            state=literal_column("'pending'"),
            created_at=shared_moment(session, at),
            attempts=literal_column("0"),
            workspace_id=workspace_id(),
        )
        .on_conflict_do_nothing(
            index_elements=["workspace_id", "recipient", "kind", "round_number"]
        )
        .returning(_outbox.c.id, _outbox.c.recipient, _outbox.c.kind, _outbox.c.round_number)
    )
    found = session.connection().execute(statement, written)  # batched, in this order
    return {(r.recipient, r.kind, r.round_number): r.id for r in found}


def insert_items(
    session: Session, rows: Sequence[tuple[int, str, bool, int]], at: datetime
) -> None:
    """Open an item for each gap a message reminds about first, at `at`: rows of (member_id,
    check, urgent, outbox_id). An item already open for that check (a race) is left as it is.

    One statement for all the rows: they go over as one value the database takes apart itself
    (SQLite a JSON array, json_each; PostgreSQL an array per column, unnest), and the rest, the
    same for every row, is written into the statement once. Row by row, each value would be
    converted on the way (and SQLite hands Python's lock back and forth once a row).
    """
    if not rows:
        return
    rows_of: FromClause
    member_id: ColumnElement[Any]
    check: ColumnElement[Any]
    urgent: ColumnElement[Any]
    outbox_id: ColumnElement[Any]
    if session.get_bind().dialect.name == "sqlite":
        rows_of = func.json_each(bindparam("rows", type_=String)).table_valued("value")
        member_id, check, urgent, outbox_id = (
            func.json_extract(rows_of.c.value, f"$[{n}]") for n in range(4)
        )
        given: dict[str, Any] = {"rows": json.dumps(rows)}
    else:
        names, types = (
            ("member_id", "check", "urgent", "outbox_id"),
            (Integer, String, Boolean, Integer),
        )
        rows_of = (
            func.unnest(
                *(
                    bindparam(name, type_=ARRAY(kind))
                    for name, kind in zip(names, types, strict=True)
                )
            )
            .table_valued(*names)
            .render_derived()
        )
        member_id, check, urgent, outbox_id = (rows_of.c[name] for name in names)
        columns = zip(*rows, strict=True)
        given = {name: list(column) for name, column in zip(names, columns, strict=True)}
    moment = shared_moment(session, at)
    values: dict[str, Any] = {
        "member_id": member_id,
        "check": check,
        "open_check": check,
        "urgent": urgent,
        "first_nudged_at": moment,
        "last_nudged_at": moment,
        "cadence_from": moment,
        "nudge_count": literal_column("1"),
        "snooze_count": literal_column("0"),
        "level": literal_column("0"),
        "recheck_wanted": false(),
        "last_outbox_id": outbox_id,
        "workspace_id": literal(workspace_id()),
    }
    # WHERE true: SQLite reads an upsert after INSERT ... SELECT only with a WHERE.
    chosen = select(*values.values()).select_from(rows_of).where(true())
    statement = (
        upsert_into(session, _items)
        .from_select(list(values), chosen)
        .on_conflict_do_nothing(index_elements=["member_id", "open_check"])
    )
    session.connection().execute(statement, given)


def remind_items(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Count a reminder on open items: rows of item_id, at, cadence_from, outbox_id, urgent."""
    _update_open_items(
        session,
        rows,
        {
            "nudge_count": _items.c.nudge_count + 1,
            "last_nudged_at": bindparam("at"),
            "cadence_from": bindparam("cadence_from"),
            "snoozed_until": None,
            "urgent": bindparam("urgent"),
            "last_outbox_id": bindparam("outbox_id"),
        },
    )


def list_items(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Items mentioned in a message without counting a reminder: rows of item_id, outbox_id."""
    _update_open_items(session, rows, {"last_outbox_id": bindparam("outbox_id")})


def escalate_items(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Raise items to a level: rows of item_id, level, at. Only upwards, only while open."""
    values: dict[str, Any] = {"level": bindparam("level"), "escalated_at": bindparam("at")}
    _update_open_items(session, rows, values, _items.c.level < bindparam("level"))


def _update_open_items(
    session: Session,
    rows: Sequence[dict[str, Any]],
    values: dict[str, Any],
    *only: ColumnElement[bool],
) -> None:
    """One batched UPDATE of the items named by each row's item_id, while they are still open."""
    if not rows:
        return
    statement = (
        update(_items)
        .where(
            _items.c.workspace_id == workspace_id(),
            _items.c.id == bindparam("item_id"),
            _items.c.closed_at.is_(None),
            *only,
        )
        .values(values)
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
    closed: dict[str, Any] = {
        "closed_at": at,
        "closed_reason": bindparam("reason"),
        "open_check": None,
        "recheck_wanted": False,
    }
    _update_open_items(session, rows, closed)
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
