"""Serving the app with Granian: several worker processes, because one Python process serves
only as fast as one core (the GIL), and HTTP parsed in Rust, outside the GIL.

A worker process builds its own app from a factory named by import path (`module:function`):
engines, pools and threads must belong to the process that uses them. The factory returns a
DeadlineFront (handlers/web/deadline_front.py), served through Granian's own interface (RSGI):
bodies are read in the event loop under a deadline, and only complete requests reach the WSGI
app, on a few threads. Our requests are CPU and database work that answer inside ack(), slow
Slack calls go to lazy listeners on their own pool, and more threads than that only queue on the
GIL, which lengthens the slowest answers.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

from granian import Granian
from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
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


def serve_forever(factory: str, *, port: int, workers: int, header_deadline: float = 5.0) -> None:
    """Serve `factory` (`module:function`, returning an RSGI app such as a DeadlineFront) until
    SIGINT or SIGTERM. A client has `header_deadline` seconds to send its request's headers."""
    Granian(
        factory,
        factory=True,
        interface=Interfaces.RSGI,
        address="0.0.0.0",  # noqa: S104 - Slack and members' browsers reach it from outside
        port=port,
        workers=workers,
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(header_read_timeout=round(header_deadline * 1000)),
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
