"""A scheduled job's round over the workspaces: each served in turn, so every row the job reads
or writes is that workspace's, and one workspace's failure does not stop the others."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.workspaces.scope import serving
from storage.database import Database
from storage.workspace_keys import installed, with_data

logger = logging.getLogger("security_bot.jobs")


class WorkspaceRounds:
    def __init__(self, database: Database) -> None:
        self._database = database

    def keys(self) -> list[str]:
        with self._database.sessions() as session:
            return with_data(session)

    def known(self) -> list[str]:
        """Workspaces with data or installed: those a command-line tool may act in."""
        with self._database.sessions() as session:
            return sorted(set(with_data(session)) | set(installed(session)))

    def each(self, work: Callable[[str], None], *, what: str) -> int:
        """Run `work(key)` serving each workspace in turn; the number that failed."""
        failed = 0
        for key in self.keys():
            with serving(key):
                try:
                    work(key)
                except Exception:
                    failed += 1
                    logger.exception("%s failed for workspace %s", what, key)
        return failed
