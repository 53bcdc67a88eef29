"""The Slack stand-in's failures (rate limits, server errors, injected errors), met by slack_sdk's own
retry handlers exactly as the bot meets them."""

from __future__ import annotations

import time

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from sandbox.slack_standin import SlackStandIn
from tests.sandbox.test_slack_standin import SteppedClock, api_error, client, seconds, standin

__all__ = ["client", "seconds", "standin"]  # fixtures shared with the original module

# -- failures -----------------------------------------------------------------------------------


def test_a_429_is_waited_out_by_the_rate_limit_retry_handler(standin: SlackStandIn) -> None:
    patient = WebClient(
        base_url=standin.base_url,
        token=standin.bot_token,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    standin.fail_next("chat.postMessage", status=429, retry_after=1)

    started = time.monotonic()
    reply = patient.chat_postMessage(channel="C1", text="eventually")

    assert reply["ok"] is True
    assert time.monotonic() - started >= 1.0
    assert [c.ok for c in standin.calls("chat.postMessage")] == [False, True]


def test_a_500_is_retried_by_the_server_error_retry_handler(standin: SlackStandIn) -> None:
    retrying = WebClient(
        base_url=standin.base_url,
        token=standin.bot_token,
        retry_handlers=[
            ServerErrorRetryHandler(
                max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.01)
            )
        ],
    )
    standin.fail_next("users.info", status=500)

    assert retrying.users_info(user="U1")["user"]["id"] == "U1"
    assert [c.ok for c in standin.calls("users.info")] == [False, True]


def test_a_500_without_a_retry_handler_surfaces(standin: SlackStandIn, client: WebClient) -> None:
    standin.fail_next("users.info", status=503)

    assert api_error(lambda: client.users_info(user="U1")).response.status_code == 503


def test_an_injected_error_surfaces_once(standin: SlackStandIn, client: WebClient) -> None:
    standin.fail_next("chat.postMessage", error="channel_is_archived")

    error = api_error(lambda: client.chat_postMessage(channel="C1", text="x"))

    assert error.response["error"] == "channel_is_archived"
    assert client.chat_postMessage(channel="C1", text="x")["ok"] is True


def test_a_rate_limit_answers_429_until_a_slot_frees(
    standin: SlackStandIn, client: WebClient, seconds: SteppedClock
) -> None:
    standin.set_rate_limit("users.info", per_minute=2)
    client.users_info(user="U1")
    seconds.now += 20
    client.users_info(user="U1")

    limited = api_error(lambda: client.users_info(user="U1"))

    assert limited.response.status_code == 429
    assert limited.response["error"] == "ratelimited"
    assert limited.response.headers["Retry-After"] == "40"
    seconds.now += 40
    assert client.users_info(user="U1")["ok"] is True
