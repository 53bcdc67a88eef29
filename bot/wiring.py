"""Composition root: the one place that builds the client, the services and the Bolt app."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.clock import Clock
from bot.config import Settings
from bot.services import Services, build_services
from handlers import actions, commands, events, modals, step_up, two_step
from handlers.errors import handle_error
from handlers.web import WsgiApp, create_web_app
from storage.database import Database, connect


def build_client(settings: Settings, token: str | None = None) -> WebClient:
    """One WebClient per app, retrying connection errors, 429s (after Retry-After) and 5xx."""
    return WebClient(
        token=token or settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def build(settings: Settings, clock: Clock, database: Database | None = None) -> Services:
    return build_services(settings, clock, database or connect(settings.database_url))


def create_app(
    settings: Settings,
    services: Services,
    client: WebClient | None = None,
    *,
    verify_token: bool = True,
    executor: ThreadPoolExecutor | None = None,
) -> App:
    """A fresh Bolt app: answers go in ack() (process_before_response), slow work in lazy listeners."""
    app = App(
        client=client or build_client(settings),
        signing_secret=settings.slack_signing_secret,
        process_before_response=True,
        token_verification_enabled=verify_token,
        listener_executor=executor
        or ThreadPoolExecutor(max_workers=settings.request_threads, thread_name_prefix="listener"),
        logger=logging.getLogger("security_bot.bolt"),
    )

    @app.middleware
    def provide_services(context: dict[str, object], next: object) -> None:
        context["services"] = services
        next()  # type: ignore[operator]

    events.register(app)
    commands.register(app)
    actions.register(app)
    modals.register(app)
    two_step.register(app)
    step_up.register(app)  # after every feature registered its step-up continuations
    app.error(handle_error)
    return app


def create_web(settings: Settings, services: Services, app: App) -> WsgiApp:
    return create_web_app(app, services)
