"""The nudges' Slack client: chat.postMessage and chat.update with slack_sdk's retry handlers, and
the weekly summary's file upload (files_upload_v2).

Each call waits out a 429's Retry-After and retries 5xx answers and connection errors with
exponential backoff and jitter, in the calling thread: the scheduler's worker, never a Bolt
listener. What is still failing after that is handed to the sender as DeliveryFailed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.jitter import RandomJitter
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.nudges.sender import METADATA, DeliveryFailed, Posted
from bot.stats.summary import SharedChart
from handlers.metrics import metrics

_API_METHOD = re.compile(r"^[a-z]+(\.[A-Za-z]+)+$")
HISTORY_PAGE, HISTORY_PAGES = 200, 5  # a DM since one claim: a handful of messages, bounded

# Errors that no retry will fix: the member left, the channel is gone, the message is refused.
PERMANENT = frozenset(
    {
        "account_inactive",
        "channel_not_found",
        "cannot_dm_bot",
        "invalid_blocks",
        "is_archived",
        "msg_too_long",
        "no_text",
        "not_in_channel",
        "user_disabled",
        "user_not_found",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "invalid_arguments",
        "missing_scope",  # e.g. files:write: the app needs reinstalling, not a retry
    }
)


class AnyServerErrorRetryHandler(ServerErrorRetryHandler):
    """slack_sdk's handler retries 500 and 503 only; a 502 or 504 from a proxy is as passing."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and 500 <= response.status_code < 600


class CountSlackCalls(RetryHandler):
    """Counts every answer by method and result, and retries nothing. slack_sdk asks each retry
    handler in order about every answer, a 200 as much as a 429 or a dropped connection, and Bolt
    copies the handlers into the client it makes per request: so, first in the list, this sees
    every attempt of every client."""

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        metrics().slack_calls.labels(_method(request.url), _result(response)).inc()
        return False


def _method(url: str) -> str:
    """`https://slack.com/api/chat.postMessage` → `chat.postMessage`; anything else `other`."""
    name = url.rsplit("/", 1)[-1].split("?", 1)[0]
    return name if _API_METHOD.match(name) else "other"


def _result(response: HttpResponse | None) -> str:
    if response is None:
        return "connection"
    if response.status_code == 429:
        return "429"
    if response.status_code >= 500:
        return "5xx"
    body = response.body if isinstance(response.body, dict) else {}
    return "ok" if response.status_code == 200 and body.get("ok") else "error"


def retry_handlers(
    *, rate_limited: int = 5, server: int = 3, connection: int = 3
) -> list[RetryHandler]:
    backoff = BackoffRetryIntervalCalculator(backoff_factor=0.5, jitter=RandomJitter())
    return [
        CountSlackCalls(),
        RateLimitErrorRetryHandler(max_retry_count=rate_limited),
        AnyServerErrorRetryHandler(max_retry_count=server, interval_calculator=backoff),
        ConnectionErrorRetryHandler(max_retry_count=connection, interval_calculator=backoff),
    ]


