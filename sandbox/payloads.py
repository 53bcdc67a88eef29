"""Requests exactly as Slack sends them, signed with the app's signing secret.

The sandbox console and the tests act as Slack with these.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

TEAM_ID = "T0STANDIN"


def sign(signing_secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature headers: HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    base = b"v0:" + stamp.encode() + b":" + body
    digest = hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def slash_command(
    user_id: str,
    text: str,
    *,
    response_url: str,
    command: str = "/security",
    channel: str = "D0SANDBOX",
    team_id: str = TEAM_ID,
) -> tuple[bytes, str]:
    form = {
        "token": "legacy-unused",
        "team_id": team_id,
        "team_domain": "sandbox",
        "channel_id": channel,
        "channel_name": "directmessage",
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": "A0SANDBOX",
        "response_url": response_url,
        "trigger_id": _trigger_id(),
    }
    return urlencode(form).encode(), "application/x-www-form-urlencoded"


def block_action(
    user_id: str,
    action: dict[str, Any],
    *,
    response_url: str | None,
    container: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    team_id: str = TEAM_ID,
) -> tuple[bytes, str]:
    """A button press; from a message when `response_url` is given, from a view otherwise."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": team_id, "domain": "sandbox"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": team_id},
        "api_app_id": "A0SANDBOX",
        "trigger_id": _trigger_id(),
        "container": container or {"type": "message"},
        "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
    }
    if response_url is not None:
        payload["response_url"] = response_url
        payload["channel"] = {"id": "D0SANDBOX", "name": "directmessage"}
    if view is not None:
        payload["view"] = view
    return _interactive(payload)


def view_submission(
    user_id: str, view: dict[str, Any], values: dict[str, Any], *, team_id: str = TEAM_ID
) -> tuple[bytes, str]:
    submitted = {**view, "state": {"values": values}}
    payload = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": "sandbox"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": team_id},
        "api_app_id": "A0SANDBOX",
        "trigger_id": _trigger_id(),
        "view": submitted,
    }
    return _interactive(payload)


def event(
    event_body: dict[str, Any], *, event_id: str | None = None, team_id: str = TEAM_ID
) -> tuple[bytes, str]:
    envelope = {
        "token": "legacy-unused",
        "team_id": team_id,
        "api_app_id": "A0SANDBOX",
        "type": "event_callback",
        "event_id": event_id or "Ev" + secrets.token_hex(6).upper(),
        "event_time": int(time.time()),
        "event": event_body,
        "authorizations": [{"team_id": team_id, "user_id": "U0BOT", "is_bot": True}],
    }
    return json.dumps(envelope).encode(), "application/json"


def app_home_opened(
    user_id: str, *, event_id: str | None = None, team_id: str = TEAM_ID
) -> tuple[bytes, str]:
    return event(
        {"type": "app_home_opened", "user": user_id, "channel": "D0SANDBOX", "tab": "home"},
        event_id=event_id,
        team_id=team_id,
    )


def _interactive(payload: dict[str, Any]) -> tuple[bytes, str]:
    return urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"


def _trigger_id() -> str:
    return f"{int(time.time())}.{secrets.randbelow(10**10)}.{secrets.token_hex(8)}"


def deliver(
    url: str,
    signing_secret: str,
    request: tuple[bytes, str],
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, bytes]:
    """POST a signed request to the app, as Slack would; returns the status and the body."""
    body, content_type = request
    all_headers = {"Content-Type": content_type, **sign(signing_secret, body), **(headers or {})}
    http_request = urllib.request.Request(url, data=body, headers=all_headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(http_request, timeout=timeout) as answer:  # noqa: S310
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
