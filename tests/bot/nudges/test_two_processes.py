"""Two app processes sweeping and delivering the same database at the same moment: each nudge is
decided once and sent once. Each "process" is a thread with its own engine and connection pool,
its own services and its own sender, started together by a barrier."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.nudges.sender import Sender
from bot.nudges.sweep import SweepReport
from bot.services import build_services
from handlers.outbound.slack_messenger import SlackMessenger
from sandbox.slack_standin import SlackStandIn
from storage.database import Database, connect
from tests.bot.nudges.conftest import FAST, outbox
from tests.conftest import AccountFactory, MemberFactory, carrying

MEMBERS = 40


def test_two_processes_sweeping_at_once_send_each_nudge_exactly_once(
    settings: Settings,
    database_url: str,
    database: Database,
    messenger: SlackMessenger,
    member: MemberFactory,
    account: AccountFactory,
    clock: FakeClock,
    standin: SlackStandIn,
) -> None:
    people = [member(f"U0P{n:03d}") for n in range(MEMBERS)]
    for first in range(0, MEMBERS, 2):
        account(f"Shop {first}", members=people[first : first + 2])
    clock.advance(timedelta(days=14))
    reports: list[SweepReport] = []
    failures: list[BaseException] = []

    def process(start: threading.Barrier) -> None:
        own = connect(database_url, pool_size=2)  # a process of its own: its own engine
        try:
            services = build_services(settings, clock, own)
            name = threading.current_thread().name
            sender = Sender(own, clock, messenger, services.nudges.policy, name, pace=FAST)
            start.wait()
            reports.append(services.nudges.sweep())
            sender.deliver()
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)
        finally:
            own.dispose()

    # Tuesday (day 0), Thursday (day 2), Monday (day 5 was a Sunday): three reminders each.
    waits = [timedelta(days=2), timedelta(days=4), timedelta(0)]
    rounds = len(waits)
    for wait in waits:
        start = threading.Barrier(2)
        threads = [
            threading.Thread(target=carrying(process), args=(start,), name=f"process-{n}")
            for n in (1, 2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert failures == []
        clock.advance(wait)

    received = Counter(message["channel"] for message in standin.messages())
    assert len(received) == MEMBERS
    assert set(received.values()) == {rounds}
    assert len(standin.calls("chat.postMessage")) == MEMBERS * rounds
    written = outbox(database)
    assert len(written) == MEMBERS * rounds
    assert {message.state for message in written} == {"sent"}
    assert sum(report.written.messages for report in reports) == MEMBERS * rounds
