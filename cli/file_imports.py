"""What the operator's `app.py ... import FILE` commands share: the file read as UTF-8 text, or why
it cannot be (exit 2, nothing imported); and for the platform's JSON lines files (`alerts import`,
`posture import`), the import in one transaction, its report printed, then Slack told.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from slack_sdk import WebClient

import wiring
from bot.core.clock import Clock, SystemClock
from bot.core.config import Settings
from bot.workspaces.documents import lines_elsewhere
from bot.workspaces.scope import workspace_id
from storage.database import Database, connect

CANNOT_RUN = 2


class Report(Protocol):
    @property
    def ok(self) -> bool: ...

    def lines(self) -> list[str]: ...


R = TypeVar("R", bound=Report)
R_co = TypeVar("R_co", bound=Report, covariant=True)


class LinesImport(Protocol[R_co]):
    def run(self, text: str, *, source: str, actor: str) -> R_co: ...


def read_text(path: str, *, not_utf8_hint: str = "") -> str | None:
    """The file's text; None once the operator has been told why it cannot be read."""
    try:
        return Path(path).read_bytes().decode("utf-8")
    except FileNotFoundError:
        cannot(f"{path}: no such file")
    except UnicodeDecodeError as error:
        cannot(f"{path}: not UTF-8 text (byte {error.start}){not_utf8_hint}")
    except OSError as error:
        cannot(f"{path}: cannot be read ({error.strerror or type(error).__name__})")
    return None


def cannot(message: str) -> int:
    """Tell the operator why nothing was imported; the exit status that says so."""
    print(f"{message}; nothing was imported", file=sys.stderr)
    return CANNOT_RUN


def run_lines_import(
    settings: Settings,
    path: str,
    importer: Callable[[Database, Clock], LinesImport[R]],
    tell_slack: Callable[[Settings, Database, Clock, R], None],
    *,
    actor: str,
    clock: Clock | None,
) -> int:
    """0 when imported (or nothing new), 1 when the file has bad lines, 2 when it cannot be run.

    Slack is told only after the import's transaction, so a slow Slack never holds it open."""
    text = read_text(path)
    if text is None:
        return CANNOT_RUN
    served = workspace_id()
    elsewhere = lines_elsewhere(text, served)
    for number, named in elsewhere:
        print(f"line {number}: names workspace {named!r}, but this import is for {served}")
    if elsewhere:
        print("nothing was imported: import each workspace's lines with --workspace")
        return 1
    clock = clock or SystemClock()
    database = connect(settings.database_url)
    try:
        report = importer(database, clock).run(text, source=Path(path).name, actor=actor)
        for line in report.lines():
            print(line)
        tell_slack(settings, database, clock, report)
    finally:
        database.dispose()
    return 0 if report.ok else 1


def slack_client(settings: Settings, untold: str) -> WebClient | None:
    """The client for telling Slack what an import changed; None, once the operator has been told
    `untold`, when SLACK_BOT_TOKEN is not set."""
    if settings.slack_bot_token:
        return wiring.build_client(settings)
    print(f"{untold}: SLACK_BOT_TOKEN is not set", file=sys.stderr)
    return None