class SlackMessenger:
    """`client` is one WebClient, or what gives the client of the workspace being served
    (handlers/outbound/workspace_tokens.py)."""

    def __init__(self, client: WebClient | Callable[[], WebClient]) -> None:
        self._clients = client if not isinstance(client, WebClient) else lambda: client

    @property
    def _client(self) -> WebClient:
        try:
            return self._clients()
        except LookupError:  # the workspace has no token: uninstalled, or never installed
            raise DeliveryFailed("not_installed", permanent=True) from None

    def post(self, channel: str, message: dict[str, Any]) -> Posted:
        """`channel` may be a member's user id: Slack posts to the bot's DM with them."""
        try:
            answer = self._client.chat_postMessage(channel=channel, **message)
        except SlackApiError as error:
            raise _failure(error) from None
        except (URLError, OSError) as error:
            raise DeliveryFailed(f"connection: {type(error).__name__}", permanent=False) from None
        return Posted(channel=str(answer["channel"]), ts=str(answer["ts"]))

    def update(self, channel: str, ts: str, message: dict[str, Any]) -> None:
        try:
            self._client.chat_update(channel=channel, ts=ts, **message)
        except SlackApiError as error:
            raise _failure(error) from None
        except (URLError, OSError) as error:
            raise DeliveryFailed(f"connection: {type(error).__name__}", permanent=False) from None

    def find(self, channel: str, since: datetime, outbox_id: int) -> Posted | None:
        """conversations.history of the bot's DM (im:history), newest first, since `since`, with
        message metadata: the bot's message whose metadata carries `outbox_id`. Only read to
        learn whether a reminder arrived; nothing of it is stored or logged."""
        try:
            if channel[:1] in ("U", "W"):
                channel = self.open_dm(channel)
            pages = self._client.conversations_history(
                channel=channel,
                oldest=f"{since.timestamp():.6f}",
                include_all_metadata=True,
                limit=HISTORY_PAGE,
            )
            for page in itertools.islice(pages, HISTORY_PAGES):
                for message in page.get("messages") or []:
                    if message.get("bot_id") and _outbox_id(message) == outbox_id:
                        return Posted(channel=channel, ts=str(message["ts"]))
        except SlackApiError as error:
            raise _failure(error) from None
        except (URLError, OSError) as error:
            raise DeliveryFailed(f"connection: {type(error).__name__}", permanent=False) from None
        return None

    def open_dm(self, user: str) -> str:
        try:
            answer = self._client.conversations_open(users=user)
        except SlackApiError as error:
            raise _failure(error) from None
        except (URLError, OSError) as error:
            raise DeliveryFailed(f"connection: {type(error).__name__}", permanent=False) from None
        return str(answer["channel"]["id"])

    def upload(self, channel: str, chart: SharedChart) -> str:
        """files_upload_v2: an upload URL, the bytes posted to it, then the share with `comment`.
        Only the two API calls have the retry handlers; a failed upload step fails the whole."""
        try:
            answer = self._client.files_upload_v2(
                channel=channel,
                file=chart.content,
                filename=chart.filename,
                title=chart.title,
                initial_comment=chart.comment,
                alt_txt=chart.alt_text,
            )
        except SlackApiError as error:
            raise _failure(error) from None
        except (SlackRequestError, URLError, OSError) as error:
            raise DeliveryFailed(f"upload: {type(error).__name__}", permanent=False) from None
        return str(answer["file"]["id"])

    def share_file(
        self, channel: str, thread_ts: str | None, filename: str, content: bytes, title: str,
        comment: str,
    ) -> str:  # fmt: skip
        """files_upload_v2 of a file shared in `channel` (in the thread of `thread_ts`)."""
        try:
            answer = self._client.files_upload_v2(
                channel=channel, thread_ts=thread_ts, file=content, filename=filename,
                title=title, initial_comment=comment,
            )  # fmt: skip
        except SlackApiError as error:
            raise _failure(error) from None
        except (SlackRequestError, URLError, OSError) as error:
            raise DeliveryFailed(f"upload: {type(error).__name__}", permanent=False) from None
        return str(answer["file"]["id"])


def _outbox_id(message: dict[str, Any]) -> int | None:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != METADATA:
        return None
    found = (metadata.get("event_payload") or {}).get("outbox_id")
    return found if isinstance(found, int) else None


def _failure(error: SlackApiError) -> DeliveryFailed:
    response = error.response
    status = getattr(response, "status_code", 200)
    code = response.get("error") if isinstance(response.data, dict) else None
    if status == 429:
        return DeliveryFailed("ratelimited", permanent=False)
    if status >= 500:
        return DeliveryFailed(f"server_error_{status}", permanent=False)
    code = str(code or f"http_{status}")
    return DeliveryFailed(code, permanent=code in PERMANENT)
