"""The HTTP front door: Slack's events URL, the one-time pages, health checks, and guards that run
before Bolt."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.core.logs import CarryingPool
from bot.services import Services
from handlers.web import alerts_api, posture_api
from handlers.web.alerts_api import AlertsApi
from handlers.web.platform_api import ApiAnswer
from handlers.web.posture_api import PostureApi
from handlers.web.secure_pages import PREFIX as SECURE_PREFIX
from handlers.web.secure_pages import SecurePages

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

MAX_BODY_BYTES = 256 * 1024
DRAIN_BYTES = 4 * 1024 * 1024
SLACK_PATH = "/slack/events"
OAUTH_PATHS = ("/slack/install", "/slack/oauth_redirect")  # handlers/slack/installs.py
WsgiApp = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes]]


def _answer(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(
        status,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ],
    )
    return [body]


def _read_body(environ: WSGIEnvironment) -> bytes | None:
    """The request body, or None when it is larger than any Slack request may be.

    A moderately oversized body is read and dropped first, so the client, still sending, gets
    the 413 rather than a reset connection; a huge (or lying) length is refused at once.
    """
    length = environ.get("CONTENT_LENGTH") or ""
    stream = environ["wsgi.input"]
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        if int(length) <= DRAIN_BYTES:
            while stream.read(64 * 1024):
                pass
        return None
    body: bytes = stream.read(MAX_BODY_BYTES + 1)
    return None if len(body) > MAX_BODY_BYTES else body


def _answer_json(start_response: StartResponse, answer: ApiAnswer) -> list[bytes]:
    body = json.dumps(answer.payload).encode()
    start_response(
        f"{answer.status.value} {answer.status.phrase}",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ],
    )
    return [body]


def _headers(environ: WSGIEnvironment) -> dict[str, str]:
    """The request's HTTP headers by their usual names (X-Alert-Timestamp, ...)."""
    return {
        key[5:].replace("_", "-").title(): value
        for key, value in environ.items()
        if key.startswith("HTTP_") and isinstance(value, str)
    }


def create_web_app(
    bolt_app: App,
    services: Services,
    *,
    run_later: Callable[[Callable[[], None]], object] | None = None,
    client: WebClient | None = None,
) -> WsgiApp:
    """`run_later` runs follow-ups after an API answer (default: a small thread pool); `client`
    sends what the APIs and pages send to Slack (default: the Bolt app's, SLACK_BOT_TOKEN's)."""
    slack = SlackRequestHandler(bolt_app, path=SLACK_PATH)
    if run_later is None:
        run_later = CarryingPool(max_workers=4, thread_name_prefix="api-follow-up").submit
    client = client or bolt_app.client
    alerts = AlertsApi(services, client, run_later)
    posture = PostureApi(services, client, run_later)
    pages = SecurePages(services, client)
    database = services.database
    # Without a signing secret (Socket Mode) nothing could tell Slack's requests from forgeries.
    slack_events = bool(services.settings.slack_signing_secret)
    # The install pages exist in OAuth mode only; Bolt's flow answers them.
    installing = bolt_app.oauth_flow is not None

    def web_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path.startswith(SECURE_PREFIX):
            return pages(environ, start_response)
        if path == SLACK_PATH and method == "POST" and slack_events:
            body = _read_body(environ)
            if body is None:
                return _answer(start_response, "413 Payload Too Large", "request body too large")
            if not environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "").isdigit():
                return _answer(start_response, "401 Unauthorized", "invalid request")
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            return slack(environ, start_response)
        if path in OAUTH_PATHS and installing:
            if method != "GET":
                start_response(
                    "405 Method Not Allowed", [("Allow", "GET"), ("Content-Length", "0")]
                )
                return [b""]
            return slack(environ, start_response)
        if path in (alerts_api.PATH, posture_api.PATH):
            if method != "POST":
                start_response(
                    "405 Method Not Allowed", [("Allow", "POST"), ("Content-Length", "0")]
                )
                return [b""]
            api = alerts if path == alerts_api.PATH else posture
            answer = api.answer(_headers(environ), _read_body(environ))
            return _answer_json(start_response, answer)
        if path == "/healthz" and method == "GET":
            return _answer(start_response, "200 OK", "ok")
        if path == "/readyz" and method == "GET":
            if database.ping():
                return _answer(start_response, "200 OK", "ready")
            return _answer(start_response, "503 Service Unavailable", "database unavailable")
        return _answer(start_response, "404 Not Found", "not found")

    return web_app
