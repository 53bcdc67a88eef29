"""The stand-in's bursts: the next few Web API calls fail, whatever their method, as Slack's do
when it is overloaded (429 with Retry-After) or briefly down (5xx); the chaos test relies on it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.slack_standin import SlackStandIn


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    return WebClient(base_url=standin.base_url, token=standin.bot_token)


def status_of(call: Callable[[], object]) -> int:
    with pytest.raises(SlackApiError) as raised:
        call()
    status: int = raised.value.response.status_code
    return status


def test_a_429_burst_fails_the_next_calls_of_any_method_with_retry_after(
    standin: SlackStandIn, client: WebClient
) -> None:
    standin.add_user("U1", email="ada@example.com", real_name="Ada")
    standin.fail_burst(status=429, calls=2, retry_after=3)

    with pytest.raises(SlackApiError) as first:
        client.chat_postMessage(channel="C1", text="x")
    with pytest.raises(SlackApiError) as second:
        client.users_info(user="U1")

    assert first.value.response.status_code == 429
    assert first.value.response.headers["Retry-After"] == "3"
    assert second.value.response["error"] == "ratelimited"
    assert client.chat_postMessage(channel="C1", text="x")["ok"] is True
    assert [c.ok for c in standin.calls()][-3:] == [False, False, True]


def test_a_5xx_burst_answers_a_server_error_page_then_ends(
    standin: SlackStandIn, client: WebClient
) -> None:
    standin.fail_burst(status=503, calls=1)

    assert status_of(lambda: client.chat_postMessage(channel="C1", text="x")) == 503
    assert client.chat_postMessage(channel="C1", text="x")["ok"] is True


def test_bursts_queue_and_a_methods_own_failures_come_first(
    standin: SlackStandIn, client: WebClient
) -> None:
    standin.fail_next("chat.postMessage", error="channel_is_archived")
    standin.fail_burst(status=500, calls=1)
    standin.fail_burst(status=429, calls=1)

    with pytest.raises(SlackApiError) as own:
        client.chat_postMessage(channel="C1", text="x")
    assert own.value.response["error"] == "channel_is_archived"
    assert status_of(lambda: client.chat_postMessage(channel="C1", text="x")) == 500
    assert status_of(lambda: client.chat_postMessage(channel="C1", text="x")) == 429
    assert client.chat_postMessage(channel="C1", text="x")["ok"] is True


@pytest.mark.parametrize("status", [200, 404, 600])
def test_a_burst_is_a_429_or_a_5xx(standin: SlackStandIn, status: int) -> None:
    with pytest.raises(ValueError, match="429 or a 5xx"):
        standin.fail_burst(status=status, calls=1)
