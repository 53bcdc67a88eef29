"""A database that hangs or drops its connections: the member is told, within Slack's 3 seconds,
that the bot cannot reach it (with a reference id); /readyz says not ready; /healthz holds; and
all comes back by itself when the database does."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sandbox import payloads
from sandbox.slack_standin import SlackStandIn
from sandbox.stall_proxy import StallProxy
from tests.conftest import MemberFactory
from tests.e2e.conftest import Answer, AppStarter, RunningApp, environment_for
from tests.e2e.test_home_and_buttons import RECOVERY_PHONE_BUTTON

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]

SLACK_DEADLINE = 3.0
UNREACHABLE = "cannot reach my database right now"


@pytest.fixture
def proxy(database_url: str) -> Iterator[StallProxy]:
    url = make_url(database_url)
    with StallProxy((url.host or "127.0.0.1", url.port or 5432)) as running:
        yield running


def status(app: RunningApp) -> Answer:
    return app.send(
        payloads.slash_command("U0ANA", "status", response_url=app.standin.response_url())
    )


def eventually(check: Callable[[], bool], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "did not recover"
        time.sleep(0.2)


def test_a_silent_database_is_reported_in_time_and_recovered_from(
    start_app: AppStarter,
    standin: SlackStandIn,
    database_url: str,
    proxy: StallProxy,
    member: MemberFactory,
) -> None:
    member("U0ANA")
    proxied = make_url(database_url).set(host="127.0.0.1", port=proxy.port)
    app = start_app(
        {**environment_for(standin, proxied.render_as_string(False)), "SCHEDULED_JOBS": "off"}, None
    )
    assert b"Your security checklist" in status(app).body
    assert app.get("/readyz").status == 200

    proxy.stall()
    # In turn: a pooled connection that no longer answers, the pause after it, a new
    # connection that is never answered.
    answers = [status(app) for _ in range(4)]
    readiness = app.get("/readyz")
    press = app.send(
        payloads.block_action(
            "U0ANA", RECOVERY_PHONE_BUTTON, response_url=app.standin.response_url()
        )
    )
    health = app.get("/healthz")
    for answer in answers:
        assert answer.status == 200
        assert answer.seconds < SLACK_DEADLINE, [a.seconds for a in answers]
        assert UNREACHABLE in answer.json()["text"]
        assert "Reference: `" in answer.json()["text"]
    assert readiness.status == 503 and readiness.seconds < SLACK_DEADLINE
    assert press.status == 200 and press.seconds < SLACK_DEADLINE
    app.standin.wait_for(
        lambda: any(UNREACHABLE in str(post) for post in app.standin.response_url_posts())
    )
    assert health.status == 200 and health.seconds < 0.5

    proxy.resume()
    eventually(lambda: b"Your security checklist" in status(app).body)
    eventually(lambda: app.get("/readyz").status == 200)
    assert app.logged_errors() == []  # an outage is a warning with its reference, not an error
    assert "database unavailable (OperationalError), reference" in app.stderr()


def test_terminated_connections_are_replaced_without_the_member_noticing(
    start_app: AppStarter, standin: SlackStandIn, database_url: str, member: MemberFactory
) -> None:
    member("U0ANA")
    name = f"bot-{uuid.uuid4().hex[:8]}"  # this app's connections only: the server is shared
    url = make_url(database_url).update_query_dict({"application_name": name})
    app = start_app(
        {**environment_for(standin, url.render_as_string(False)), "SCHEDULED_JOBS": "off"}, None
    )
    press = payloads.block_action(
        "U0ANA", RECOVERY_PHONE_BUTTON, response_url=app.standin.response_url()
    )
    assert b"Your security checklist" in status(app).body
    assert app.send(press).status == 200
    app.standin.wait_for(lambda: app.standin.calls("views.open"))

    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        terminated = connection.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :name"
            ),
            {"name": name},
        )
    admin.dispose()
    assert terminated and terminated >= 1

    answers = [status(app) for _ in range(3)]
    assert all(b"Your security checklist" in answer.body for answer in answers)
    assert max(answer.seconds for answer in answers) < SLACK_DEADLINE
    assert app.send(press).status == 200
    app.standin.wait_for(lambda: len(app.standin.calls("views.open")) == 2)
    assert app.get("/readyz").status == 200
