"""Leadership fails over in seconds between real `serve` processes on PostgreSQL (2 workers
each): after `kill -9` of the leader's server, and after SIGTERM, which stops its scheduler and
lets go of the lock before the process exits. The figures are `make bench`'s (bench/failover.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.failover import TARGETS, failover, fresh_schema
from sandbox.slack_standin import SlackStandIn
from tests.conftest import BACKENDS, POSTGRES_SERVER


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="PostgreSQL is not among TEST_DATABASES")
def test_another_serve_leads_within_seconds_of_kill_9_and_of_sigterm(
    standin: SlackStandIn, tmp_path: Path
) -> None:
    with fresh_schema(POSTGRES_SERVER) as url:
        figures = failover(url, standin, tmp_path)
    assert figures["kill_9"] < TARGETS["kill_9"], figures
    assert figures["sigterm"] < TARGETS["sigterm"], figures
    logs = (tmp_path / "serve-1.log").read_text()  # the leader stopped with SIGTERM
    # SIGTERM went through Jobs.stop(): the scheduler stopped and the lock was let go.
    assert "released the scheduled-jobs lock" in logs
    assert "Traceback" not in logs
