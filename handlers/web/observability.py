"""What wraps the front door for an operator: `GET /metrics` (Prometheus text format, behind
METRICS_TOKEN when it is set), and, for every other request, a correlation id (the caller's
X-Request-Id when it is a plain id, else a new one; echoed in the answer), the request counted by
route and status, and the time to the answer in the acknowledgement histogram."""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from bot.core import logs
from bot.core.backlog import connections_in_use, read_backlog
from bot.core.i18n import reading
from bot.services import Services
from bot.workspaces.scope import unserved
from handlers import metrics as process_metrics
from handlers.web.front import WsgiApp

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment
    from prometheus_client import Counter, Histogram
    from prometheus_client.metrics_core import Metric

logger = logging.getLogger("security_bot.metrics")
METRICS_PATH = "/metrics"
PREFIX = process_metrics.PREFIX
ROUTES = frozenset(
    {
        "/slack/events",
        "/api/v1/alerts",
        "/api/v1/posture",
        "/healthz",
        "/readyz",
        "/slack/install",
        "/slack/oauth_redirect",
    }
)
REFRESH_EVERY = 5.0  # seconds between updates of this worker's leader and pool gauges


def route_of(path: str) -> str:
    """A bounded label: known routes as they are, the one-time pages (whose paths hold a
    token) as `/secure`, anything else `other`."""
    if path in ROUTES:
        return path
    return "/secure" if path.startswith("/secure/") else "other"


class Backlog:
    """The database's figures, read when /metrics is scraped (a prometheus_client collector)."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def collect(self) -> Iterator[Metric]:
        from prometheus_client.core import GaugeMetricFamily

        try:
            found = read_backlog(self._services.database, self._services.clock)
        except Exception as error:  # noqa: BLE001 - a scrape reports the database down, not a 500
            logger.warning("metrics: the backlog could not be read: %s", type(error).__name__)
            yield GaugeMetricFamily(f"{PREFIX}_backlog_up", "1 when the backlog was read.", 0)
            return
        yield GaugeMetricFamily(f"{PREFIX}_backlog_up", "1 when the backlog was read.", 1)
        figures = (
            ("reminder_outbox_depth", "Reminders waiting to be sent.", found.reminders_waiting),
            (
                "reminder_outbox_oldest_seconds",
                "Age of the oldest reminder waiting to be sent (0 when none waits).",
                found.oldest_reminder_seconds,
            ),
            ("open_cases", "Compromise cases not resolved.", found.open_cases),
            (
                "alerts_awaiting_rotation",
                "Compromised-password alerts whose password is not yet confirmed changed.",
                found.alerts_awaiting_rotation,
            ),
        )
        for name, documentation, value in figures:
            yield GaugeMetricFamily(f"{PREFIX}_{name}", documentation, value)


def refresh_process_gauges(services: Services, leading: Callable[[], bool]) -> None:
    """This process's leadership and pool use, into its gauges."""
    found = process_metrics.metrics()
    found.scheduler_leader.set(1 if leading() else 0)
    found.pool_in_use.set(connections_in_use(services.database))


def keep_process_gauges(services: Services, leading: Callable[[], bool]) -> None:
    """In each `serve` worker: refresh the gauges every few seconds, so a scrape answered by
    another worker still sees this one's leadership."""

    def loop() -> None:
        while True:
            try:
                refresh_process_gauges(services, leading)
            except Exception:  # the next round tries again
                logger.debug("metrics: gauges not refreshed", exc_info=True)
            time.sleep(REFRESH_EVERY)

    threading.Thread(target=loop, name="metrics-gauges", daemon=True).start()


def observed(
    web_app: WsgiApp,
    services: Services,
    *,
    leading: Callable[[], bool] = lambda: False,
) -> WsgiApp:
    """`web_app` behind the metrics route, the correlation id and the request metrics."""
    backlog = Backlog(services)
    token = services.settings.metrics_token
    expected = f"Bearer {token}".encode() if token else None

    # Each route's and status's own counter and histogram, looked up once: labels() costs more
    # than the count itself, on every request.
    counters: dict[tuple[str, str], tuple[Counter, Histogram]] = {}

    def count(route: str, status: str) -> tuple[Counter, Histogram]:
        found = process_metrics.metrics()
        counted = (found.requests.labels(route, status), found.ack_seconds.labels(route))
        counters[(route, status)] = counted
        return counted

    def scrape(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        given = str(environ.get("HTTP_AUTHORIZATION", "")).encode()
        if expected is not None and not hmac.compare_digest(given, expected):
            return _plain(start_response, "401 Unauthorized", b"bearer token required\n")
        refresh_process_gauges(services, leading)
        body, content_type = process_metrics.exposition(backlog)
        start_response(
            "200 OK",
            [
                ("Content-Type", content_type),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [body]

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == METRICS_PATH and environ.get("REQUEST_METHOD") == "GET":
            return scrape(environ, start_response)
        started = time.perf_counter()
        request_id = logs.usable_id(environ.get("HTTP_X_REQUEST_ID"))
        correlation = logs.begin(request_id)
        status = "500"

        def start(status_line: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            nonlocal status
            status = status_line[:3]
            headers.append(("X-Request-Id", request_id))
            return start_response(status_line, headers, *exc)

        try:
            # Each request chooses its workspace and reader; nothing is left from the last.
            with unserved(), reading(None):
                return web_app(environ, start)
        finally:
            logs.end(correlation)
            route = route_of(path)
            counted = counters.get((route, status)) or count(route, status)
            counted[0].inc()
            counted[1].observe(time.perf_counter() - started)

    return app


def _plain(start_response: StartResponse, status: str, body: bytes) -> list[bytes]:
    start_response(
        status,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("WWW-Authenticate", "Bearer"),
        ],
    )
    return [body]
