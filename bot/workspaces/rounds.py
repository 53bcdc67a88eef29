"""A scheduled job's round over the workspaces: each served in turn (or, for the reminders'
delivery, side by side), so every row the job reads or writes is that workspace's, and one
workspace's failure does not stop the others."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.core.logs import CarryingPool
from bot.workspaces.scope import serving
from storage.database import Database
from storage.workspace_keys import installed, with_data

logger = logging.getLogger("security_bot.jobs")
SIDE_BY_SIDE = 8  # workspaces delivered at once; the others wait for a free thread


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
        return [_served(key, work, what) for key in self.keys()].count(False)

    def side_by_side(
        self, work: Callable[[str], None], *, what: str, at_once: int = SIDE_BY_SIDE
    ) -> int:
        """Run `work(key)` for every workspace, up to `at_once` of them at the same time, each
        in a thread of its own serving its workspace; the number that failed. For work that
        mostly waits on Slack at a pace per workspace (the reminders' delivery): one
        workspace's wait, a long queue or a 429's Retry-After, does not hold back the others."""
        keys = self.keys()
        if len(keys) <= 1 or at_once <= 1:
            return self.each(work, what=what)

        # A pool thread starts with an empty context; the pool copies the caller's (its log
        # correlation), and each task chooses its workspace, as `each` does.
        with CarryingPool(max_workers=min(at_once, len(keys)), thread_name_prefix=what) as pool:
            done = list(pool.map(lambda key: _served(key, work, what), keys))
        return done.count(False)


def _served(key: str, work: Callable[[str], None], what: str) -> bool:
    """`work(key)` serving `key`; False (logged) when it failed, so the round goes on."""
    with serving(key):
        try:
            work(key)
        except Exception:
            logger.exception("%s failed for workspace %s", what, key)
            return False
    return True
