"""Audit records of what members do to their own accounts (link an authenticator, check a
password, confirm a recovery address): the member is both the actor and the target."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.core import audit


def target(slack_user_id: str) -> str:
    """How a member is named as an audit record's target."""
    return f"member:{slack_user_id}"


def record(session: Session, at: datetime, slack_user_id: str, action: str, **details: Any) -> None:
    """`audit.record` for a member acting on their own account, in the caller's transaction."""
    audit.record(
        session, at=at, actor=slack_user_id, action=action, target=target(slack_user_id), **details
    )
