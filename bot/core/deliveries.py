"""Slack retries an Events API delivery it thinks was lost; each event is handled once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from bot.core.clock import Clock
from storage import deliveries as delivery_store
from storage.database import Database

KEEP = timedelta(days=2)


class DeliveryLog:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    def first_time(self, event_id: str) -> bool:
        """True for the first delivery of an event, False for every retry of it."""
        try:
            with self._database.sessions.begin() as session:
                return delivery_store.claim(session, event_id, self._clock.now())
        except IntegrityError:
            return False  # a parallel retry claimed it first

    def forget_old(self) -> None:
        with self._database.sessions.begin() as session:
            delivery_store.forget_before(session, self._clock.now() - KEEP)
