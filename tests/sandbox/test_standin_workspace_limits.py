"""The stand-in's rate limits and bursts count per workspace (by the caller's token), as Slack's
do: one workspace at its limit, or in a 429 storm, leaves another's calls passing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.slack_standin import SlackStandIn
from tests.sandbox.test_slack_standin import SteppedClock, seconds, standin

__all__ = ["seconds", "standin"]  # fixtures shared with the original module
OTHER = "T0OTHER"


@pytest.fixture
def first(standin: SlackStandIn) -> WebClient:
    return WebClient(base_url=standin.base_url, token=standin.bot_token)


@pytest.fixture
def other(standin: SlackStandIn) -> WebClient:
    standin.add_workspace(OTHER, name="Other", bot_token="xoxb-other")
    return WebClient(base_url=standin.base_url, token="xoxb-other")


def status_of(call: Callable[[], object]) -> int:
    try:
        call()
    except SlackApiError as error:
        status: int = error.response.status_code
        return status
    return 200


def test_a_rate_limit_counts_each_workspace_on_its_own(
    standin: SlackStandIn, first: WebClient, other: WebClient, seconds: SteppedClock
) -> None:
    standin.set_rate_limit("chat.postMessage", per_minute=2)
    post_first = lambda: first.chat_postMessage(channel="C1", text="x")  # noqa: E731
    post_other = lambda: other.chat_postMessage(channel="C2", text="y")  # noqa: E731

    assert [status_of(post_first) for _ in range(3)] == [200, 200, 429]
    assert [status_of(post_other) for _ in range(3)] == [200, 200, 429]
    seconds.now += 60
    assert status_of(post_first) == status_of(post_other) == 200
    refused = [(c.team, c.ok) for c in standin.calls("chat.postMessage") if not c.ok]
    assert refused == [(standin.team_id, False), (OTHER, False)]


def test_a_burst_for_one_workspace_leaves_the_other_alone(
    standin: SlackStandIn, first: WebClient, other: WebClient
) -> None:
    standin.fail_burst(status=429, calls=2, retry_after=3, team_id=OTHER)

    assert status_of(lambda: first.chat_postMessage(channel="C1", text="x")) == 200
    assert status_of(lambda: other.chat_postMessage(channel="C2", text="y")) == 429
    assert status_of(lambda: first.auth_test()) == 200
    assert status_of(lambda: other.auth_test()) == 429
    assert status_of(lambda: other.auth_test()) == 200


def test_a_burst_for_any_workspace_fails_whichever_calls_next(
    standin: SlackStandIn, first: WebClient, other: WebClient
) -> None:
    standin.fail_burst(status=503, calls=1)

    assert status_of(lambda: other.auth_test()) == 503
    assert status_of(lambda: first.auth_test()) == 200


def test_a_burst_names_a_workspace_the_stand_in_knows(standin: SlackStandIn) -> None:
    with pytest.raises(KeyError):
        standin.fail_burst(status=429, calls=1, team_id="T0NOBODY")
