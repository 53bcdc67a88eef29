"""Composition root: the one place that builds the client, the services and the Bolt app."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.util import Finalize

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.core.clock import Clock, SystemClock
from bot.core.config import Settings, load_settings
from bot.recovery.mail import mailer_for
from bot.services import Services, build_services
from handlers.jobs.scheduler import Jobs
from handlers.outbound import platform_webhook, pwned
from handlers.outbound.slack_messenger import SlackMessenger, retry_handlers
from handlers.slack import (
    actions,
    alerts,
    case_threads,
    cases,
    commands,
    events,
    modals,
    nudges,
    passwords,
    recovery,
    step_up,
    suspicious_login,
    two_step,
)
from handlers.slack.errors import handle_error
from handlers.slack.middleware import ProvideServices, RouteItemActions, SkipRetriedDeliveries
from handlers.web.front import WsgiApp, create_web_app
from handlers.web.http_server import die_with_server
from handlers.web.pages import redaction
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
    return build_services(
        settings,
        clock,
        database or connect(settings.database_url),
        breach_ranges=pwned.for_settings(settings.pwned_passwords_url),
        mailer=mailer_for(settings),
        platform_hook=platform_webhook.for_settings(settings, clock),
    )


def announce_mail(settings: Settings) -> None:
    """Say at start-up where recovery-email codes go when there is no mail server."""
    if not settings.smtp_url:
        logging.getLogger("security_bot").warning(
            "SMTP_URL is not set: recovery-email codes are written to the %s, not mailed",
            mailer_for(settings).where,
        )


def bolt_logger() -> logging.Logger:
    """Bolt's logger, at INFO unless configured otherwise: Bolt asks a logger's own level, not the
    effective one, before building its debug lines, so a logger left at NOTSET has it format
    several on every request only for logging to drop them."""
    logger = logging.getLogger("security_bot.bolt")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    return logger


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
        logger=bolt_logger(),
    )

    app.use(ProvideServices(services))
    app.use(SkipRetriedDeliveries(services))
    app.use(RouteItemActions())

    commands.register(app)  # first: Bolt tries listeners in order, and commands are commonest
    events.register(app)
    actions.register(app)
    modals.register(app)
    two_step.register(app)
    passwords.register(app)
    alerts.register(app)
    nudges.register(app)
    recovery.register(app)
    cases.register(app)
    case_threads.register(app)
    suspicious_login.register(app)
    step_up.register(  # what a correct code continues with: one continuation per purpose
        app, [two_step.RESET, alerts.ROTATE, cases.RESOLVE, cases.APPROVE, suspicious_login.CONFIRM]
    )
    app.error(handle_error)
    return app


def create_web(settings: Settings, services: Services, app: App) -> WsgiApp:
    return create_web_app(app, services)


def build_messenger(settings: Settings) -> SlackMessenger:
    """The nudges' own client: it runs in the scheduler's worker, so it may wait out a long
    Retry-After and retry 5xx and connection errors longer than a listener could."""
    client = WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=15,
        retry_handlers=retry_handlers(),
    )
    return SlackMessenger(client)


def start_jobs(settings: Settings, services: Services) -> Jobs:
    """Compete for the jobs lease; the process holding it runs the scheduler (nudges, cases, the
    weekly summary).
    With SCHEDULED_JOBS=off this process stays out (stop() is then a no-op)."""
    messenger = build_messenger(settings)
    jobs = Jobs(services, messenger, uploader=messenger)
    return jobs.start() if settings.scheduled_jobs else jobs


def http_worker() -> WsgiApp:
    """One `serve` worker process's app (the server's factory): settings read again from the
    environment the parent already checked, and an engine, app and jobs of the worker's own."""
    die_with_server()
    settings = load_settings(mode="serve")
    services = build(settings, SystemClock())
    web = create_web(settings, services, create_app(settings, services))
    jobs = start_jobs(settings, services)  # leadership lets one worker run them
    # On SIGTERM Granian's worker returns from its serving loop and the process exits through
    # multiprocessing, which runs its finalizers (not atexit): stop the scheduler and let go of
    # leadership there, so another process leads within a second.
    Finalize(jobs, jobs.stop, exitpriority=100)
    redaction.install()
    return web
