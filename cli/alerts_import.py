"""`app.py alerts import FILE`: read the file, import it in one transaction, then send the DMs."""

from __future__ import annotations

from bot.checklist.languages import MemberLanguages
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.words import plural
from bot.platform.alert_import import AlertImport, AlertImportReport
from bot.platform.alerts import AlertService
from cli.file_imports import run_lines_import, slack_client
from handlers.slack.alerts import notify
from storage.database import Database


def run_alert_import(
    settings: Settings, path: str, *, actor: str = "system", clock: Clock | None = None
) -> int:
    """0 when imported (or nothing new), 1 when the file has bad lines, 2 when it cannot be run."""
    return run_lines_import(settings, path, AlertImport, _send_dms, actor=actor, clock=clock)


def _send_dms(
    settings: Settings, database: Database, clock: Clock, report: AlertImportReport
) -> None:
    """The DMs about compromised passwords, as the alerts API sends them."""
    if not report.notices:
        return
    stored = plural(len(report.notices), "compromised-password alert")
    client = slack_client(settings, f"{stored} stored, but no DM was sent")
    if client is not None:
        alerts = AlertService(database, clock)
        languages = MemberLanguages(database, clock)
        for notice in report.notices:
            notify(client, alerts, notice, language_of=languages.of)
