"""The stand-in's conversations.history: a DM's messages newest first, after `oldest`, a page at
a time, with their message metadata only when asked for; ts is the Unix time of the message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.slack_standin import SlackStandIn

NOW = 1_790_000_000.0


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    wall = iter(float(NOW + n) for n in range(100))
    with SlackStandIn(wall=lambda: next(wall)) as server:
        server.add_user("U0ANA", email="ana@example.com", real_name="Ana")
        yield server


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    return WebClient(base_url=standin.base_url, token=standin.bot_token)


def post(client: WebClient, n: int) -> str:
    tag = {"event_type": "security_bot_nudge", "event_payload": {"outbox_id": n}}
    return str(client.chat_postMessage(channel="U0ANA", text=f"reminder {n}", metadata=tag)["ts"])


def test_history_pages_newest_first_after_oldest_with_metadata_when_asked(
    client: WebClient, standin: SlackStandIn
) -> None:
    stamps = [post(client, n) for n in range(5)]
    assert [float(ts) for ts in stamps] == [NOW + n for n in range(5)]
    dm = standin.dm_channel("U0ANA")

    first = client.conversations_history(
        channel=dm, oldest=stamps[1], limit=2, include_all_metadata=True
    )
    assert [m["text"] for m in first["messages"]] == ["reminder 4", "reminder 3"]
    assert first["messages"][0]["metadata"]["event_payload"] == {"outbox_id": 4}
    assert first["has_more"] is True
    cursor = first["response_metadata"]["next_cursor"]
    rest = client.conversations_history(channel=dm, oldest=stamps[1], limit=2, cursor=cursor)
    assert [m["text"] for m in rest["messages"]] == ["reminder 2"]  # oldest is exclusive
    assert "metadata" not in rest["messages"][0]
    assert rest["has_more"] is False


def test_history_wants_a_conversation_id(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.conversations_history(channel="U0ANA")
    assert refused.value.response["error"] == "channel_not_found"
