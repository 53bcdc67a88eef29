"""A sender deciding at another time (`nudge run-once --at`, days ahead) stamps its claims and
retry delays on the real clock: killed mid-way, it leaves nothing the leader, on the real clock,
would wait days for, and the leader finishes its work with no reminder lost or sent twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import app
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.nudges.sender import CLAIM_FOR, DeliveryFailed, Messenger, Posted, Sender
from bot.services import Services, build_services
from sandbox.slack_standin import SlackStandIn
from storage.database import Database
from tests.bot.nudges.conftest import FAST, outbox
from tests.conftest import MemberFactory

DAYS_AHEAD = timedelta(days=17)  # past the new members' 14 days' grace, on a weekday morning


class Crash(BaseException):
    """The process is killed: nothing after this line runs, and nothing catches it."""


class KilledAfter:
    """Slack through `messenger` for `posts` messages, then the process is killed mid-send."""

    def __init__(self, messenger: Messenger, posts: int) -> None:
        self._messenger = messenger
        self._left = posts

    def post(self, channel: str, message: dict[str, Any]) -> Posted:
        if self._left == 0:
            raise Crash
        self._left -= 1
        return self._messenger.post(channel, message)

    def update(self, channel: str, ts: str, message: dict[str, Any]) -> None:
        raise Crash

    def find(self, channel: str, since: datetime, outbox_id: int) -> Posted | None:
        return self._messenger.find(channel, since, outbox_id)


class SlackDown:
    def post(self, channel: str, message: dict[str, Any]) -> Posted:
        raise DeliveryFailed("internal_error", permanent=False)

    def update(self, channel: str, ts: str, message: dict[str, Any]) -> None:
        raise DeliveryFailed("internal_error", permanent=False)

    def find(self, channel: str, since: datetime, outbox_id: int) -> Posted | None:
        raise DeliveryFailed("internal_error", permanent=False)


@pytest.fixture
def ahead(settings: Settings, clock: FakeClock, database: Database) -> Services:
    """The services of a `run-once --at` days ahead of the real clock (`clock`)."""
    return build_services(settings, FakeClock(clock.now() + DAYS_AHEAD), database)


def test_a_run_ahead_killed_mid_way_leaves_nothing_stuck_for_the_leader(
    ahead: Services,
    services: Services,
    member: MemberFactory,
    clock: FakeClock,
    messenger: Messenger,
    standin: SlackStandIn,
) -> None:
    for user in ("U0ANA", "U0RAJ", "U0LIN"):
        member(user)
    assert ahead.nudges.sweep().written.messages == 3
    policy = ahead.nudges.policy
    killed = KilledAfter(messenger, 1)
    run_once = Sender(
        ahead.database, ahead.clock, killed, policy, "run-once", pace=FAST, real=clock
    )
    with pytest.raises(Crash):
        run_once.deliver()
    claimed = [row for row in outbox(ahead.database) if row.state == "sending"]
    assert len(claimed) == 1
    # Claimed for five minutes of real time, not five minutes after the --at time.
    assert claimed[0].claimed_until == clock.now() + CLAIM_FOR

    leader = Sender(services.database, clock, messenger, policy, "leader", pace=FAST)
    assert leader.deliver().sent == 1  # the one never claimed; the claimed one may be in flight
    clock.advance(CLAIM_FOR + timedelta(seconds=1))
    assert leader.deliver().sent == 1  # the killed run's claim expired on the real clock
    assert leader.deliver().sent == 0
    assert sorted(len(standin.messages(user)) for user in ("U0ANA", "U0RAJ", "U0LIN")) == [1, 1, 1]
    assert {row.state for row in outbox(services.database)} == {"sent"}


def test_retry_delays_of_a_run_ahead_run_on_the_real_clock(
    ahead: Services,
    services: Services,
    member: MemberFactory,
    clock: FakeClock,
    messenger: Messenger,
) -> None:
    member("U0ANA")
    ahead.nudges.sweep()
    policy = ahead.nudges.policy
    down = Sender(
        ahead.database, ahead.clock, SlackDown(), policy, "run-once", pace=FAST, real=clock
    )
    assert down.deliver().retry_later == 1
    [waiting] = outbox(ahead.database)
    assert waiting.state == "pending" and waiting.claimed_until is None
    assert waiting.not_before == clock.now() + timedelta(minutes=2)  # 2 ** attempts, real time
    clock.advance(timedelta(minutes=2))
    leader = Sender(services.database, clock, messenger, policy, "leader", pace=FAST)
    assert leader.deliver().sent == 1


def test_run_once_at_a_later_time_stamps_its_delays_in_real_time(
    settings: Settings,
    member: MemberFactory,
    standin: SlackStandIn,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SECURITY_BOT_KEYS", ",".join(settings.security_bot_keys))
    monkeypatch.setenv("SLACK_BOT_TOKEN", standin.bot_token)
    monkeypatch.setenv("SLACK_API_URL", standin.base_url)
    monkeypatch.delenv("NUDGE_POLICY_FILE", raising=False)
    member("U0ANA")
    real_now = datetime.now(UTC)
    at = (real_now + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    at += timedelta(days=(7 - at.weekday()) % 7 if at.weekday() >= 5 else 0)  # a weekday
    at = max(at, datetime(2026, 12, 9, 10, 0, tzinfo=UTC))  # past the members' grace
    standin.fail_next("chat.postMessage", status=503, times=4)  # more than the client retries
    assert app.main(["nudge", "run-once", "--at", at.isoformat()]) == 0
    assert "to retry 1" in capsys.readouterr().out
    [waiting] = outbox(database)
    assert waiting.state == "pending" and waiting.not_before is not None
    assert waiting.not_before < datetime.now(UTC) + timedelta(minutes=10) < at
