"""The nudge outbox, message by message: claims, delivery outcomes, in-place updates, snoozes,
and the DM channels learnt from Slack. Every write that senders may race on is conditional."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from storage.database import upsert_into
from storage.nudge_models import NudgeItem, NudgeOutbox, SlackDmChannel
from storage.scope import workspace_id

# -- the items of one message (rendering, snoozing) --------------------------------------------


def message(session: Session, message_id: int) -> NudgeOutbox | None:
    return session.get(NudgeOutbox, message_id)


def items_of_message(session: Session, member_id: int, checks: Collection[str]) -> list[NudgeItem]:
    """The latest item per check of the member among `checks`, open or closed."""
    rows = session.scalars(
        select(NudgeItem)
        .where(NudgeItem.member_id == member_id, NudgeItem.check.in_(sorted(checks)))
        .order_by(NudgeItem.id)
    ).all()
    latest: dict[str, NudgeItem] = {}
    for row in rows:
        latest[row.check] = row
    return list(latest.values())


def snooze_item(session: Session, item_id: int, until: datetime, limit: int) -> bool:
    """Snooze one open item if it has snoozes left; False when it has none (or is closed)."""
    result = session.execute(
        update(NudgeItem)
        .where(
            NudgeItem.id == item_id,
            NudgeItem.closed_at.is_(None),
            NudgeItem.snooze_count < limit,
        )
        .values(snoozed_until=until, snooze_count=NudgeItem.snooze_count + 1)
    )
    return bool(getattr(result, "rowcount", 0))


# -- delivery ---------------------------------------------------------------------------------


def deliverable(session: Session, now: datetime, limit: int) -> list[int]:
    """Messages to send now: pending ones, and claims whose sender went quiet; urgent ones first,
    then the oldest."""
    return list(
        session.scalars(
            select(NudgeOutbox.id)
            .where(
                or_(
                    and_(
                        NudgeOutbox.state == "pending",
                        or_(NudgeOutbox.not_before.is_(None), NudgeOutbox.not_before <= now),
                    ),
                    and_(NudgeOutbox.state == "sending", NudgeOutbox.claimed_until < now),
                )
            )
            .order_by(NudgeOutbox.urgent.desc(), NudgeOutbox.id)
            .limit(limit)
        )
    )


def defer(session: Session, message_id: int, until: datetime) -> None:
    """Not before `until` (the member's next working hours); not an attempt."""
    session.execute(
        update(NudgeOutbox)
        .where(NudgeOutbox.id == message_id, NudgeOutbox.state == "pending")
        .values(not_before=until)
    )


@dataclass(frozen=True)
class Claimed:
    """A claim taken. `earlier` is the last renewal of an unfinished claim it replaced (its sender
    died or lost the database, perhaps after Slack accepted the message); None for a fresh one."""

    earlier: datetime | None


def claim(
    session: Session, message_id: int, holder: str, now: datetime, until: datetime
) -> Claimed | None:
    """Take a message to send it; only one sender can, even with several processes. None when
    another sender has it (or it is not due)."""
    seen = session.execute(
        select(NudgeOutbox.state, NudgeOutbox.claimed_until).where(NudgeOutbox.id == message_id)
    ).first()
    if seen is None:
        return None
    # Compare-and-set on what was read, so the claim replaced is the one `earlier` describes.
    unchanged = (
        NudgeOutbox.claimed_until.is_(None)
        if seen.claimed_until is None
        else NudgeOutbox.claimed_until == seen.claimed_until
    )
    result = session.execute(
        update(NudgeOutbox)
        .where(
            NudgeOutbox.id == message_id,
            NudgeOutbox.state == seen.state,
            unchanged,
            or_(
                and_(
                    NudgeOutbox.state == "pending",
                    or_(NudgeOutbox.not_before.is_(None), NudgeOutbox.not_before <= now),
                ),
                and_(NudgeOutbox.state == "sending", NudgeOutbox.claimed_until < now),
            ),
        )
        .values(
            state="sending",
            claimed_by=holder,
            claimed_until=until,
            attempts=NudgeOutbox.attempts + 1,
        )
    )
    if not getattr(result, "rowcount", 0):
        return None
    return Claimed(seen.claimed_until if seen.state == "sending" else None)


def renew(session: Session, message_id: int, holder: str, until: datetime) -> bool:
    """Keep our claim on a message while it is being sent; False when it is no longer ours."""
    result = session.execute(
        update(NudgeOutbox)
        .where(
            NudgeOutbox.id == message_id,
            NudgeOutbox.state == "sending",
            NudgeOutbox.claimed_by == holder,
        )
        .values(claimed_until=until)
    )
    return bool(getattr(result, "rowcount", 0))


def finish(session: Session, message_id: int, holder: str, **values: Any) -> bool:
    """Record how sending went (sent, failed, cancelled, or pending again), under our claim;
    False when the claim is no longer ours (it expired and another sender took it)."""
    result = session.execute(
        update(NudgeOutbox)
        .where(NudgeOutbox.id == message_id, NudgeOutbox.claimed_by == holder)
        .values(claimed_by=None, claimed_until=None, **values)
    )
    return bool(getattr(result, "rowcount", 0))


def refreshes_wanted(session: Session, limit: int) -> list[int]:
    return list(
        session.scalars(
            select(NudgeOutbox.id)
            .where(NudgeOutbox.refresh_wanted_at.is_not(None), NudgeOutbox.state == "sent")
            .order_by(NudgeOutbox.refresh_wanted_at, NudgeOutbox.id)
            .limit(limit)
        )
    )


def refreshed(session: Session, message_id: int, seen: datetime) -> None:
    """Clear the request, unless another one came in since `seen`."""
    session.execute(
        update(NudgeOutbox)
        .where(NudgeOutbox.id == message_id, NudgeOutbox.refresh_wanted_at == seen)
        .values(refresh_wanted_at=None)
    )


def dm_channel(session: Session, slack_user_id: str) -> str | None:
    found = session.get(SlackDmChannel, (workspace_id(), slack_user_id))
    return None if found is None else found.channel_id


def remember_dm_channel(
    session: Session, slack_user_id: str, channel_id: str, at: datetime
) -> None:
    """Insert or update; two senders learning the same channel at once both succeed."""
    statement = upsert_into(session, SlackDmChannel).values(
        slack_user_id=slack_user_id, channel_id=channel_id, seen_at=at
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["workspace_id", "slack_user_id"],
            set_={
                "channel_id": statement.excluded.channel_id,
                "seen_at": statement.excluded.seen_at,
            },
        )
    )
