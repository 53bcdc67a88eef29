"""Serving the WSGI app with gunicorn: several worker processes, because one Python process
serves only as fast as one core (the GIL), and threads within each for slow Slack calls."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

from handlers.pages import redaction
from handlers.web import WsgiApp


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, build: Callable[[], WsgiApp], options: dict[str, Any]) -> None:
        self._build = build
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> WsgiApp:
        """Runs in each worker after the fork: engines, pools and threads are the worker's own."""
        redaction.install()
        return self._build()


def serve_forever(build: Callable[[], WsgiApp], *, port: int, workers: int, threads: int) -> None:
    logging.getLogger("gunicorn.error").addFilter(redaction.RedactSecureLinks())
    _Gunicorn(
        build,
        {
            "bind": f"0.0.0.0:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "accesslog": None,  # request lines carry one-time link tokens
            "errorlog": "-",
            "loglevel": "warning",
            "timeout": 30,
            "graceful_timeout": 10,
            "keepalive": 5,
            "proc_name": "security-bot",
        },
    ).run()
