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
from bot.workspaces.scope import every_workspace
from storage import outbox as outbox_store
from storage.database import Database

logger = logging.getLogger("security_bot.nudges")
CLAIM_FOR = timedelta(seconds=30)
RENEW_EVERY = timedelta(seconds=5)


class ClaimKeeper:
    """Renews the claims of the messages in hand from a daemon thread that runs while at least
    one delivery of the sender is under way (`with keeper:`; the sweep's delivery and the
    scheduled one may overlap, each with its message in hand)."""

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
        self._in_hand: dict[int, datetime] = {}  # message id: ours surely until then
        self._good_until: dict[int, datetime] = {}  # kept after release, for recording it
        self._deliveries = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> ClaimKeeper:
        with self._lock:
            self._deliveries += 1
            if self._thread is None:
                self._stop = threading.Event()
                self._thread = threading.Thread(
                    target=self._loop, args=(self._stop,), name="nudge-claims", daemon=True
                )
                self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        with self._lock:
            self._deliveries -= 1
            if self._deliveries or self._thread is None:
                return
            thread, self._thread = self._thread, None
            self._stop.set()
            self._in_hand.clear()
            self._good_until.clear()
        thread.join(timeout=10)

    def hold(self, message_id: int, until: datetime) -> None:
        """Keep renewing the claim on `message_id`, taken until `until`."""
        with self._lock:
            self._in_hand[message_id] = self._good_until[message_id] = until

    def release(self, message_id: int) -> None:
        """Stop renewing (the message was posted or given up): the claim now ends on its own."""
        with self._lock:
            self._in_hand.pop(message_id, None)

    def forget(self, message_id: int) -> None:
        with self._lock:
            self._in_hand.pop(message_id, None)
            self._good_until.pop(message_id, None)

    def left(self, message_id: int) -> timedelta:
        """How long the claim on `message_id` surely stays ours, as far as this process knows."""
        with self._lock:
            until = self._good_until.get(message_id)
        return timedelta(0) if until is None else until - self._real.now()

    def renew(self) -> None:
        """One renewal of every claim in hand; a database blip is logged and tried again later."""
        with self._lock:
            in_hand = list(self._in_hand)
        for message_id in in_hand:
            until = self._real.now() + self.claim_for
            try:
                # Claims of every workspace this sender serves, by their own ids and holder.
                with every_workspace(), self._database.sessions.begin() as session:
                    ours = outbox_store.renew(session, message_id, self._holder, until)
            except DBAPIError as error:
                logger.warning("nudge %s: claim not renewed (%s)", message_id, type(error).__name__)
                continue
            with self._lock:
                if message_id in self._in_hand:
                    if ours:
                        self._in_hand[message_id] = self._good_until[message_id] = until
                    else:  # taken over: our renewals stopped long enough for it to expire
                        del self._in_hand[message_id]
                        self._good_until.pop(message_id, None)

    def _loop(self, stop: threading.Event) -> None:
        while not stop.wait(self._every):
            self.renew()
