"""`app.py posture import FILE`: read the file, import it in one transaction, then update Slack."""

from __future__ import annotations

import sys
from pathlib import Path

from bot import wiring
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.members import MemberService
from bot.posture import Applied
from bot.posture_import import PostureImport
from bot.stats.report import StatsService
from handlers.posture_api import follow_up
from storage.database import connect


def run_posture_import(
    settings: Settings, path: str, *, actor: str = "system", clock: Clock | None = None
) -> int:
    """0 when imported (or nothing new), 1 when the file has bad lines, 2 when it cannot be run."""
    file = Path(path)
    try:
        text = file.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return _cannot(f"{path}: no such file")
    except UnicodeDecodeError as error:
        return _cannot(f"{path}: not UTF-8 text (byte {error.start})")
    except OSError as error:
        return _cannot(f"{path}: cannot be read ({error.strerror or type(error).__name__})")
    clock = clock or SystemClock()
    database = connect(settings.database_url)
    try:
        report = PostureImport(database, clock).run(text, source=file.name, actor=actor)
        for line in report.lines():
            print(line)
        changed = Applied(members=report.members, closed=report.closed)
        if (report.members or report.closed) and not settings.slack_bot_token:
            print(
                "Slack was not updated (Home tabs, DMs about closed alerts): "
                "SLACK_BOT_TOKEN is not set",
                file=sys.stderr,
            )
        elif report.members or report.closed:
            members = MemberService(database, clock, settings.security_admins)
            stats = StatsService(database, clock, settings.security_admins)
            follow_up(wiring.build_client(settings), members, changed, stats)
    finally:
        database.dispose()
    return 0 if report.ok else 1


def _cannot(message: str) -> int:
    print(f"{message}; nothing was imported", file=sys.stderr)
    return 2
