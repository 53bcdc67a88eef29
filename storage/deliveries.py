"""Events API deliveries already handled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from storage.models import SlackDelivery


def claim(session: Session, event_id: str, at: datetime) -> bool:
    """Record the delivery; False when it was already recorded (a retry)."""
    if session.get(SlackDelivery, event_id) is not None:
        return False
    session.add(SlackDelivery(event_id=event_id, received_at=at))
    session.flush()
    return True


def forget_before(session: Session, moment: datetime) -> None:
    session.execute(delete(SlackDelivery).where(SlackDelivery.received_at < moment))
