"""Delivery against the Slack stand-in: Slack's ts recorded, 429s waited out, 5xx retried, and
a crash between the outbox write and the send (or mid-send) resent exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.checklist.model import Check, State
from bot.core.clock import FakeClock
from bot.nudges.sender import CLAIM_FOR, Posted, Sender
from bot.services import Services
from handlers.outbound.slack_messenger import SlackMessenger
from sandbox.slack_standin import SlackStandIn
from storage.nudge_models import SlackDmChannel
from tests.bot.nudges.conftest import FAST, Evidence, outbox
from tests.conftest import AccountFactory, MemberFactory

PAST_GRACE = timedelta(days=14)


class Crash(BaseException):
    """The process dies: nothing after this line runs, and nothing catches it."""


class CrashingMessenger:
    """Dies when asked to post, before Slack receives anything."""

    def post(self, channel: str, message: dict[str, Any]) -> Posted:
        raise Crash

    def update(self, channel: str, ts: str, message: dict[str, Any]) -> None:
        raise Crash

    def find(self, channel: str, since: datetime, outbox_id: int) -> Posted | None:
        raise Crash


@pytest.fixture
def decided(services: Services, member: MemberFactory, clock: FakeClock) -> Services:
    """Ana's first reminder, written to the outbox and not sent."""
    member("U0ANA", name="Ana")
    clock.advance(PAST_GRACE)
    assert services.nudges.sweep().written.messages == 1
    return services


def test_a_sent_reminder_records_slacks_ts_and_the_dm_channel(
    decided: Services, sender: Sender, standin: SlackStandIn
) -> None:
    assert sender.deliver().sent == 1
    [message] = outbox(decided.database)
    [dm] = standin.messages("U0ANA")
    assert (message.state, message.ts, message.channel_id) == ("sent", dm["ts"], dm["channel"])
    with decided.database.sessions() as session:
        cached = session.scalars(select(SlackDmChannel)).one()
    assert (cached.slack_user_id, cached.channel_id) == ("U0ANA", standin.dm_channel("U0ANA"))


def test_a_429_waits_for_retry_after_before_trying_again(
    decided: Services, sender: Sender, standin: SlackStandIn
) -> None:
    standin.fail_next("chat.postMessage", status=429, retry_after=1)
    assert sender.deliver().sent == 1
    refused, accepted = standin.calls("chat.postMessage")
    assert (refused.ok, accepted.ok) == (False, True)
    assert accepted.at - refused.at >= 1.0
    assert len(standin.messages("U0ANA")) == 1


def test_server_errors_are_retried_with_backoff(
    decided: Services, sender: Sender, standin: SlackStandIn
) -> None:
    standin.fail_next("chat.postMessage", status=503, times=2)
    assert sender.deliver().sent == 1
    calls = standin.calls("chat.postMessage")
    assert [call.ok for call in calls] == [False, False, True]
    assert calls[2].at - calls[1].at >= 1.0  # 0.5 s doubled, plus jitter
    assert len(standin.messages("U0ANA")) == 1


def test_a_crash_between_the_outbox_write_and_the_send_is_resent_once_after_restart(
    decided: Services, messenger: SlackMessenger, clock: FakeClock, standin: SlackStandIn
) -> None:
    # The sweep wrote the outbox and the process died before any sender ran: a fresh process.
    restarted = Sender(decided.database, clock, messenger, decided.nudges.policy, "p2", pace=FAST)
    assert restarted.deliver().sent == 1
    assert restarted.deliver().sent == 0
    assert len(standin.messages("U0ANA")) == 1


def test_a_crash_while_sending_is_resent_once_when_the_claim_expires(
    decided: Services, messenger: SlackMessenger, clock: FakeClock, standin: SlackStandIn
) -> None:
    policy = decided.nudges.policy
    dying = Sender(decided.database, clock, CrashingMessenger(), policy, "p1", pace=FAST)
    with pytest.raises(Crash):
        dying.deliver()
    [claimed] = outbox(decided.database)
    assert (claimed.state, claimed.claimed_by) == ("sending", "p1")

    replacement = Sender(decided.database, clock, messenger, policy, "p2", pace=FAST)
    assert replacement.deliver().sent == 0  # p1's claim still holds: maybe it is only slow
    clock.advance(CLAIM_FOR + timedelta(seconds=1))
    assert replacement.deliver().sent == 1
    assert replacement.deliver().sent == 0
    assert len(standin.messages("U0ANA")) == 1


def test_a_refusal_no_retry_can_fix_is_recorded_and_not_retried(
    decided: Services, sender: Sender, clock: FakeClock, standin: SlackStandIn
) -> None:
    standin.fail_next("chat.postMessage", error="account_inactive")
    report = sender.deliver()
    assert (report.sent, report.failed) == (0, 1)
    [message] = outbox(decided.database)
    assert (message.state, message.last_error) == ("failed", "account_inactive")
    clock.advance(timedelta(days=1))
    assert sender.deliver().sent == 0


def test_slack_still_failing_after_the_retries_puts_the_message_back_for_later(
    decided: Services, sender: Sender, clock: FakeClock, standin: SlackStandIn
) -> None:
    standin.fail_next("chat.postMessage", status=500, times=4)  # 1 try + 3 retries
    assert sender.deliver().retry_later == 1
    [message] = outbox(decided.database)
    assert (message.state, message.last_error) == ("pending", "server_error_500")
    assert sender.deliver().sent == 0  # not before its backoff
    clock.advance(timedelta(minutes=3))
    assert sender.deliver().sent == 1


def test_a_reminder_still_queued_at_the_end_of_the_day_waits_for_the_next_morning(
    decided: Services, sender: Sender, clock: FakeClock, standin: SlackStandIn
) -> None:
    clock.set(clock.now().replace(hour=19))  # 20:00 in Berlin: a long queue, an outage...
    report = sender.deliver()
    assert (report.sent, report.deferred) == (0, 1)
    clock.set(clock.now().replace(hour=7, minute=59) + timedelta(days=1))
    assert sender.deliver().sent == 0
    clock.advance(timedelta(minutes=1))  # 09:00 in Berlin
    assert sender.deliver().sent == 1
    [message] = outbox(decided.database)
    assert message.attempts == 1  # waiting was not an attempt


def test_urgent_reminders_jump_the_queue(
    decided: Services,
    sender: Sender,
    member: MemberFactory,
    account: AccountFactory,
    evidence: Evidence,
    standin: SlackStandIn,
) -> None:
    raj = member("U0RAJ")
    shop = account("Raj Pop-up", members=[raj])
    evidence(raj, Check.NO_COMPROMISED_PASSWORD, State.NEEDS_ACTION, account=shop)
    decided.nudges.sweep()
    first, second = sender.deliver(limit=1), sender.deliver()
    assert (first.sent, second.sent) == (1, 1)
    assert [call.args["channel"] for call in standin.calls("chat.postMessage")] == [
        "U0RAJ",
        "U0ANA",
    ]
