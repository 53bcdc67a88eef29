"""Delivery: the outbox's messages sent at Slack's pace, each claimed first, each sent once.

A message is claimed with a conditional UPDATE (pending, or a claim that expired), so two
senders never send the same row; the claim expires, so a sender that dies mid-way is replaced.
Claims, retry delays and waits for working hours are stamped on the real clock (`real`), even
when the decisions are taken at another time (`nudge run-once --at`): a sender killed days
"ahead" leaves nothing that the leader, on the real clock, would wait days for.
A crash after the outbox write and before the send leaves a pending row: the next sender sends
it. (A crash after Slack accepted a message and before its `ts` was recorded resends it once the
claim expires: Slack has no idempotency key for chat.postMessage, so that one window stays.)

Retries of one call (429 after Retry-After; 5xx and connection errors with backoff and jitter)
happen inside the `Messenger` (slack_sdk's retry handlers); when those give up, the message goes
back to pending with a growing delay, up to MAX_ATTEMPTS.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.checklist.model import Check, State
from bot.core.clock import Clock
from bot.nudges.hours import zone
from bot.nudges.outbox import DIGEST, MANAGER, MEMBER
from bot.nudges.settings import DeliveryPace, NudgePolicy
from bot.nudges.views import ItemNow, digest_message, manager_message, reminder_message
from storage import outbox as outbox_store
from storage.database import Database
from storage.nudge_models import NudgeItem, NudgeOutbox

logger = logging.getLogger("security_bot.nudges")
CLAIM_FOR = timedelta(minutes=5)  # longer than any Retry-After the client waits out
MAX_ATTEMPTS = 5
BATCH = 100


class DeliveryFailed(Exception):
    """Slack refused or could not be reached after the client's own retries."""

    def __init__(self, code: str, *, permanent: bool) -> None:
        super().__init__(code)
        self.code = code
        self.permanent = permanent


@dataclass(frozen=True)
class Posted:
    channel: str
    ts: str


class Messenger(Protocol):
    """Slack, as the sender needs it (handlers/outbound/slack_messenger.py over slack_sdk)."""

    def post(self, channel: str, message: dict[str, Any]) -> Posted: ...

    def update(self, channel: str, ts: str, message: dict[str, Any]) -> None: ...


class Pacer:
    """Calls evenly spaced below a rate, and at least `per_channel` apart in one channel."""

    def __init__(
        self,
        per_minute: float,
        per_channel: timedelta = timedelta(seconds=1),
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = 60.0 / per_minute
        self._per_channel = per_channel.total_seconds()
        self._monotonic = monotonic
        self._sleep = sleep
        self._next = 0.0
        self._channels: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, channel: str | None = None) -> None:
        with self._lock:
            now = self._monotonic()
            at = max(now, self._next)
            if channel is not None:
                at = max(at, self._channels.get(channel, 0.0) + self._per_channel)
                if len(self._channels) > 10_000:
                    self._channels = {k: v for k, v in self._channels.items() if v > now - 60}
                self._channels[channel] = at
            self._next = at + self._interval
        if at > now:
            self._sleep(at - now)


@dataclass
class DeliveryReport:
    sent: int = 0
    updated: int = 0
    cancelled: int = 0
    failed: int = 0
    retry_later: int = 0
    deferred: int = 0  # until the member's working hours
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"sent {self.sent}, updated in place {self.updated}, cancelled {self.cancelled}, "
            f"failed {self.failed}, to retry {self.retry_later}, "
            f"waiting for working hours {self.deferred}, in {self.seconds:.1f} s"
        )


