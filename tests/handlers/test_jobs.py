"""Exactly one process runs the scheduled jobs: the leader. When it dies, another takes over: on
PostgreSQL as soon as the server ends the dead leader's session, on SQLite once the lease expires
(the fake clock stands in for the minute that passes)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import inspect, text

from bot.core.clock import FakeClock
from bot.core.leadership import LEASE_FOR, RENEW_EVERY
from bot.nudges.settings import NudgePolicy
from bot.services import Services
from handlers.jobs import cases as case_jobs
from handlers.jobs.scheduler import (
    DELIVER,
    JOBS_LEASE,
    PURGE,
    SUMMARY,
    SUMMARY_EVERY,
    SWEEP,
    Jobs,
    run_job,
)
from handlers.outbound.slack_messenger import SlackMessenger
from sandbox.slack_standin import SlackStandIn
from storage.database import Database
from tests.conftest import ADMIN, MemberFactory

# Long intervals: the schedulers in these tests never fire on their own.
SLOW = dataclasses.replace(
    NudgePolicy(), sweep_every=timedelta(hours=6), deliver_every=timedelta(hours=1)
)


@pytest.fixture
def table(database: Database) -> Iterator[str]:
    name = f"jobs_{uuid.uuid4().hex[:8]}"
    yield name
    with database.engine.begin() as connection:
        connection.execute(text(f'DROP TABLE IF EXISTS "{name}"'))


@pytest.fixture
def processes(
    services: Services, messenger: SlackMessenger, table: str
) -> Iterator[tuple[Jobs, Jobs]]:
    slow = dataclasses.replace(
        services,
        nudges=type(services.nudges)(services.database, services.clock, SLOW, frozenset()),
    )
    name = f"test-{uuid.uuid4().hex[:8]}"
    first = Jobs(slow, messenger, name=name, holder="process-a", table=table)
    second = Jobs(slow, messenger, name=name, holder="process-b", table=table)
    yield first, second
    first.stop()
    second.stop()


@pytest.fixture
def messenger(services: Services) -> SlackMessenger:
    import wiring

    return wiring.build_messenger(services.settings)


def next_run(jobs: Jobs) -> datetime:
    scheduler = jobs._scheduler
    assert scheduler is not None
    found: datetime = scheduler.get_job(SWEEP).next_run_time
    return found


def test_only_the_lease_holder_runs_a_scheduler(
    processes: tuple[Jobs, Jobs], database: Database, table: str, clock: FakeClock
) -> None:
    first, second = processes
    first.tick()
    second.tick()
    assert (first.leading, second.leading) == (True, False)
    clock.advance(RENEW_EVERY)
    first.tick()  # renewed
    second.tick()
    assert (first.leading, second.leading) == (True, False)
    # The job store lives in the application database, with both jobs and their settings.
    assert table in inspect(database.engine).get_table_names()
    scheduler = first._scheduler
    assert scheduler is not None
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {SWEEP, DELIVER, case_jobs.JOB, PURGE}  # one scheduler for them all
    assert all(job.coalesce and job.max_instances == 1 for job in jobs.values())
    assert jobs[SWEEP].misfire_grace_time == int(SLOW.sweep_every.total_seconds())


def end_the_leaders_session(database: Database) -> None:
    """What the server does when the leader's process is killed: end its session, and with it
    the advisory lock that session held (waiting, up to 5 s, until the backend has exited: the
    lock is let go then, not when the signal is sent)."""
    with database.engine.connect() as connection:
        ended = connection.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_locks "
                "WHERE locktype = 'advisory' AND granted "
                "AND ((classid::bigint << 32) | objid::bigint) "
                "= hashtextextended(:name || ':' || current_schema(), 0)"
            ),
            {"name": JOBS_LEASE},
        )
    assert ended == 1


def test_another_process_takes_over_when_the_leader_dies(
    processes: tuple[Jobs, Jobs], clock: FakeClock, database: Database
) -> None:
    first, second = processes
    first.tick()
    second.tick()
    first_run = next_run(first)
    if database.engine.dialect.name == "postgresql":
        # The server lets go of a dead leader's lock at once: the next check takes over.
        end_the_leaders_session(database)
        second.tick()
        assert second.leading
        assert second.lease.renew_every <= timedelta(seconds=2)  # the longest a takeover takes
    else:
        # The holder stops renewing. Before the lease expires nobody takes over...
        clock.advance(LEASE_FOR - timedelta(seconds=1))
        second.tick()
        assert not second.leading
        # ...and at the next round after it expired, the other one does: within a minute.
        clock.advance(timedelta(seconds=2))
        second.tick()
        assert second.leading
        assert timedelta(minutes=1) >= LEASE_FOR + RENEW_EVERY  # the longest a takeover takes
    # The schedule survived in the database: the same next run, not a fresh one.
    assert next_run(second) == first_run
    # The old leader, if it was only cut off or paused, finds out and stops its scheduler.
    first.tick()
    assert (first.leading, second.leading) == (False, True)


def test_a_clean_shutdown_hands_over_at_once(processes: tuple[Jobs, Jobs]) -> None:
    first, second = processes
    first.tick()
    first.stop()
    second.tick()
    assert second.leading


def test_a_job_runs_in_the_leader_only_and_delivers_what_the_sweep_decided(
    processes: tuple[Jobs, Jobs],
    member: MemberFactory,
    clock: FakeClock,
    standin: SlackStandIn,
) -> None:
    first, second = processes
    member("U0ANA")
    clock.advance(timedelta(days=14))
    second.run(SWEEP)  # not the lease holder: does nothing
    assert standin.messages("U0ANA") == []
    first.tick()
    run_job(first.name, SWEEP)  # what the scheduler calls, by name
    assert len(standin.messages("U0ANA")) == 1
    run_job(first.name, DELIVER)
    assert len(standin.calls("chat.postMessage")) == 1


def test_the_weekly_summary_is_a_job_of_the_leader_when_it_can_upload(
    services: Services,
    messenger: SlackMessenger,
    table: str,
    member: MemberFactory,
    standin: SlackStandIn,
) -> None:
    member(ADMIN)  # settings' security admin; the fake clock says Tuesday 11:00 in Berlin
    name = f"test-{uuid.uuid4().hex[:8]}"
    leader = Jobs(services, messenger, uploader=messenger, name=name, holder="a", table=table)
    other = Jobs(services, messenger, uploader=messenger, name=name, holder="b", table=table)
    try:
        other.run(SUMMARY)  # not the lease holder: does nothing
        assert standin.uploaded_files() == []
        leader.tick()
        scheduler = leader._scheduler
        assert scheduler is not None
        assert scheduler.get_job(SUMMARY).misfire_grace_time == int(SUMMARY_EVERY.total_seconds())
        run_job(name, SUMMARY)
        run_job(name, SUMMARY)  # the same week: once
        [chart] = standin.uploaded_files()
        assert chart["channels"] == [standin.dm_channel(ADMIN)]
    finally:
        leader.stop()
        other.stop()
