"""What an operator sees of the real app (`app.py serve`, two worker processes): /metrics in
Prometheus text format, added up over the workers, behind METRICS_TOKEN when set; JSON log lines
with the request's correlation id (the member's reference), the Slack ids and the version; and no
secret, password, code, token or email address in any log line."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.core.secure_links import LinkPurpose
from bot.core.version import bot_version
from bot.platform.signature import sign
from bot.services import build_services
from sandbox import payloads
from sandbox.browser import Browser
from storage.database import Database
from storage.nudge_models import NudgeOutbox
from tests.conftest import AccountFactory, MemberFactory
from tests.e2e.conftest import AppStarter, RunningApp, request

pytestmark = pytest.mark.e2e

TOKEN = "metrics-e2e-token"
ALERTS_SECRET = "alerts-e2e-secret-for-canaries"


def samples(app: RunningApp, token: str | None = TOKEN) -> dict[tuple[str, tuple[Any, ...]], float]:
    """Every sample of /metrics by name and sorted labels, parsed by prometheus_client."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = request(app.url, "GET", "/metrics", headers=headers)
    assert answer.status == 200, answer.text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(found: dict[tuple[str, tuple[Any, ...]], float], name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def json_lines(app: RunningApp) -> list[dict[str, Any]]:
    return [json.loads(line) for line in app.stderr().splitlines() if line.startswith("{")]


@pytest.fixture
def metrics_dir(tmp_path: Path) -> Path:
    """The operator's PROMETHEUS_MULTIPROC_DIR, holding a file left by an earlier run."""
    path = tmp_path / "metrics"
    path.mkdir()
    (path / "counter_999999.db").write_bytes(b"left over from the last run")
    return path


@pytest.fixture
def operated_app(
    start_app: AppStarter, app_environment: dict[str, str], database: Database, metrics_dir: Path
) -> Iterator[RunningApp]:
    env = {
        **app_environment,
        "WEB_CONCURRENCY": "2",  # the figures are added up over both workers
        "LOG_FORMAT": "json",
        "METRICS_TOKEN": TOKEN,
        "ALERTS_SIGNING_SECRET": ALERTS_SECRET,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    app = start_app(env, database)
    yield app
    # The shared teardown looks for text-format errors; these lines are JSON.
    if not app.errors_asserted:
        assert not [line for line in json_lines(app) if line["level"] == "ERROR"], app.stderr()


def test_metrics_count_requests_slack_calls_and_429s_and_read_the_backlog(
    operated_app: RunningApp,
    member: MemberFactory,
    account: AccountFactory,
    database: Database,
) -> None:
    app, standin = operated_app, operated_app.standin
    ana = member("U0ANA", name="Ana")
    account("Acme Shoes Ads", members=[ana])
    with database.sessions.begin() as session:
        session.add(
            NudgeOutbox(
                recipient="U0ANA",
                kind="member",
                round_number=1,
                payload={},
                urgent=False,
                state="pending",
                created_at=datetime.now(UTC) - timedelta(hours=2),
            )
        )
    before = samples(app)

    for _ in range(4):  # enough that both workers likely answer some; the sum is what counts
        command = payloads.slash_command("U0ANA", "status", response_url=standin.response_url())
        assert app.send(command).status == 200
    forged = payloads.slash_command("U0ANA", "status", response_url=standin.response_url())
    assert app.send(forged, headers={"X-Slack-Signature": "v0=" + "0" * 64}).status == 401
    standin.fail_next("views.publish", status=429, retry_after=1)
    assert app.send(payloads.app_home_opened("U0ANA")).status == 200
    calls = "security_bot_slack_api_calls_total"
    published = ("views.publish", "ok")

    def published_once() -> dict[tuple[str, tuple[Any, ...]], float] | None:
        found = samples(app)  # the answer is counted just after the stand-in has sent it
        return found if value(found, calls, method=published[0], result=published[1]) else None

    after = standin.wait_for(published_once, timeout=10)
    requests = "security_bot_http_requests_total"
    assert (
        value(after, requests, route="/slack/events", status="200")
        - value(before, requests, route="/slack/events", status="200")
        == 5
    )
    assert value(after, requests, route="/slack/events", status="401") == 1
    ack = "security_bot_ack_seconds_count"
    assert value(after, ack, route="/slack/events") - value(before, ack, route="/slack/events") == 6
    assert value(after, calls, method="views.publish", result="429") == 1
    assert value(after, calls, method="views.publish", result="ok") == 1
    assert value(after, "security_bot_reminder_outbox_depth") == 1
    assert 2 * 3600 - 60 <= value(after, "security_bot_reminder_outbox_oldest_seconds") < 3 * 3600
    assert value(after, "security_bot_open_cases") == 0
    assert value(after, "security_bot_backlog_up") == 1
    assert ("security_bot_database_pool_in_use", ()) in after
    # One worker holds the jobs lease; whichever worker answers a scrape reports it (livemax
    # over the workers' files), so once it shows it stays shown.
    leader = "security_bot_scheduler_leader"
    standin.wait_for(lambda: value(samples(app), leader) == 1, timeout=30)
    assert [value(samples(app), leader) for _ in range(8)] == [1] * 8
    # A one-time page's token never becomes a label.
    assert all(
        "secure/" not in str(labels) or labels == (("route", "/secure"),) for _, labels in after
    )


def test_metrics_want_the_bearer_token_when_one_is_set(
    operated_app: RunningApp, metrics_dir: Path
) -> None:
    assert not (metrics_dir / "counter_999999.db").exists()  # emptied before the workers start
    assert request(operated_app.url, "GET", "/metrics").status == 401
    wrong = request(operated_app.url, "GET", "/metrics", headers={"Authorization": "Bearer no"})
    assert wrong.status == 401
    # Health probes are answered before the app (no request can hold them up) and are not
    # counted; a forged Slack request is.
    assert request(operated_app.url, "POST", "/slack/events", body=b"x").status == 401
    assert (
        'security_bot_http_requests_total{route="/slack/events",status="401"}'
        in request(
            operated_app.url, "GET", "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
        ).text
    )


def test_log_lines_are_json_with_the_reference_the_member_was_shown(
    operated_app: RunningApp, member: MemberFactory
) -> None:
    app, standin = operated_app, operated_app.standin
    member("U0ANA")
    app.errors_asserted = True  # one logged error is expected; checked below
    standin.fail_next("views.publish", error="internal_error")

    answer = app.send(payloads.app_home_opened("U0ANA", event_id="Ev0OPERATED1"))

    assert answer.status == 200
    told = standin.wait_for(lambda: standin.messages("U0ANA"))
    reference = told[0]["text"].split("`")[1]
    errors = standin.wait_for(
        lambda: [line for line in json_lines(app) if line.get("request_id") == reference]
    )
    assert errors[0]["level"] == "ERROR"
    assert errors[0]["team_id"] == payloads.TEAM_ID
    assert errors[0]["user_id"] == "U0ANA"
    assert errors[0]["event_id"] == "Ev0OPERATED1"
    assert errors[0]["version"] == bot_version()
    assert "SlackApiError" in errors[0]["exception"]
    # The answer carries the same id for whoever looks at the HTTP side.
    assert all(line["version"] == bot_version() for line in json_lines(app))


def test_no_secret_code_token_or_email_reaches_the_logs(
    operated_app: RunningApp,
    app_environment: dict[str, str],
    member: MemberFactory,
    account: AccountFactory,
    database: Database,
) -> None:
    app = operated_app
    email, other_email = "ana.canary.q7@example.com", "leak.canary.z9@example.org"
    password = "Canary-Password-8f2k!"
    ana = member("U0ANA", email=email)
    acme = account("Acme Shoes Ads", members=[ana], platform_account_id="7012345")
    assert acme.platform_account_id == "7012345"
    settings = Settings(
        database_url=app_environment["DATABASE_URL"],
        security_bot_keys=(app_environment["SECURITY_BOT_KEYS"],),
        public_base_url=app.url,
    )
    services = build_services(settings, SystemClock(), database)
    browser = Browser()

    # The password page: a password typed in, and the link's token.
    check = services.secure_links.issue("U0ANA", LinkPurpose.PASSWORD_CHECK)
    page = browser.get(check.url)
    fields = {name: password for name, filled in page.form.items() if not filled}
    assert fields, page
    checked = browser.submit(page, **fields)
    assert checked.status == 200 and "Acme Shoes Ads" in " ".join(checked.lines), checked
    # The authenticator page: its key, a wrong code and the right one.
    link = services.secure_links.issue("U0ANA", LinkPurpose.LINK_AUTHENTICATOR)
    page = browser.submit(browser.get(link.url))  # "Start", then the key
    key = page.by_id["manual-key"].replace(" ", "")
    totp = pyotp.TOTP(key)
    wrong = f"{(int(totp.now()) + 1) % 1_000_000:06d}"
    page = browser.submit(page, code=wrong)
    code = totp.now()
    linked = browser.submit(page, code=code)
    recovery_codes = linked.by_id["recovery-codes"].split()
    assert len(recovery_codes) == 10, linked
    # An alert naming the member by email, with another email in its detail; and a bad one.
    detected = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds")
    alert = {
        "id": "alert-canary-1",
        "kind": "compromised_password",
        "account_id": "7012345",
        "member_email": email,
        "detected_at": detected.replace("+00:00", "Z"),
        "detail": f"Found with {other_email} in a dump",
    }
    for body in (json.dumps(alert).encode(), b'{"member_email": "' + email.encode() + b'"'):
        request(
            app.url,
            "POST",
            "/api/v1/alerts",
            body=body,
            headers={
                "Content-Type": "application/json",
                **sign(ALERTS_SECRET, body, int(time.time())),
            },
        )
    app.standin.wait_for(lambda: app.standin.messages("U0ANA"))
    time.sleep(0.5)  # the follow-ups' last lines

    logged = app.stderr()
    canaries = {
        "member email": email,
        "email in an alert": other_email,
        "password": password,
        "authenticator key": key,
        "wrong code": wrong,
        "right code": code,
        **{f"recovery code {n}": c for n, c in enumerate(recovery_codes)},
        "password link token": check.url.rsplit("/", 1)[-1],
        "authenticator link token": link.url.rsplit("/", 1)[-1],
        "bot token": app_environment["SLACK_BOT_TOKEN"],
        "signing secret": app_environment["SLACK_SIGNING_SECRET"],
        "alerts secret": ALERTS_SECRET,
        "encryption key": app_environment["SECURITY_BOT_KEYS"],
        "metrics token": TOKEN,
    }
    found = {name for name, canary in canaries.items() if canary.lower() in logged.lower()}
    assert not found, logged
    assert json_lines(app), logged  # the search looked at real log lines
