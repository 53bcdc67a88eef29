"""The bot's Prometheus metrics, one set per process, and their exposition for /metrics.

`serve` runs several worker processes (forked by Granian), so values go to files in
PROMETHEUS_MULTIPROC_DIR, which `prepare_multiprocess_dir` makes fresh before the workers start,
and a scrape answered by any worker adds up every worker's (prometheus_client's multiprocess
mode). prometheus_client picks in-memory or file-backed values when it is first imported, so it is
imported here on first use only, after the directory is set; the metrics are built on first use
in each process too, never inherited from the parent through the fork.

Counters are per attempt and cheap (no lock beyond the value's own); what lives in the database
is read only when scraped (bot/core/backlog.py).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prometheus_client import Counter, Gauge, Histogram
    from prometheus_client.registry import Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
PREFIX = "security_bot"
# Slack's deadline is 3 s; the buckets resolve the fast answers and the edge of the deadline.
ACK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
_LIVE_FILE = re.compile(r"^gauge_live\w+?_(\d+)\.db$")


@dataclass(frozen=True)
class Metrics:
    """The instruments this process counts with; the database's figures are read at each scrape
    instead (handlers/web/observability.py), so they need none."""

    requests: Counter
    ack_seconds: Histogram
    slack_calls: Counter
    scheduler_leader: Gauge
    pool_in_use: Gauge


_lock = threading.Lock()
_built: tuple[int, Metrics] | None = None


def metrics() -> Metrics:
    """This process's metrics, built on first use (again in a forked child)."""
    global _built
    built = _built
    if built is not None and built[0] == os.getpid():
        return built[1]
    with _lock:
        if _built is None or _built[0] != os.getpid():
            _built = (os.getpid(), _build())
        return _built[1]


def _build() -> Metrics:
    from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, values

    if multiprocess_dir() is not None and values.ValueClass is values.MutexValue:
        # Imported before the directory was set (the parent of a fork): values go to files.
        values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
    # Files, not a registry, carry the values across processes; keep them out of the default one.
    registry = CollectorRegistry() if multiprocess_dir() is not None else None
    kwargs: dict[str, Any] = {"registry": registry} if registry is not None else {}
    return Metrics(
        requests=Counter(
            _NAMES["requests"],
            "HTTP requests answered, by route and status code.",
            ["route", "status"],
            **kwargs,
        ),
        ack_seconds=Histogram(
            _NAMES["ack_seconds"],
            "Seconds from a request's arrival to its answer (Slack's acknowledgement), by route.",
            ["route"],
            buckets=ACK_BUCKETS,
            **kwargs,
        ),
        slack_calls=Counter(
            _NAMES["slack_calls"],
            "Slack Web API answers by method and result (ok, error, 429, 5xx, connection); each "
            "attempt counts, so a 429 waited out and retried counts as 429 and then its result.",
            ["method", "result"],
            **kwargs,
        ),
        scheduler_leader=Gauge(
            _NAMES["leader"],
            "1 while a process of this server holds the scheduled-jobs lease and runs the jobs.",
            multiprocess_mode="livemax",
            **kwargs,
        ),
        pool_in_use=Gauge(
            _NAMES["pool"],
            "Database connections checked out of the pools, over the live worker processes.",
            multiprocess_mode="livesum",
            **kwargs,
        ),
    )


_NAMES = {
    "requests": f"{PREFIX}_http_requests",
    "ack_seconds": f"{PREFIX}_ack_seconds",
    "slack_calls": f"{PREFIX}_slack_api_calls",
    "leader": f"{PREFIX}_scheduler_leader",
    "pool": f"{PREFIX}_database_pool_in_use",
}


# -- multiprocess mode --------------------------------------------------------------------------


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def prepare_multiprocess_dir() -> Callable[[], None]:
    """Before the workers start: a fresh, empty directory for their values (the operator's
    PROMETHEUS_MULTIPROC_DIR emptied, else a new temporary one). Returns the clean-up."""
    given = multiprocess_dir()
    if given is not None:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
        return lambda: None
    made = tempfile.mkdtemp(prefix="security-bot-metrics-")
    os.environ[MULTIPROC_ENV] = made
    return lambda: shutil.rmtree(made, ignore_errors=True)


def forget_dead_workers() -> None:
    """Drop the live gauges of worker processes that are gone (Granian respawns a worker that
    died, under a new pid, and has no hook in the worker's parent for it), so a dead worker's
    leadership or pool use is not reported; counters stay, so totals never go back."""
    from prometheus_client import multiprocess

    directory = multiprocess_dir()
    if directory is None:
        return
    pids = {int(m.group(1)) for f in os.listdir(directory) if (m := _LIVE_FILE.match(f))}
    for pid in pids - {os.getpid()}:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]
        except PermissionError:
            pass  # alive, someone else's


def exposition(live: Collector) -> tuple[bytes, str]:
    """The text format: every process's metrics (or this one's), then `live`'s figures, read
    now."""
    from prometheus_client import (
        CONTENT_TYPE_LATEST,
        REGISTRY,
        CollectorRegistry,
        generate_latest,
        multiprocess,
    )

    metrics()  # families exist (at zero) before the first request or Slack call
    scraped = CollectorRegistry(auto_describe=False)
    if multiprocess_dir() is not None:
        forget_dead_workers()
        multiprocess.MultiProcessCollector(scraped)  # type: ignore[no-untyped-call]
        stored = generate_latest(scraped)
    else:
        stored = generate_latest(REGISTRY)
    now = CollectorRegistry(auto_describe=False)
    now.register(live)
    return stored + generate_latest(now), CONTENT_TYPE_LATEST
