"""`app.py import accounts FILE`: read the file, list the workspace's users, run the import."""

from __future__ import annotations

from pathlib import Path

from slack_sdk.errors import SlackApiError

import wiring
from bot.core.clock import Clock, SystemClock
from bot.core.config import Settings
from bot.directory.service import DirectoryImport
from cli.file_imports import CANNOT_RUN, cannot, read_text
from handlers.outbound.slack_directory import SlackWorkspaceUsers
from storage.database import connect


def run_import(
    settings: Settings, path: str, *, actor: str = "system", clock: Clock | None = None
) -> int:
    """Import the file; 0 when imported, 1 when the file has bad rows, 2 when it cannot be run."""
    text = read_text(path, not_utf8_hint="; save it as CSV UTF-8")
    if text is None:
        return CANNOT_RUN
    database = connect(settings.database_url)
    try:
        clock = clock or SystemClock()
        service = DirectoryImport(database, clock)
        client = wiring.served_client(settings, wiring.build(settings, clock, database))
        users = SlackWorkspaceUsers(client)
        report = service.run(text, users, source=Path(path).name, actor=actor, progress=True)
    except SlackApiError as error:
        return cannot(f"could not list the Slack workspace's users ({error.response.get('error')})")
    finally:
        database.dispose()
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1
