"""A sender that dies or loses its database at any point: the reminder still arrives exactly once.

Recording a reminder Slack accepted is retried through a database blip; a sender that takes over
an unfinished claim asks Slack (conversations.history, by the message metadata) whether the
reminder arrived before posting it; a dead sender's claim is taken over within the short claim
life, and a live sender's claim, renewed while it waits on Slack, never is."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text

from bot.core.clock import FakeClock
from bot.nudges.claims import ClaimKeeper
from bot.nudges.sender import CLAIM_FOR, METADATA, Messenger, Posted, Sender
from bot.services import Services
from sandbox.slack_standin import SlackStandIn
from storage import outbox as outbox_store
from storage.database import Database
from tests.bot.nudges.conftest import FAST, outbox
from tests.conftest import BACKENDS, POSTGRES_SERVER, MemberFactory, carrying

PAST_GRACE = timedelta(days=14)
FIVE_MINUTES = timedelta(minutes=5)  # the old claim life, which these takeovers must beat


class Crash(BaseException):
    """The process is killed: nothing after this line runs, and nothing catches it."""


class Killed:
    """Slack through `messenger`; the process dies just before (or just after) its first post."""

    def __init__(self, messenger: Messenger, *, after_post: bool) -> None:
        self._messenger = messenger
        self._after_post = after_post

    def post(self, channel: str, message: dict[str, Any]) -> Posted:
        if self._after_post:
            self._messenger.post(channel, message)
        raise Crash

    def update(self, channel: str, ts: str, message: dict[str, Any]) -> None:
        raise Crash

    def find(self, channel: str, since: datetime, outbox_id: int) -> Posted | None:
        raise Crash


class Stalled:
    """Slack that keeps the sender waiting (a long Retry-After) until released."""

    def __init__(self, messenger: Messenger) -> None:
        self._messenger = messenger
        self.posting = threading.Event()
        self.go_on = threading.Event()

    def post(self, channel: str, message: dict[str, Any]) -> Posted:
        self.posting.set()
        assert self.go_on.wait(30)
        return self._messenger.post(channel, message)

    def update(self, channel: str, ts: str, message: dict[str, Any]) -> None:
        self._messenger.update(channel, ts, message)

    def find(self, channel: str, since: datetime, outbox_id: int) -> Posted | None:
        return self._messenger.find(channel, since, outbox_id)


@pytest.fixture
def standin(clock: FakeClock) -> Iterator[SlackStandIn]:
    """Slack's message times (ts) on the test's clock, as they are on the real one in production."""
    with SlackStandIn(wall=lambda: clock.now().timestamp()) as server:
        yield server


@pytest.fixture
def decided(services: Services, member: MemberFactory, clock: FakeClock) -> Services:
    """Ana's first reminder, written to the outbox and not sent."""
    member("U0ANA", name="Ana")
    clock.advance(PAST_GRACE)
    assert services.nudges.sweep().written.messages == 1
    return services


def sender(services: Services, clock: FakeClock, messenger: Messenger, name: str) -> Sender:
    return Sender(services.database, clock, messenger, services.nudges.policy, name, pace=FAST)


def reminders_received(standin: SlackStandIn) -> int:
    return sum(1 for call in standin.calls("chat.postMessage") if call.ok)


def test_every_reminder_carries_its_outbox_id_in_slack_metadata(
    decided: Services, clock: FakeClock, messenger: Messenger, standin: SlackStandIn
) -> None:
    assert sender(decided, clock, messenger, "leader").deliver().sent == 1
    [message] = outbox(decided.database)
    [dm] = standin.messages("U0ANA")
    assert dm["metadata"] == {"event_type": METADATA, "event_payload": {"outbox_id": message.id}}


def test_a_sender_killed_after_slack_accepted_the_reminder_is_recorded_not_posted_again(
    decided: Services, clock: FakeClock, messenger: Messenger, standin: SlackStandIn
) -> None:
    with pytest.raises(Crash):
        sender(decided, clock, Killed(messenger, after_post=True), "killed").deliver()
    [claimed] = outbox(decided.database)
    assert claimed.state == "sending" and reminders_received(standin) == 1

    clock.advance(CLAIM_FOR + timedelta(seconds=1))
    report = sender(decided, clock, messenger, "next").deliver()

    assert (report.sent, report.found_sent) == (0, 1)
    assert reminders_received(standin) == 1
    [dm] = standin.messages("U0ANA")
    [message] = outbox(decided.database)
    assert (message.state, message.ts, message.channel_id) == ("sent", dm["ts"], dm["channel"])
    [looked] = standin.calls("conversations.history")
    assert looked.args["channel"] == standin.dm_channel("U0ANA")
    assert str(looked.args["include_all_metadata"]).lower() in ("1", "true")


