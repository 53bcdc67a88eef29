"""`app.py posture import FILE`: read the file, import it in one transaction, then update Slack."""

from __future__ import annotations

from bot.checklist.languages import MemberLanguages
from bot.checklist.members import MemberService
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.platform.posture import Applied
from bot.platform.posture_import import PostureImport, PostureImportReport
from bot.stats.report import StatsService
from bot.workspaces.settings import SettingsBook
from cli.file_imports import run_lines_import, slack_client
from handlers.web.posture_api import follow_up
from storage.database import Database


def run_posture_import(
    settings: Settings, path: str, *, actor: str = "system", clock: Clock | None = None
) -> int:
    """0 when imported (or nothing new), 1 when the file has bad lines, 2 when it cannot be run."""
    return run_lines_import(settings, path, PostureImport, _update_slack, actor=actor, clock=clock)


def _update_slack(
    settings: Settings, database: Database, clock: Clock, report: PostureImportReport
) -> None:
    """The Home tabs and the DMs about closed alerts, as the posture API updates them."""
    if not (report.members or report.closed):
        return
    client = slack_client(settings, "Slack was not updated (Home tabs, DMs about closed alerts)")
    if client is not None:
        # The served workspace's admins (--workspace), its own settings over the environment's.
        admins = SettingsBook(database, clock, settings, fresh=lambda _user: False).admins
        members = MemberService(database, clock, admins)
        stats = StatsService(database, clock, admins)
        changed = Applied(members=report.members, closed=report.closed)
        follow_up(client, members, changed, stats, MemberLanguages(database, clock).of)
