"""Slow clients cannot take the bot offline: bodies are read under a deadline, in the event loop,
so the threads that answer Slack, the health checks and the pages are never theirs."""

from __future__ import annotations

import time

import pytest

from sandbox import payloads
from sandbox.slow_clients import SlowClients
from tests.conftest import MemberFactory
from tests.e2e.conftest import AppStarter, request

pytestmark = pytest.mark.e2e

EVERY_ROUTE = (
    "/slack/events",
    "/api/v1/alerts",
    "/api/v1/posture",
    "/secure/link/not-a-real-token",
    "/healthz",
    "/readyz",
)
SLACK_DEADLINE = 3.0
BODY_DEADLINE = 2.0


def test_forty_slow_body_clients_leave_health_and_signed_commands_answered(
    start_app: AppStarter, app_environment: dict[str, str], member: MemberFactory
) -> None:
    member("U0ANA")
    # One worker with one request thread: the setting, where four slow clients sufficed.
    app = start_app(
        {**app_environment, "WEB_THREADS": "1", "REQUEST_BODY_DEADLINE": str(BODY_DEADLINE)},
        None,
    )
    host, port = app.url.removeprefix("http://").split(":")
    command = payloads.slash_command("U0ANA", "status", response_url=app.standin.response_url())

    with SlowClients(host, int(port), EVERY_ROUTE, count=40) as slow:
        time.sleep(0.5)  # all forty connected and sending
        health, commands = [], []
        finish = time.monotonic() + 3 * BODY_DEADLINE  # through several rounds of refusals
        while time.monotonic() < finish:
            health.append(request(app.url, "GET", "/healthz", timeout=SLACK_DEADLINE))
            commands.append(app.send(command))
            time.sleep(0.2)
        answers, opened = dict(slow.answers), slow.opened

    assert all(answer.status == 200 for answer in health)
    assert max(answer.seconds for answer in health) < SLACK_DEADLINE
    assert all(b"Your security checklist" in answer.body for answer in commands)
    assert max(answer.seconds for answer in commands) < SLACK_DEADLINE
    # The slow clients were refused at the deadline (408), never served, and replaced: forty
    # stayed connected throughout.
    assert set(answers) == {"408"}, answers
    assert answers["408"] >= 40
    assert opened >= 80


def test_a_body_sent_in_time_is_served_and_a_late_one_refused(
    start_app: AppStarter, app_environment: dict[str, str]
) -> None:
    app = start_app({**app_environment, "REQUEST_BODY_DEADLINE": "1"}, None)
    host, port = app.url.removeprefix("http://").split(":")

    with SlowClients(host, int(port), ["/slack/events"], count=1) as slow:
        started = time.monotonic()
        while not slow.answers and time.monotonic() - started < 10:
            time.sleep(0.05)
        refused_after = time.monotonic() - started

    assert slow.answers == {"408": 1}
    assert 0.9 < refused_after < 3.0
    assert app.send(payloads.slash_command("U0ANA", "help", response_url="http://x/")).status == 200