def test_a_sender_killed_before_posting_is_replaced_within_the_short_claim(
    decided: Services, clock: FakeClock, messenger: Messenger, standin: SlackStandIn
) -> None:
    assert CLAIM_FOR <= timedelta(minutes=1) < FIVE_MINUTES
    with pytest.raises(Crash):
        sender(decided, clock, Killed(messenger, after_post=False), "killed").deliver()
    successor = sender(decided, clock, messenger, "next")
    clock.advance(CLAIM_FOR - timedelta(seconds=1))
    assert successor.deliver().sent == 0  # the claim may still be a live sender's

    clock.advance(timedelta(seconds=2))
    report = successor.deliver()

    assert (report.sent, report.found_sent) == (1, 0)  # looked in Slack, found nothing, posted
    assert len(standin.calls("conversations.history")) == 1
    assert reminders_received(standin) == 1
    assert [message.state for message in outbox(decided.database)] == ["sent"]


def test_a_live_senders_claim_is_renewed_and_never_taken_over(
    decided: Services, clock: FakeClock, messenger: Messenger, standin: SlackStandIn
) -> None:
    stalled = Stalled(messenger)
    slow = sender(decided, clock, stalled, "slow")
    slow.claims = ClaimKeeper(decided.database, clock, "slow", every=timedelta(milliseconds=20))
    reports = []
    worker = threading.Thread(target=carrying(lambda: reports.append(slow.deliver())))
    worker.start()
    other = sender(decided, clock, messenger, "other")
    try:
        assert stalled.posting.wait(10)
        waited = timedelta(0)
        while waited <= FIVE_MINUTES + CLAIM_FOR:  # past the old claim life, too
            clock.advance(CLAIM_FOR / 2)
            waited += CLAIM_FOR / 2
            standin.wait_for(lambda: _renewed(decided.database, clock))
            assert other.deliver().sent == 0
    finally:
        stalled.go_on.set()
        worker.join(timeout=10)

    assert reports[0].sent == 1
    assert reminders_received(standin) == 1
    assert [message.state for message in outbox(decided.database)] == ["sent"]


def _renewed(database: Database, clock: FakeClock) -> bool:
    """Whether the claim was renewed at the clock's current time."""
    [message] = outbox(database)
    return message.claimed_until == clock.now() + CLAIM_FOR


# -- PostgreSQL: the connection is cut just as the sent reminder is recorded ------------------


@pytest.fixture
def cut_once(database: Database) -> Iterator[threading.Event]:
    """Set it, and the next statement recording a reminder as sent loses its connection: the
    server terminates that backend, as `pg_terminate_backend` or a failover does."""
    armed = threading.Event()
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")

    def cut(connection: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if (
            armed.is_set()
            and statement.startswith("UPDATE nudge_outbox")
            and "sent_at" in statement
        ):
            armed.clear()
            pid = connection.connection.dbapi_connection.info.backend_pid
            with admin.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    event.listen(database.engine, "before_cursor_execute", cut)
    yield armed
    event.remove(database.engine, "before_cursor_execute", cut)
    admin.dispose()


class CutAfterPost:
    def __init__(self, messenger: Messenger, cut: threading.Event) -> None:
        self._messenger = messenger
        self._cut = cut

    def post(self, channel: str, message: dict[str, Any]) -> Posted:
        posted = self._messenger.post(channel, message)
        self._cut.set()
        return posted

    def update(self, channel: str, ts: str, message: dict[str, Any]) -> None:
        self._messenger.update(channel, ts, message)

    def find(self, channel: str, since: datetime, outbox_id: int) -> Posted | None:
        return self._messenger.find(channel, since, outbox_id)


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="cuts a PostgreSQL connection")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_recording_a_sent_reminder_is_retried_when_the_connection_drops(
    decided: Services,
    clock: FakeClock,
    messenger: Messenger,
    standin: SlackStandIn,
    cut_once: threading.Event,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="security_bot.nudges"):
        report = sender(decided, clock, CutAfterPost(messenger, cut_once), "leader").deliver()

    assert report.sent == 1
    [message] = outbox(decided.database)
    [dm] = standin.messages("U0ANA")
    assert (message.state, message.ts, message.claimed_by) == ("sent", dm["ts"], None)
    clock.advance(FIVE_MINUTES)
    assert sender(decided, clock, messenger, "next").deliver().sent == 0
    assert reminders_received(standin) == 1
    [failed] = [r.getMessage() for r in caplog.records if "recording it failed" in r.getMessage()]
    assert "OperationalError" in failed and "UPDATE" not in failed and "U0ANA" not in failed


def test_overlapping_deliveries_of_one_sender_keep_renewing_until_the_last_ends(
    decided: Services, clock: FakeClock, standin: SlackStandIn
) -> None:
    """The sweep's delivery and the scheduled one may run at once in the leader, sharing one
    sender: the first to end must not stop the renewals of the other's message in hand."""
    [message] = outbox(decided.database)
    keeper = ClaimKeeper(decided.database, clock, "leader", every=timedelta(milliseconds=20))
    with decided.database.sessions.begin() as session:
        claimed = outbox_store.claim(
            session, message.id, "leader", clock.now(), clock.now() + CLAIM_FOR
        )
    assert claimed is not None and claimed.earlier is None
    with keeper:
        with keeper:
            keeper.hold(message.id, clock.now() + CLAIM_FOR)
        clock.advance(CLAIM_FOR / 2)
        standin.wait_for(lambda: _renewed(decided.database, clock))
    assert keeper.left(message.id) == timedelta(0)  # all ended: nothing kept
