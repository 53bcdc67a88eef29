"""A sweep bigger than one batch writes each batch in a transaction of its own, as it goes: what
it writes is what one batch would have written, and a batch that fails fails the sweep while the
batches before it stand (the next sweep decides the rest)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from bot.core.clock import FakeClock
from bot.nudges.sweep import Sweep
from bot.services import Services
from storage.database import Database
from tests.bot.nudges.conftest import items, outbox
from tests.conftest import AccountFactory, MemberFactory

MEMBERS = 7
WEEK_AND_A_BIT = timedelta(days=14)  # past every check's grace period; still a Tuesday 10:00 UTC


def sweep(services: Services, clock: FakeClock, batch: int) -> Sweep:
    nudges = services.nudges
    return Sweep(services.database, clock, nudges.policy, frozenset(), batch=batch)


@pytest.fixture
def everyone_due(member: MemberFactory, account: AccountFactory, clock: FakeClock) -> list[str]:
    people = [member(f"U0B{n:02d}") for n in range(MEMBERS)]
    account("Acme Shoes Ads", members=people)
    clock.advance(WEEK_AND_A_BIT)
    return [str(person.slack_user_id) for person in people]


def test_a_sweep_of_many_batches_writes_what_one_batch_writes(
    services: Services, clock: FakeClock, everyone_due: list[str]
) -> None:
    report = sweep(services, clock, batch=2).run()

    assert report.written.messages == MEMBERS and report.written.skipped == 0
    written = outbox(services.database)
    assert sorted(message.recipient for message in written) == sorted(everyone_due)
    opened = items(services.database)
    assert {item.last_outbox_id for item in opened} == {message.id for message in written}
    assert len(opened) == sum(len(message.payload["items"]) for message in written)
    # Decided and written once: the next sweep, the same moment, has nothing to add.
    again = sweep(services, clock, batch=2).run()
    assert again.written.messages == 0 and again.reminders == 0


@pytest.fixture
def third_batch_fails(database: Database) -> Iterator[None]:
    """The third batch's messages do not reach the database: its INSERT raises, as a full disk or
    a lost server would make it."""
    seen = []

    def fail(connection: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if statement.startswith("INSERT INTO nudge_outbox"):
            seen.append(statement)
            if len(seen) == 3:
                raise OSError("disk full")

    event.listen(database.engine, "before_cursor_execute", fail)
    yield
    event.remove(database.engine, "before_cursor_execute", fail)


def test_a_batch_that_fails_fails_the_sweep_and_the_batches_before_it_stand(
    services: Services, clock: FakeClock, everyone_due: list[str], third_batch_fails: None
) -> None:
    with pytest.raises(OSError, match="disk full"):
        sweep(services, clock, batch=2).run()

    written = outbox(services.database)
    assert len(written) == 4  # two whole batches, each with its items
    assert {item.last_outbox_id for item in items(services.database)} == {m.id for m in written}
    # The next sweep writes the rest, once.
    after = sweep(services, clock, batch=2).run()
    assert after.written.messages == MEMBERS - 4
    assert sorted(m.recipient for m in outbox(services.database)) == sorted(everyone_due)
