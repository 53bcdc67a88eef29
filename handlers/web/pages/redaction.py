"""One-time links are capabilities: their token must never reach a log.

Our own code never logs a page's path; the web servers may on a failed or abandoned request
("Exception while serving /secure/..."): waitress (Socket Mode's and the sandbox's pages) gets a
filter on its logger that cuts the token out, Granian (`serve`) the same on its log handler.
"""

from __future__ import annotations

import logging
import re

_SECURE_PATH = re.compile(r"(/secure/[A-Za-z0-9_]+/)[^\s/?#\"'<>]+")
REDACTED_LOGGERS = ("waitress",)


def redact(text: str) -> str:
    """`/secure/<kind>/<token>` becomes `/secure/<kind>/…`."""
    return _SECURE_PATH.sub("\\1…", text)


class RedactSecureLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/secure/" in message:
            record.msg, record.args = redact(message), None
        return True


def install() -> None:
    """Idempotent: each logger gets one filter, however many web apps are built."""
    for name in REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecureLinks) for f in logger.filters):
            logger.addFilter(RedactSecureLinks())
