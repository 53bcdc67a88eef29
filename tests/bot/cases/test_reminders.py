"""Keeping cases moving: an untaken case pings its channel every 30 minutes, a quiet case
reminds its handler every 24 hours and the security admins every 48; each reminder once per
interval, even when two app processes look at the same time."""

from __future__ import annotations

import threading
from datetime import timedelta

from bot.cases.reminders import Kind, Reminder
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.services import Services, build_services
from storage.database import connect
from tests.bot.cases.conftest import DANA, ESCALATION, World, reported
from tests.conftest import ADMIN, carrying


def kinds(found: list[Reminder]) -> list[tuple[Kind, str]]:
    return [(reminder.kind, reminder.channel) for reminder in found]


def test_an_untaken_case_pings_its_channel_once_per_half_hour(
    services: Services, world: World, clock: FakeClock
) -> None:
    number = reported(services, world).case.number
    services.cases.attach_card(number, ESCALATION, "1700000000.000100")
    reminders = services.cases.reminders

    clock.advance(timedelta(minutes=29))
    assert reminders.due() == []
    clock.advance(timedelta(minutes=2))
    [ping] = reminders.due()
    assert (ping.kind, ping.channel, ping.thread_ts) == (
        Kind.NOT_TAKEN,
        ESCALATION,
        "1700000000.000100",
    )
    assert "waited 31 min" in ping.message["text"]
    clock.advance(timedelta(minutes=10))
    assert reminders.due() == []  # the same interval
    clock.advance(timedelta(minutes=20))
    assert kinds(reminders.due()) == [(Kind.NOT_TAKEN, ESCALATION)]
    services.cases.take(DANA, number)
    clock.advance(timedelta(hours=1))
    assert reminders.due() == []


def test_a_quiet_case_reminds_its_handler_then_the_admins(
    services: Services, world: World, clock: FakeClock
) -> None:
    number = reported(services, world).case.number
    services.cases.take(DANA, number)
    reminders = services.cases.reminders

    clock.advance(timedelta(hours=24, minutes=1))
    assert kinds(reminders.due()) == [(Kind.HANDLER, DANA)]
    clock.advance(timedelta(hours=24))
    assert sorted(kinds(reminders.due())) == [(Kind.ADMINS, ADMIN), (Kind.HANDLER, DANA)]
    assert reminders.due() == []
    services.cases.investigate(DANA, number)  # an update: the clock starts again
    clock.advance(timedelta(hours=23))
    assert reminders.due() == []


def test_a_reminder_that_could_not_be_sent_is_tried_again(
    services: Services, world: World, clock: FakeClock
) -> None:
    number = reported(services, world).case.number
    services.cases.take(DANA, number)
    clock.advance(timedelta(hours=25))
    [reminder] = services.cases.reminders.due()
    services.cases.reminders.release(reminder)
    assert kinds(services.cases.reminders.due()) == [(Kind.HANDLER, DANA)]


def test_two_processes_send_each_reminder_once(
    services: Services,
    world: World,
    clock: FakeClock,
    settings: Settings,
    database_url: str,
) -> None:
    number = reported(services, world).case.number
    services.cases.attach_card(number, ESCALATION, "1700000000.000100")
    clock.advance(timedelta(hours=49))
    other_database = connect(database_url, pool_size=2)
    other = build_services(settings, clock, other_database)
    found: list[Reminder] = []
    start = threading.Barrier(2)

    def run(process: Services) -> None:
        start.wait()
        found.extend(process.cases.reminders.due())

    try:
        threads = [threading.Thread(target=carrying(run), args=(p,)) for p in (services, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        other_database.dispose()

    assert sorted(kinds(found)) == [(Kind.ADMINS, ADMIN), (Kind.NOT_TAKEN, ESCALATION)]
