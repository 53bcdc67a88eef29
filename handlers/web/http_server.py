"""Serving the WSGI app with Granian: several worker processes, because one Python process serves
only as fast as one core (the GIL), and HTTP parsed in Rust, outside the GIL.

A worker process builds its own app from a factory named by import path (`module:function`):
engines, pools and threads must belong to the process that uses them. Each worker runs the app
in a few threads only: our requests are CPU and database work that answer inside ack(), slow
Slack calls go to lazy listeners on their own pool, and more threads than that only queue on the
GIL, which lengthens the slowest answers.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

from granian import Granian
from granian.constants import Interfaces
from granian.log import LogLevels

from handlers.web.pages import redaction

# Granian's own log, on stderr: an error about a request may name its path, and so a one-time
# link's token, which the filter cuts out. No access log: every request line would.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": redaction.RedactSecureLinks}},
    "formatters": {"plain": {"()": "bot.core.logs.like_the_root"}},  # LOG_FORMAT's, as ours
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "plain",
            "filters": ["redact"],
        }
    },
    "loggers": {"_granian": {"handlers": ["stderr"], "propagate": False}},
}


def serve_forever(factory: str, *, port: int, workers: int, threads: int) -> None:
    """Serve `factory` (`module:function`, returning a WSGI app) until SIGINT or SIGTERM."""
    Granian(
        factory,
        factory=True,
        interface=Interfaces.WSGI,
        address="0.0.0.0",  # noqa: S104 - Slack and members' browsers reach it from outside
        port=port,
        workers=workers,
        blocking_threads=threads,
        log_level=LogLevels.warning,
        log_dictconfig=LOGGING,
        log_access=False,
        websockets=False,
        workers_kill_timeout=10,
    ).serve()


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_server() -> None:
    """Called in each worker: should the server's main process be killed outright (it cannot then
    stop its workers), the kernel kills the worker too, rather than leave it serving alone."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGKILL)