class Sender:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        messenger: Messenger,
        policy: NudgePolicy,
        holder: str,
        *,
        pace: DeliveryPace | None = None,
        real: Clock | None = None,
    ) -> None:
        self._database = database
        self._clock = clock  # the decisions' time: working hours, sent_at
        self._real = real or clock  # claims and delays: what every other sender compares with
        self._messenger = messenger
        self._policy = policy
        self._holder = holder
        pace = pace or policy.pace
        self._posts = Pacer(pace.messages_per_minute * pace.headroom, pace.per_channel)
        self._updates = Pacer(pace.updates_per_minute * pace.headroom, pace.per_channel)

    def deliver(
        self, *, limit: int | None = None, keep_going: Callable[[], bool] = lambda: True
    ) -> DeliveryReport:
        """In-place updates first (they are few and members see them), then the outbox."""
        started = time.perf_counter()
        report = DeliveryReport()
        self._refresh(report, keep_going)
        done = 0
        while keep_going() and (limit is None or done < limit):
            with self._database.sessions() as session:
                size = BATCH if limit is None else min(BATCH, limit - done)
                batch = outbox_store.deliverable(session, self._real.now(), size)
            if not batch:
                break
            for message_id in batch:
                if not keep_going():
                    break
                self.send(message_id, report)
                done += 1
        report.seconds = time.perf_counter() - started
        return report

    def send(self, message_id: int, report: DeliveryReport) -> None:
        now, real = self._clock.now(), self._real.now()
        with self._database.sessions.begin() as session:
            later = self._outside_hours(session, message_id, now)
            if later is not None:
                outbox_store.defer(session, message_id, real + (later - now))
                report.deferred += 1
                return
            if not outbox_store.claim(session, message_id, self._holder, real, real + CLAIM_FOR):
                return  # another sender has it
        with self._database.sessions() as session:
            message = outbox_store.message(session, message_id)
            assert message is not None
            rendered = self._render(session, message)
            channel = outbox_store.dm_channel(session, message.recipient) or message.recipient
            attempts = message.attempts
        if rendered is None:
            self._finish(message_id, state="cancelled", last_error="fixed before it was sent")
            report.cancelled += 1
            return
        self._posts.wait(channel)
        try:
            posted = self._messenger.post(channel, rendered)
        except DeliveryFailed as failure:
            self._failed(message_id, attempts, failure, report)
            return
        sent_at = self._clock.now()
        with self._database.sessions.begin() as session:
            outbox_store.finish(
                session,
                message_id,
                self._holder,
                state="sent",
                sent_at=sent_at,
                channel_id=posted.channel,
                ts=posted.ts,
                last_error=None,
            )
            outbox_store.remember_dm_channel(session, message.recipient, posted.channel, sent_at)
        report.sent += 1

    def _outside_hours(self, session: Any, message_id: int, now: datetime) -> datetime | None:
        """A reminder decided in working hours but still unsent when they ended (a long queue,
        an outage) waits for the member's next working hours, unless it is urgent."""
        message = outbox_store.message(session, message_id)
        if message is None or message.kind != MEMBER or message.urgent:
            return None
        time_zone = zone(message.payload.get("time_zone"), self._policy.default_time_zone)
        hours = self._policy.hours
        return None if hours.contains(now, time_zone) else hours.next_open(now, time_zone)

    def _failed(
        self, message_id: int, attempts: int, failure: DeliveryFailed, report: DeliveryReport
    ) -> None:
        if failure.permanent or attempts >= MAX_ATTEMPTS:
            logger.warning("nudge %s not delivered: %s", message_id, failure.code)
            self._finish(message_id, state="failed", last_error=failure.code[:100])
            report.failed += 1
            return
        later = self._real.now() + timedelta(minutes=2**attempts)
        self._finish(message_id, state="pending", not_before=later, last_error=failure.code[:100])
        report.retry_later += 1

    def _finish(self, message_id: int, **values: Any) -> None:
        with self._database.sessions.begin() as session:
            outbox_store.finish(session, message_id, self._holder, **values)

    def _render(self, session: Any, message: NudgeOutbox) -> dict[str, Any] | None:
        if message.kind == MANAGER:
            return manager_message(message.payload)
        if message.kind == DIGEST:
            return digest_message(message.payload)
        assert message.kind == MEMBER and message.member_id is not None
        now = items_now(session, message.member_id, message.payload)
        if all(state.closed_reason is not None for state in now.values()):
            return None
        return reminder_message(message.id, message.payload, now, self._policy.snoozes)

    def _refresh(self, report: DeliveryReport, keep_going: Callable[[], bool]) -> None:
        """Messages whose gaps closed since they were sent, updated in place."""
        with self._database.sessions() as session:
            wanted = outbox_store.refreshes_wanted(session, BATCH)
        for message_id in wanted:
            if not keep_going():
                return
            with self._database.sessions() as session:
                message = outbox_store.message(session, message_id)
                if message is None or message.refresh_wanted_at is None:
                    continue
                seen = message.refresh_wanted_at
                channel, ts = message.channel_id, message.ts
                rendered = refreshed_reminder(session, message, self._policy, self._clock.now())
            if channel and ts and rendered is not None:
                self._updates.wait(channel)
                try:
                    self._messenger.update(channel, ts, rendered)
                except DeliveryFailed as failure:
                    if not failure.permanent:
                        continue  # the request stays; the next round tries again
                    logger.warning("nudge %s not updated: %s", message_id, failure.code)
                else:
                    report.updated += 1
            with self._database.sessions.begin() as session:
                outbox_store.refreshed(session, message_id, seen)


def items_now(session: Any, member_id: int, payload: Mapping[str, Any]) -> dict[str, ItemNow]:
    """How each gap named in a reminder stands now, by check."""
    checks = [str(item.get("check")) for item in payload.get("items", [])]
    rows: list[NudgeItem] = outbox_store.items_of_message(session, member_id, checks)
    found = {row.check: ItemNow(row.closed_reason, row.snoozed_until) for row in rows}
    # A gap with no item (its first reminder lost a race) counts as open.
    return {check: found.get(check, ItemNow(None, None)) for check in checks if _known(check)}


def refreshed_reminder(
    session: Any,
    message: NudgeOutbox,
    policy: NudgePolicy,
    at: datetime,
    checklist_now: Mapping[str, tuple[State, str]] | None = None,
) -> dict[str, Any] | None:
    """A sent reminder as it should read now: fixed gaps done, a snooze shown."""
    if message.kind != MEMBER or message.member_id is None:
        return None
    now = items_now(session, message.member_id, message.payload)
    future = [s.snoozed_until for s in now.values() if s.snoozed_until and s.snoozed_until > at]
    until = max(future) if future else None
    return reminder_message(
        message.id,
        message.payload,
        now,
        policy.snoozes,
        snoozed_until=until,
        checklist_now=checklist_now,
    )


def _known(check: str) -> bool:
    try:
        Check(check)
    except ValueError:
        return False
    return True
