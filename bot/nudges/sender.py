"""Delivery: the outbox's messages sent at Slack's pace, each claimed first, each sent once.

A message is claimed with a conditional UPDATE (pending, or a claim that expired), so two
senders never send the same row. The claim is short and renewed while the message is in hand
(bot/nudges/claims.py), so a sender that dies mid-way is replaced within CLAIM_FOR.
Claims, retry delays and waits for working hours are stamped on the real clock (`real`), even
when the decisions are taken at another time (`nudge run-once --at`): a sender killed days
"ahead" leaves nothing that the leader, on the real clock, would wait days for.

Sent once, though Slack has no idempotency key for chat.postMessage:
- a crash after the outbox write and before the claim leaves a pending row: the next sender
  sends it;
- once Slack accepted a message, recording it is retried while the claim is ours, so a database
  blip of a few seconds changes nothing;
- every message carries its outbox id in Slack's message metadata, and a sender that takes over
  an unfinished claim first looks in the DM's history (since that claim) for it: found, it is
  recorded as sent; not found, it is posted.
A sender only starts a post while its claim has FENCE left; what it cannot fence is a post in
flight while its database stays out of reach for longer than the claim.

Slack's limits count per workspace, so the pace is per workspace (the one being served): one
Sender delivers several workspaces side by side (handlers/jobs/scheduler.py), each at its own
pace, and one workspace's 429s, waited out in its own thread, hold back no other.

Retries of one call (429 after Retry-After; 5xx and connection errors with backoff and jitter)
happen inside the `Messenger` (slack_sdk's retry handlers); when those give up, the message goes
back to pending with a growing delay, up to MAX_ATTEMPTS.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.exc import DBAPIError

from bot.campaigns.overdue import OVERDUE_KINDS
from bot.campaigns.overdue_views import overdue_message
from bot.checklist.model import Check, State
from bot.core.clock import Clock
from bot.core.i18n import ENGLISH, reading
from bot.exemptions.ended import ended_message
from bot.nudges.claims import CLAIM_FOR, ClaimKeeper
from bot.nudges.hours import zone
from bot.nudges.outbox import DIGEST, EXEMPTION_ENDED, MANAGER, MEMBER
from bot.nudges.pacing import Pacers
from bot.nudges.settings import DeliveryPace, NudgePolicy, PolicySource, policy_of
from bot.nudges.views import ItemNow, digest_message, manager_message, reminder_message
from storage import outbox as outbox_store
from storage.database import Database
from storage.nudge_models import NudgeItem, NudgeOutbox

logger = logging.getLogger("security_bot.nudges")
__all__ = ["CLAIM_FOR", "DeliveryFailed", "Messenger", "Posted", "Sender"]
MAX_ATTEMPTS = 5
BATCH = 100
FENCE = timedelta(seconds=10)  # a post starts only with this much of its claim left
LOOK_BACK = timedelta(minutes=1)  # before a dead claim's last renewal: clock skew, a renewal late
METADATA = "security_bot_nudge"  # Slack message metadata's event_type on every outbox message


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

    def find(self, channel: str, since: datetime, outbox_id: int) -> Posted | None:
        """The bot's message in `channel` (or a user's DM) since `since` whose metadata names
        outbox message `outbox_id`, if Slack has one."""
        ...


@dataclass
class DeliveryReport:
    sent: int = 0
    found_sent: int = 0  # taken over from a dead sender, and already in Slack: recorded, not sent
    updated: int = 0
    cancelled: int = 0
    failed: int = 0
    retry_later: int = 0
    deferred: int = 0  # until the member's working hours
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"sent {self.sent}, found already sent {self.found_sent}, updated in place {self.updated}, cancelled {self.cancelled}, "
            f"failed {self.failed}, to retry {self.retry_later}, "
            f"waiting for working hours {self.deferred}, in {self.seconds:.1f} s"
        )


class Sender:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        messenger: Messenger,
        policy: PolicySource,
        holder: str,
        *,
        pace: DeliveryPace | None = None,
        real: Clock | None = None,
        languages: Callable[[str], str] | None = None,
    ) -> None:
        self._database = database
        self._clock = clock  # the decisions' time: working hours, sent_at
        self._real = real or clock  # claims and delays: what every other sender compares with
        self._messenger = messenger
        self._policies = policy  # asked at use: the served workspace's policy
        self._holder = holder
        pace = pace or policy_of(policy).pace  # Slack's pace: NUDGE_POLICY_FILE's, for all
        # Slack counts per workspace: each workspace served has its own pace (pacing.Pacers).
        self._posts = Pacers(pace.messages_per_minute * pace.headroom, pace.per_channel)
        self._updates = Pacers(pace.updates_per_minute * pace.headroom, pace.per_channel)
        self.claims = ClaimKeeper(database, self._real, holder)
        self._language_of = languages or (lambda _recipient: ENGLISH)  # each reader's own

    @property
    def _policy(self) -> NudgePolicy:
        return policy_of(self._policies)

    def deliver(
        self, *, limit: int | None = None, keep_going: Callable[[], bool] = lambda: True
    ) -> DeliveryReport:
        """In-place updates first (they are few and members see them), then the outbox."""
        started = time.perf_counter()
        report = DeliveryReport()
        self._refresh(report, keep_going)
        done = 0
        with self.claims:
            while keep_going() and (limit is None or done < limit):
                with self._database.sessions() as session:
                    size = BATCH if limit is None else min(BATCH, limit - done)
                    batch = outbox_store.deliverable(session, self._real.now(), size)
                if not batch:
                    break
                for message_id in batch:
                    if not keep_going():
                        break
                    try:
                        self.send(message_id, report)
                    except DBAPIError as error:
                        # The database is out of reach: a claim taken stays ours until it
                        # expires and is taken over then; the next round tries again.
                        logger.warning("nudge delivery paused: %s", type(error).__name__)
                        report.retry_later += 1
                        report.seconds = time.perf_counter() - started
                        return report
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
            claimed = outbox_store.claim(
                session, message_id, self._holder, real, real + self.claims.claim_for
            )
            if claimed is None:
                return  # another sender has it
        self.claims.hold(message_id, real + self.claims.claim_for)
        try:
            self._send(message_id, claimed.earlier, report)
        finally:
            self.claims.forget(message_id)

    def _send(self, message_id: int, earlier: datetime | None, report: DeliveryReport) -> None:
        with self._database.sessions() as session:
            message = outbox_store.message(session, message_id)
            assert message is not None
            rendered = self._render(session, message)
            channel = outbox_store.dm_channel(session, message.recipient) or message.recipient
            attempts, recipient = message.attempts, message.recipient
        if earlier is not None:
            try:
                since = earlier - self.claims.claim_for - LOOK_BACK
                found = self._messenger.find(channel, since, message_id)
            except DeliveryFailed as failure:
                if not failure.permanent:
                    report.retry_later += 1  # our claim ends on its own; the next one looks again
                    return
                logger.warning("nudge %s: cannot look for an earlier copy (%s)", message_id,
                               failure.code)  # fmt: skip
                found = None
            if found is not None:
                self.claims.release(message_id)
                if self._record_sent(message_id, recipient, found):
                    report.found_sent += 1
                return
        if rendered is None:
            self._finish(message_id, state="cancelled", last_error="fixed before it was sent")
            report.cancelled += 1
            return
        self._posts.wait(channel)
        if self.claims.left(message_id) < FENCE:
            report.retry_later += 1  # renewals have been failing: another sender may take it
            return
        tagged = {**rendered, "metadata": {"event_type": METADATA,
                                           "event_payload": {"outbox_id": message_id}}}  # fmt: skip
        try:
            posted = self._messenger.post(channel, tagged)
        except DeliveryFailed as failure:
            self._failed(message_id, attempts, failure, report)
            return
        self.claims.release(message_id)
        if self._record_sent(message_id, recipient, posted):
            report.sent += 1

    def _record_sent(self, message_id: int, recipient: str, posted: Posted) -> bool:
        """Record a message Slack accepted, retrying with short backoff while the claim is ours
        (a database blip passes in seconds). Given up, the claim expires and the sender that
        takes it over finds the message in Slack instead of posting it again."""
        sent_at = self._clock.now()
        give_up = time.monotonic() + self.claims.left(message_id).total_seconds()
        delay = 0.1
        for attempt in itertools.count(1):
            try:
                with self._database.sessions.begin() as session:
                    ours = outbox_store.finish(
                        session,
                        message_id,
                        self._holder,
                        state="sent",
                        sent_at=sent_at,
                        channel_id=posted.channel,
                        ts=posted.ts,
                        last_error=None,
                    )
                    if ours:
                        outbox_store.remember_dm_channel(
                            session, recipient, posted.channel, sent_at
                        )
            except DBAPIError as error:
                logger.warning("nudge %s sent; recording it failed (%s), attempt %d",
                               message_id, type(error).__name__, attempt)  # fmt: skip
                if time.monotonic() + delay >= give_up:
                    logger.warning("nudge %s sent; left for the next sender to find", message_id)
                    return False
                time.sleep(delay)
                delay = min(2 * delay, 2.0)
                continue
            if not ours:
                logger.warning("nudge %s sent after its claim passed to another sender", message_id)
            return ours
        return False  # pragma: no cover - the loop returns

    def _outside_hours(self, session: Any, message_id: int, now: datetime) -> datetime | None:
        """A reminder decided in working hours but still unsent when they ended (a long queue,
        an outage) waits for the member's next working hours, unless it is urgent; so does the
        news that an exemption ended (it ends at midnight UTC)."""
        message = outbox_store.message(session, message_id)
        if message is None or message.kind not in (MEMBER, EXEMPTION_ENDED) or message.urgent:
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
        with reading(self._language_of(message.recipient)):
            return self._rendered(session, message)

    def _rendered(self, session: Any, message: NudgeOutbox) -> dict[str, Any] | None:
        if message.kind == MANAGER:
            return manager_message(message.payload)
        if message.kind == DIGEST:
            return digest_message(message.payload)
        if message.kind == EXEMPTION_ENDED:
            return ended_message(message.payload)
        if message.kind in OVERDUE_KINDS:
            return overdue_message(message.payload)
        assert message.kind == MEMBER and message.member_id is not None
        now = items_now(session, message.member_id, message.payload)
        if all(state.closed_reason is not None for state in now.values()):
            return None
        today = member_today(message.payload, self._clock.now(), self._policy)
        return reminder_message(message.id, message.payload, now, self._policy.snoozes, today=today)

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
                with reading(self._language_of(message.recipient)):
                    now = self._clock.now()
                    rendered = refreshed_reminder(session, message, self._policy, now)
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
        today=member_today(message.payload, at, policy),
    )


def member_today(payload: Mapping[str, Any], at: datetime, policy: NudgePolicy) -> date:
    """The member's own day at `at`: a campaign's countdown counts their days."""
    return at.astimezone(zone(payload.get("time_zone"), policy.default_time_zone)).date()


def _known(check: str) -> bool:
    try:
        Check(check)
    except ValueError:
        return False
    return True
