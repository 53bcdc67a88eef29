"""The HTTP front door: Slack's events URL, the one-time pages, health checks, and guards that run
before Bolt."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.services import Services
from handlers.secure_pages import PREFIX as SECURE_PREFIX
from handlers.secure_pages import SecurePages

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

MAX_BODY_BYTES = 256 * 1024
SLACK_PATH = "/slack/events"
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
    """The request body, or None when it is larger than any Slack request may be."""
    length = environ.get("CONTENT_LENGTH") or ""
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        return None
    body: bytes = environ["wsgi.input"].read(MAX_BODY_BYTES + 1)
    return None if len(body) > MAX_BODY_BYTES else body


def create_web_app(bolt_app: App, services: Services) -> WsgiApp:
    slack = SlackRequestHandler(bolt_app, path=SLACK_PATH)
    pages = SecurePages(services, bolt_app.client)
    database = services.database
    # Without a signing secret (Socket Mode) nothing could tell Slack's requests from forgeries.
    slack_events = bool(services.settings.slack_signing_secret)

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
        if path == "/healthz" and method == "GET":
            return _answer(start_response, "200 OK", "ok")
        if path == "/readyz" and method == "GET":
            if database.ping():
                return _answer(start_response, "200 OK", "ready")
            return _answer(start_response, "503 Service Unavailable", "database unavailable")
        return _answer(start_response, "404 Not Found", "not found")

    return web_app
