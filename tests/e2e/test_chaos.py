"""The chaos test's short form (`make chaos` runs the full one): two `serve` processes on
PostgreSQL against the Slack stand-in, a couple hundred members, mixed traffic, a sweep by hand
killed with SIGKILL once it delivers, the leader killed with SIGKILL mid-delivery, database
backends terminated and Slack failing in bursts; nothing may be failed, lost or duplicated."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.chaos.scenario import Plan, run
from tests.conftest import BACKENDS, POSTGRES_SERVER

pytestmark = pytest.mark.e2e

# A killed sender's claim lasts 30 s: the outbox must be delivered within 90 s of the last kill.
SHORT = Plan(members=200, processes=2, kills=1, messages_per_minute=1200, settle_timeout=90)


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="the chaos test runs on PostgreSQL")
def test_a_leader_killed_mid_delivery_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    progress: list[str] = []

    figures = run(SHORT, POSTGRES_SERVER, tmp_path, say=progress.append)

    report = "\n".join([*progress, *figures.lines()])
    # The faults happened: otherwise 0/0/0 would prove nothing.
    assert len(figures.failovers) == 1 and figures.failovers[0] is not None, report
    assert figures.faults["backends terminated"] > 0, report
    assert figures.faults["429 bursts"] > 0 and figures.faults["5xx bursts"] > 0, report
    assert sum(figures.requests.values()) > 100, report
    assert figures.reminders is not None and figures.reminders.decided >= SHORT.members, report
    # And nothing was failed, lost or duplicated.
    assert figures.unfinished_step is None, report
    assert sum(figures.requests_failed.values()) == 0, report
    assert figures.reminders.lost == 0, report
    assert figures.reminders.duplicated == 0, report
