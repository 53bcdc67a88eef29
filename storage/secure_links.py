"""One-time links: stored by the hash of their token only."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import Member, SecureLink
from storage.scope import every_workspace


class LinkOfMember(NamedTuple):
    link: SecureLink
    member: Member


def by_token_hash(session: Session, token_hash: str) -> LinkOfMember | None:
    """The link, whichever workspace it belongs to: a page is reached by its token alone (a
    secret of 256 bits), and the link says which workspace the visit then serves."""
    with every_workspace():
        row = session.execute(
            select(SecureLink, Member)
            .join(Member, Member.id == SecureLink.member_id)
            .where(
                SecureLink.token_hash == token_hash, Member.workspace_id == SecureLink.workspace_id
            )
        ).first()
    return None if row is None else LinkOfMember(row.SecureLink, row.Member)


def mark_used(session: Session, token_hash: str, at: datetime) -> bool:
    """Atomically mark an unused link used; False if it already was."""
    result = session.execute(
        update(SecureLink)
        .where(SecureLink.token_hash == token_hash, SecureLink.used_at.is_(None))
        .values(used_at=at)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def attach_message(session: Session, token_hash: str, channel: str, ts: str) -> None:
    session.execute(
        update(SecureLink)
        .where(SecureLink.token_hash == token_hash)
        .values(slack_channel=channel, slack_ts=ts)
        .execution_options(synchronize_session=False)
    )
