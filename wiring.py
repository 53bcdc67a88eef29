"""Composition root: the one place that builds the client, the services and the Bolt app."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.util import Finalize
from pathlib import Path
from typing import Any

import yaml
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.core.clock import Clock, SystemClock
from bot.core.config import Settings, load_settings
from bot.core.errors import ConfigError
from bot.core.logs import CarryingPool
from bot.recovery.mail import mailer_for
from bot.services import Services, build_services
from bot.workspaces.rounds import SIDE_BY_SIDE
from bot.workspaces.service import Install
from handlers.jobs.scheduler import Jobs
from handlers.outbound import platform_webhook, pwned
from handlers.outbound.slack_messenger import CountSlackCalls, SlackMessenger, retry_handlers
from handlers.outbound.workspace_tokens import ServedWorkspaceClient, WorkspaceClients
from handlers.slack import (
    actions,
    alerts,
    campaigns,
    case_incidents,
    case_threads,
    cases,
    commands,
    desk,
    events,
    exemptions,
    installs,
    modals,
    nudges,
    passwords,
    recovery,
    step_up,
    suspicious_login,
    two_step,
    workspace_settings,
)
from handlers.slack.correlation import NoteSlackIds
from handlers.slack.errors import handle_error
from handlers.slack.middleware import ProvideServices, RouteItemActions, SkipRetriedDeliveries
from handlers.web.deadline_front import DeadlineFront
from handlers.web.front import WsgiApp, create_web_app
from handlers.web.http_server import die_with_server
from handlers.web.observability import keep_process_gauges, observed
from handlers.web.pages import redaction
from storage.database import Database, Timeouts, connect


def build_client(
    settings: Settings, token: str | None = None, *, served: Callable[[], str] | None = None
) -> WebClient:
    """One WebClient per app, retrying connection errors, 429s (after Retry-After) and 5xx; the
    first handler only counts each answer for /metrics. With `served`, the token is asked of it at
    every call (the served workspace's, in OAuth mode)."""
    options: dict[str, Any] = {
        "base_url": settings.slack_api_url,
        "timeout": 10,
        "retry_handlers": [
            CountSlackCalls(),
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    }
    if served is not None:
        return ServedWorkspaceClient(served, **options)
    return WebClient(token=token or settings.slack_bot_token, **options)


def served_client(settings: Settings, services: Services) -> WebClient:
    """Outside Slack's requests no authorize picks the token: the client for what the bot sends
    on its own (the APIs' DMs, the pages' follow-ups, the command-line tools), with the served
    workspace's token in OAuth mode, SLACK_BOT_TOKEN's otherwise."""
    if not settings.oauth_mode:
        return build_client(settings)
    tokens = installs.installed_tokens(settings, services, build_client(settings))
    return build_client(settings, served=tokens)


def build(settings: Settings, clock: Clock, database: Database | None = None) -> Services:
    return build_services(
        settings,
        clock,
        database or connect(settings.database_url, timeouts=database_timeouts(settings)),
        breach_ranges=pwned.for_settings(settings.pwned_passwords_url),
        mailer=mailer_for(settings),
        platform_hook=platform_webhook.for_settings(settings, clock),
    )


# The scheduled jobs' database deadlines: a silent database is still noticed, a long sweep is not cut.
JOB_TIMEOUTS = Timeouts(connect=5.0, statement=120.0, pool=30.0)


def database_timeouts(settings: Settings) -> Timeouts:
    """How long a request waits on the database before the member is told it is unreachable."""
    return Timeouts(
        connect=settings.database_connect_timeout,
        statement=settings.database_statement_timeout,
        pool=settings.database_pool_timeout,
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
    """A fresh Bolt app: answers go in ack() (process_before_response), slow work in lazy listeners.

    In OAuth mode it serves every workspace that installed it (handlers/slack/installs.py), with
    the token each request's workspace installed it with; otherwise SLACK_BOT_TOKEN's one."""
    client = client or build_client(settings)
    oauth = (
        installs.oauth_parts(settings, services, client, manifest_bot_scopes())
        if settings.oauth_mode
        else None
    )
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret,
        process_before_response=True,
        token_verification_enabled=verify_token and oauth is None,
        oauth_flow=oauth.flow if oauth else None,
        authorize=oauth.authorize if oauth else None,  # type: ignore[arg-type] # an Authorize
        user_facing_authorize_error_message=installs.NOT_INSTALLED if oauth else None,
        listener_executor=executor
        or CarryingPool(max_workers=settings.request_threads, thread_name_prefix="listener"),
        logger=bolt_logger(),
    )

    app.use(NoteSlackIds())  # first: every later line of the request names its Slack ids
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
    case_incidents.register(app)
    case_threads.register(app)
    suspicious_login.register(app)
    installs.register(app, oauth.store if oauth else None)
    workspace_settings.register(app)
    exemptions.register(app)
    desk.register(app)
    campaigns.register(app)
    step_up.register(  # what a correct code continues with: one continuation per purpose
        app,
        [
            two_step.RESET,
            alerts.ROTATE,
            cases.RESOLVE,
            cases.APPROVE,
            suspicious_login.CONFIRM,
            workspace_settings.CHANGE,
            exemptions.APPROVE,
        ],
    )
    app.error(handle_error)
    return app


MANIFEST = Path(__file__).resolve().parent / "manifest.yml"


def manifest_bot_scopes(path: Path = MANIFEST) -> list[str]:
    """The bot scopes an OAuth install asks for: the manifest's, so the two never drift apart."""
    try:
        manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
        scopes = manifest["oauth_config"]["scopes"]["bot"]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        raise ConfigError(f"{path.name} cannot be read for the bot scopes of OAuth mode") from None
    if not scopes or not all(isinstance(scope, str) for scope in scopes):
        raise ConfigError(f"{path.name} lists no bot scopes for OAuth mode")
    return list(scopes)


def create_web(
    settings: Settings, services: Services, app: App, *, jobs: Jobs | None = None
) -> WsgiApp:
    """The front door behind /metrics, correlation ids and request metrics; `jobs` is this
    process's scheduled jobs, whose leadership /metrics reports."""
    follow_ups = CarryingPool(max_workers=4, thread_name_prefix="api-follow-up")
    client = served_client(settings, services) if settings.oauth_mode else None
    web = create_web_app(app, services, run_later=follow_ups.submit, client=client)
    return observed(web, services, leading=lambda: jobs is not None and leads_the_jobs(jobs))


def record_token_workspace(settings: Settings, services: Services, client: WebClient) -> None:
    """Single-workspace mode: record SLACK_BOT_TOKEN's workspace (auth.test names it), so both
    modes keep the same table of workspaces. A Slack that does not answer now is no reason not to
    serve: the next start records it."""
    if settings.oauth_mode or not settings.slack_bot_token:
        return
    try:
        found = client.auth_test()
    except SlackApiError as error:
        logging.getLogger("security_bot").warning(
            "auth.test failed (%s): the workspace is not recorded", error.response.get("error")
        )
        return
    except OSError as error:
        logging.getLogger("security_bot").warning(
            "Slack did not answer auth.test (%s): the workspace is not recorded",
            type(error).__name__,
        )
        return
    install = Install(
        team_id=found.get("team_id"),
        enterprise_id=found.get("enterprise_id"),
        enterprise_install=bool(found.get("is_enterprise_install")),
        name=str(found.get("team") or found.get("team_id")),
    )
    try:
        services.workspaces.configured(install)
    except Exception as error:  # noqa: BLE001 - a database down at start: serve, /readyz says it
        logging.getLogger("security_bot").warning(
            "the workspace could not be recorded (%s): the next start records it",
            type(error).__name__,
        )


def leads_the_jobs(jobs: Jobs) -> bool:
    """Whether this process runs the scheduled jobs now: the one place that reads it."""
    return jobs.leading


def build_messenger(settings: Settings, services: Services | None = None) -> SlackMessenger:
    """The nudges' own client: it runs in the scheduler's worker, so it may wait out a long
    Retry-After and retry 5xx and connection errors longer than a listener could. In OAuth mode
    (which needs `services`) each workspace's sends go with its own bot token."""

    def client_for(token: str | None) -> WebClient:
        return WebClient(
            token=token,
            base_url=settings.slack_api_url,
            timeout=15,  # retry_handlers() count each answer for /metrics too
            retry_handlers=retry_handlers(),
        )

    if not settings.oauth_mode:
        return SlackMessenger(client_for(settings.slack_bot_token))
    if services is None:
        raise ValueError("OAuth mode sends with each workspace's token: pass the services")
    tokens = installs.installed_tokens(settings, services, client_for(None))
    return SlackMessenger(WorkspaceClients(client_for, tokens))


def start_jobs(settings: Settings, services: Services) -> Jobs:
    """Compete for the jobs lease; the process holding it runs the scheduler (nudges, cases, the
    weekly summary).
    With SCHEDULED_JOBS=off this process stays out (stop() is then a no-op)."""
    messenger = build_messenger(settings, services)
    if settings.scheduled_jobs and not settings.database_url.startswith("sqlite"):
        # The jobs answer no one within 3 s: a sweep's batched writes may take longer than a
        # request's statement deadline, so they get an engine of their own, as patient as that.
        # Sized for the workspaces delivered side by side, each thread a connection at a time.
        patient = connect(settings.database_url, pool_size=SIDE_BY_SIDE, timeouts=JOB_TIMEOUTS)
        services = build(settings, services.clock, patient)
    jobs = Jobs(services, messenger, uploader=messenger)
    return jobs.start() if settings.scheduled_jobs else jobs


def http_worker() -> DeadlineFront:
    """One `serve` worker process's app (the server's factory): settings read again from the
    environment the parent already checked, and an engine, app and jobs of the worker's own."""
    die_with_server()
    settings = load_settings(mode="serve")
    services = build(settings, SystemClock())
    jobs = start_jobs(settings, services)  # leadership lets one worker run them
    # On SIGTERM Granian's worker returns from its serving loop and the process exits through
    # multiprocessing, which runs its finalizers (not atexit): stop the scheduler and let go of
    # leadership there, so another process leads within a second.
    Finalize(jobs, jobs.stop, exitpriority=100)
    app = create_app(settings, services)
    record_token_workspace(settings, services, app.client)
    web = create_web(settings, services, app, jobs=jobs)
    keep_process_gauges(services, lambda: leads_the_jobs(jobs))
    redaction.install()
    return DeadlineFront(
        web,
        threads=settings.web_threads,
        body_deadline=settings.request_body_deadline,
        ready=services.database.ping,
    )
