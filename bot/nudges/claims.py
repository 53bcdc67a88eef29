"""A sender's claim on the message in hand, kept alive while it waits on Slack.

A claim lasts CLAIM_FOR and is renewed every RENEW_EVERY from a thread of its own, so a live
sender's claim never expires however long Slack keeps it waiting (a 429's Retry-After, backoff),
and a dead sender's claim expires CLAIM_FOR after its last renewal: the next sender takes it over
within seconds, not minutes. Renewals are plain conditional UPDATEs, the same on SQLite and
PostgreSQL, and need no connection of their own.

Why not a liveness lock per sender (a PostgreSQL advisory lock that the server frees when the
process dies)? Every cut connection frees it too, while the sender lives and may be posting, so a
successor would need a confirmation delay and the sender a fence anyway; a short, renewed claim is
the same guarantee with one mechanism on both databases.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from types import TracebackType

from sqlalchemy.exc import DBAPIError

from bot.core.clock import Clock
from storage import outbox as outbox_store
from storage.database import Database

logger = logging.getLogger("security_bot.nudges")
CLAIM_FOR = timedelta(seconds=30)
RENEW_EVERY = timedelta(seconds=5)


class ClaimKeeper:
    """Renews the claim of one message at a time (the sender sends one at a time), from a daemon
    thread that runs while the sender delivers (`with keeper:`)."""

    def __init__(
        self,
        database: Database,
        real: Clock,
        holder: str,
        *,
        claim_for: timedelta = CLAIM_FOR,
        every: timedelta = RENEW_EVERY,
    ) -> None:
        self._database = database
        self._real = real
        self._holder = holder
        self.claim_for = claim_for
        self._every = every.total_seconds()
        self._lock = threading.Lock()
        self._in_hand: int | None = None
        self._good_until: datetime | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> ClaimKeeper:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.release()
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            thread.join(timeout=10)

    def hold(self, message_id: int, until: datetime) -> None:
        """Keep renewing the claim on `message_id`, taken until `until`."""
        with self._lock:
            self._in_hand, self._good_until = message_id, until
        if self._thread is None:
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._loop, name="nudge-claims", daemon=True)
            self._thread.start()

    def release(self) -> None:
        """Stop renewing (the message was posted or given up): the claim now ends on its own."""
        with self._lock:
            self._in_hand = None

    def left(self) -> timedelta:
        """How long the claim in hand surely stays ours, as far as this process knows."""
        with self._lock:
            until = self._good_until
        return timedelta(0) if until is None else until - self._real.now()

    def renew(self) -> None:
        """One renewal of the claim in hand; a database blip is logged and tried again later."""
        with self._lock:
            message_id = self._in_hand
        if message_id is None:
            return
        until = self._real.now() + self.claim_for
        try:
            with self._database.sessions.begin() as session:
                ours = outbox_store.renew(session, message_id, self._holder, until)
        except DBAPIError as error:
            logger.warning("nudge %s: claim not renewed (%s)", message_id, type(error).__name__)
            return
        with self._lock:
            if self._in_hand == message_id:
                if ours:
                    self._good_until = until
                else:
                    self._good_until, self._in_hand = None, None

    def _loop(self) -> None:
        while not self._stop.wait(self._every):
            self.renew()
