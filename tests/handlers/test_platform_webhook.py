"""The platform webhook: suspend and restore requests POSTed as JSON to a loopback receiver,
signed like the alerts API; a refusal or an unreachable platform changes nothing."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bot.cases.model import PlatformUnavailable
from bot.cases.platform import PlatformAction, PlatformRequest
from bot.core.clock import FakeClock
from bot.core.config import load_settings
from bot.core.errors import ConfigError
from bot.platform import signature as platform_signature
from handlers.outbound.platform_webhook import WebhookHook

SECRET = "webhook-secret"
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
REQUEST = PlatformRequest(
    id="case-7-suspend-1",
    action=PlatformAction.SUSPEND,
    platform="tiktok_business",
    account_id="7012345",
    case_number=7,
    requested_by="U0DANA",
    requested_at=NOW,
    reason="compromise case #7",
)


class Receiver(ThreadingHTTPServer):
    """Keeps every request it gets; answers with the statuses it is given, in turn."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/platform/accounts"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.received.append((dict(self.headers.items()), body))
        status = self.server.statuses.pop(0) if self.server.statuses else 202
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_request_is_signed_json_the_platform_can_verify(receiver: Receiver) -> None:
    WebhookHook(receiver.url, SECRET, FakeClock(NOW)).send(REQUEST)

    [(headers, body)] = receiver.received
    assert platform_signature.verify(SECRET, headers, body, NOW)
    assert not platform_signature.verify("another-secret", headers, body, NOW)
    assert not platform_signature.verify(SECRET, headers, body + b" ", NOW)
    assert headers["Content-Type"] == "application/json"
    assert headers["Idempotency-Key"] == "case-7-suspend-1"
    assert json.loads(body) == {
        "id": "case-7-suspend-1",
        "action": "suspend",
        "platform": "tiktok_business",
        "account_id": "7012345",
        "case_number": 7,
        "requested_by": "U0DANA",
        "requested_at": "2026-11-24T10:00:00Z",
        "reason": "compromise case #7",
    }


def test_a_server_error_is_tried_once_more_with_the_same_id(receiver: Receiver) -> None:
    receiver.statuses = [503, 200]
    WebhookHook(receiver.url, SECRET, FakeClock(NOW)).send(REQUEST)
    assert [h["Idempotency-Key"] for h, _ in receiver.received] == ["case-7-suspend-1"] * 2


def test_a_refusal_raises_and_is_not_retried(receiver: Receiver) -> None:
    receiver.statuses = [403]
    with pytest.raises(PlatformUnavailable, match="nothing changed"):
        WebhookHook(receiver.url, SECRET, FakeClock(NOW)).send(REQUEST)
    assert len(receiver.received) == 1


def test_an_unreachable_platform_raises() -> None:
    hook = WebhookHook("http://127.0.0.1:9/nothing", SECRET, FakeClock(NOW), timeout=0.5)
    with pytest.raises(PlatformUnavailable):
        hook.send(REQUEST)


def test_the_webhook_needs_the_signing_secret() -> None:
    with pytest.raises(ConfigError, match="ALERTS_SIGNING_SECRET"):
        load_settings({"PLATFORM_WEBHOOK_URL": "https://platform.example/hook"}, mode="tool")
