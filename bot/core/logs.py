"""Logs an operator can search: every line carries the request's or job's correlation id, the
Slack team, user and event where known, and the bot's version; `LOG_FORMAT=json` writes one JSON
object per line, `text` (the default) stays readable in a terminal.

The correlation lives in a context variable: the web front door sets it per request, a Bolt
middleware adds the Slack ids, the scheduler sets it per job run, and executors that copy the
context carry it into lazy listeners. The same id is the "reference" a member is shown.
Email addresses are masked in every line, whatever logged them: a last guard, not the first.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import secrets
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

from bot.core.version import bot_version

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(correlation)s%(message)s"
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_GIVEN_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


@dataclass(frozen=True, slots=True)
class Correlation:
    """What ties a log line to one request or job run."""

    id: str
    team: str | None = None
    user: str | None = None
    event: str | None = None
    slack_noted: bool = False  # the Slack ids above were put here by the Bolt middleware


P = ParamSpec("P")
T = TypeVar("T")

_CURRENT: ContextVar[Correlation | None] = ContextVar("security_bot_correlation", default=None)


def new_id() -> str:
    return secrets.token_hex(8)


def usable_id(given: str | None) -> str:
    """A caller's X-Request-Id when it is a plain id (nothing to inject into a log), else a new one."""
    return given if given and _GIVEN_ID.match(given) else new_id()


def current() -> Correlation | None:
    return _CURRENT.get()


def current_id() -> str:
    """The correlation id of what runs now; a fresh one outside any request or job."""
    found = _CURRENT.get()
    return found.id if found else new_id()


def begin(correlation_id: str) -> Token[Correlation | None]:
    return _CURRENT.set(Correlation(correlation_id))


def end(token: Token[Correlation | None]) -> None:
    _CURRENT.reset(token)


def note_slack(team: str | None, user: str | None, event: str | None) -> None:
    """Add the Slack ids to the request's correlation. Bolt's middleware cannot wrap the rest of
    the request, so nothing ends this: over HTTP the front door's end() does. In Socket Mode there
    is no front door, and a correlation that already has Slack ids is an earlier request's, left
    in the thread: this request gets a new id."""
    found = _CURRENT.get()
    if found is None or found.slack_noted:
        found = Correlation(new_id())
    _CURRENT.set(replace(found, team=team, user=user, event=event, slack_noted=True))


@contextmanager
def job(name: str) -> Iterator[str]:
    """One scheduled job run: its own correlation id, `job-<name>-<random>`."""
    token = begin(f"job-{name}-{new_id()}")
    try:
        yield current_id()
    finally:
        end(token)


class CarryingPool(ThreadPoolExecutor):
    """A thread pool whose tasks run in the submitter's context: a lazy listener or an API's
    follow-up logs with the correlation of the request that started it."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        context = contextvars.copy_context()
        return super().submit(lambda: context.run(fn, *args, **kwargs))


def mask_emails(text: str) -> str:
    return _EMAIL.sub("<email>", text)


class AddCorrelation(logging.Filter):
    """Puts the correlation and version on every record, and masks email addresses in it."""

    def filter(self, record: logging.LogRecord) -> bool:
        found = _CURRENT.get()
        record.request_id = found.id if found else None
        record.team_id = found.team if found else None
        record.user_id = found.user if found else None
        record.event_id = found.event if found else None
        record.version = bot_version()
        record.correlation = f"[{found.id}] " if found else ""
        message = record.getMessage()
        if "@" in message:
            record.msg, record.args = mask_emails(message), None
        return True


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the ids, version, traceback."""

    FIELDS = ("request_id", "team_id", "user_id", "event_id", "version")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in self.FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        entry["version"] = bot_version()  # also on records that passed no AddCorrelation
        if record.exc_info:
            entry["exception"] = mask_emails(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class Text(logging.Formatter):
    """The readable line, with the correlation id in brackets when there is one."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "correlation"):
            record.correlation = ""
        line = super().format(record)
        return mask_emails(line) if record.exc_info else line


def formatter(log_format: str) -> logging.Formatter:
    return JsonLines() if log_format == "json" else Text()


def like_the_root() -> logging.Formatter:
    """The root handler's kind of formatter (LOG_FORMAT's), for a library's own logging config
    such as Granian's, which is applied after ours in the same process."""
    json_root = any(isinstance(h.formatter, JsonLines) for h in logging.getLogger().handlers)
    return JsonLines() if json_root else Text()


class _ToStderr(logging.StreamHandler[Any]):
    """Writes to whatever sys.stderr is when a record comes, not the one of start-up: a stream
    swapped later (a redirect, a test's capture that has since closed) is never written to."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _ignored: Any) -> None:
        pass


def configure(log_format: str, level: int = logging.INFO) -> None:
    """The root logger writes to stderr in `log_format`; every handler adds the correlation."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = _ToStderr()
    handler.setFormatter(formatter(log_format))
    handler.addFilter(AddCorrelation())
    root.addHandler(handler)
    root.setLevel(level)
