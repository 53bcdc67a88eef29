"""Metrics counted in the process: every Slack Web API answer by method and result, through
slack_sdk's own retry-handler hook (Bolt copies it into its per-request clients), and requests
by route and status through the front door, whose /metrics answers in Prometheus text format."""

from __future__ import annotations

import io
from collections.abc import Iterable

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from slack_sdk.errors import SlackApiError

from bot.core.config import Settings
from bot.services import Services, build_services
from handlers.web.observability import route_of
from sandbox.slack_standin import SlackStandIn
from storage.database import Database
from tests.conftest import MemberFactory
from wiring import build_client, create_app, create_web

CALLS = "security_bot_slack_api_calls_total"


def calls(method: str, result: str) -> float:
    return REGISTRY.get_sample_value(CALLS, {"method": method, "result": result}) or 0.0


def test_each_answer_of_slack_is_counted_by_method_and_result(
    settings: Settings, standin: SlackStandIn
) -> None:
    client = build_client(settings)
    before = {r: calls("users.info", r) for r in ("ok", "error", "429", "5xx")}
    standin.add_user("U0ANA", email="ana@example.com", real_name="Ana")
    standin.fail_next("users.info", status=429, retry_after=1)
    assert client.users_info(user="U0ANA")["ok"]  # the 429 waited out, then answered
    standin.fail_next("users.info", status=503)
    assert client.users_info(user="U0ANA")["ok"]
    with pytest.raises(SlackApiError):
        client.users_info(user="U0NOBODY")

    after = {r: calls("users.info", r) - before[r] for r in before}
    assert after == {"ok": 2, "error": 1, "429": 1, "5xx": 1}


def test_a_connection_that_fails_is_counted_too(settings: Settings) -> None:
    unreachable = Settings(slack_bot_token="xoxb-x", slack_api_url="http://127.0.0.1:9/api/")
    client = build_client(unreachable)
    before = calls("chat.postMessage", "connection")
    with pytest.raises(OSError):
        client.chat_postMessage(channel="U0ANA", text="hi")
    assert calls("chat.postMessage", "connection") - before == 3  # the first try and 2 retries


def test_routes_are_a_bounded_set_without_the_one_time_tokens() -> None:
    assert route_of("/slack/events") == "/slack/events"
    assert route_of("/secure/password/abcDEF123secret") == "/secure"
    assert route_of("/wp-admin/setup.php") == "other"


def wsgi(
    web: object, path: str, headers: dict[str, str] | None = None
) -> tuple[str, str, dict[str, str]]:
    seen: dict[str, object] = {}

    def start(status: str, response_headers: list[tuple[str, str]], *_: object) -> None:
        seen["status"], seen["headers"] = status, dict(response_headers)

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "wsgi.input": io.BytesIO(b""),
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()},
    }
    body: Iterable[bytes] = web(environ, start)  # type: ignore[operator]
    return str(seen["status"]), b"".join(body).decode(), dict(seen["headers"])  # type: ignore[call-overload]


@pytest.fixture
def guarded(settings: Settings, services: Services, database: Database) -> Services:
    guarded_settings = Settings(**{**settings.__dict__, "metrics_token": "s3cret-scrape"})
    return build_services(guarded_settings, services.clock, database)


def test_metrics_answer_in_text_format_behind_the_token(
    guarded: Services, member: MemberFactory
) -> None:
    web = create_web(
        guarded.settings, guarded, create_app(guarded.settings, guarded, verify_token=False)
    )
    status, _, headers = wsgi(web, "/healthz", {"X-Request-Id": "probe-0001-abcd"})
    assert status.startswith("200") and headers["X-Request-Id"] == "probe-0001-abcd"

    assert wsgi(web, "/metrics")[0].startswith("401")
    assert wsgi(web, "/metrics", {"Authorization": "Bearer wrong"})[0].startswith("401")
    status, text, _ = wsgi(web, "/metrics", {"Authorization": "Bearer s3cret-scrape"})

    assert status.startswith("200")
    families = {family.name: family for family in text_string_to_metric_families(text)}
    healthz = [
        s
        for s in families["security_bot_http_requests"].samples
        if s.labels.get("route") == "/healthz"
    ]
    assert healthz and healthz[0].value >= 1
    assert families["security_bot_backlog_up"].samples[0].value == 1
    assert families["security_bot_open_cases"].samples[0].value == 0
    assert families["security_bot_scheduler_leader"].samples[0].value == 0  # no jobs here
