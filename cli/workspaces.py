"""`workspace purge TEAM_ID`: delete every row of one workspace now, its tokens included."""

from __future__ import annotations

from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.core.words import plural
from bot.workspaces.service import Workspaces
from storage.database import connect


def run_purge(settings: Settings, workspace_id: str) -> int:
    counts = Workspaces(connect(settings.database_url), SystemClock()).purge(
        workspace_id, actor="command-line"
    )
    rows = sum(counts.values())
    print(f"purged {plural(rows, 'row')} of workspace {workspace_id}")
    for table, count in sorted(counts.items()):
        if count:
            print(f"  {table}: {count}")
    return 0
