"""Console commands for the security statistics (mixed into sandbox.console.Console):

summary     the weekly summary to the security admins now, as the scheduled job sends it: each
            admin inside their working hours gets it once per ISO week; the chart is saved too

`/security stats` (as @sam, the security admin) needs nothing here: it is a slash command.
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path
from typing import Any

import wiring
from bot.core.leadership import process_id
from sandbox.kept import key_file
from sandbox.screen import Screen

HELP = """\
  summary                  the weekly summary to the security admins now (once a week each,
                           in their working hours), with its chart of adoption over time"""


class StatsCommands(Screen):
    def do_summary(self, _: str) -> None:
        if self.place is None:
            self.say("This console runs no scheduled jobs.")
            return
        services = self.place.services
        before = {f["id"] for f in self.standin.uploaded_files(team_id=self.team_id)}
        messenger = wiring.build_messenger(services.settings, services)
        run = services.summaries.send_due(messenger, process_id())
        now = services.clock.now()
        self.say(f"Weekly summary at {now:%a %d %b %Y %H:%M} UTC: {run.summary()}.")
        handles = {person.user_id: f"@{person.short}" for person in self.team.people}
        if run.outside_hours:
            self.say(
                f"Outside working hours for {_handles(run.outside_hours, handles)} (Monday to Friday, "
                "09:00-18:00 in their own time zone): move the app's clock, e.g. time +1d.",
                "dim",
            )
        if run.not_due:
            self.say(f"{_handles(run.not_due, handles)} already had this week's summary.", "dim")
        folder = uploads_folder(services.settings.database_url)
        for uploaded in self.standin.uploaded_files(team_id=self.team_id):
            if uploaded["id"] not in before:
                self.say(f"🖼  The chart {uploaded['name']} was saved as {_save(folder, uploaded)}")
        self.settle(expect=False)


def uploads_folder(database_url: str) -> Path:
    """`uploads/` beside a SQLite database file, else in the temporary directory."""
    beside = key_file(database_url)
    if beside is not None:
        return beside.parent / "uploads"
    return Path(tempfile.gettempdir()) / "security-bot-uploads"


def _handles(user_ids: list[str], known: dict[str, str]) -> str:
    return ", ".join(known.get(user_id, user_id) for user_id in user_ids)


def _save(folder: Path, uploaded: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    # The stand-in's file ids start again with every run: a few random letters keep each file.
    path = folder / f"{uploaded['id']}-{secrets.token_hex(3)}-{Path(uploaded['name']).name}"
    path.write_bytes(uploaded["content"] or b"")
    return path
