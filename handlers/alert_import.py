"""`app.py alerts import FILE`: read the file, import it in one transaction, then send the DMs."""

from __future__ import annotations

import sys
from pathlib import Path

from bot import wiring
from bot.alert_import import AlertImport
from bot.alerts import AlertService
from bot.clock import Clock, SystemClock
from bot.config import Settings
from handlers.alerts import notify
from storage.database import connect


def run_alert_import(
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
        report = AlertImport(database, clock).run(text, source=file.name, actor=actor)
        for line in report.lines():
            print(line)
        if report.notices and not settings.slack_bot_token:
            print(
                f"{len(report.notices)} compromised-password alert(s) stored, but no DM was sent: "
                "SLACK_BOT_TOKEN is not set",
                file=sys.stderr,
            )
        elif report.notices:
            client = wiring.build_client(settings)
            alerts = AlertService(database, clock)
            for notice in report.notices:
                notify(client, alerts, notice)
    finally:
        database.dispose()
    return 0 if report.ok else 1


def _cannot(message: str) -> int:
    print(f"{message}; nothing was imported", file=sys.stderr)
    return 2
