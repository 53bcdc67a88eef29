"""Installs and uninstalls of the bot, and the purge of a workspace's data after its retention.

Every change is audited under the workspace it concerns (the record is written while serving it),
so a workspace's own trail says when it was installed, by whom, and when it left. A purge deletes
that trail with the rest of the workspace's data, then writes one record of the purge itself, in
the same transaction: the only row that outlives the workspace, with no personal data in it, so
an operator can still tell when and by whom its data was deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.core import audit
from bot.core.clock import Clock
from bot.workspaces.scope import every_workspace, serving, workspace_key
from storage import schema
from storage import workspaces as store
from storage.database import Database
from storage.workspaces import WorkspaceRow

DEFAULT_RETENTION_DAYS = 30


@dataclass(frozen=True)
class Install:
    """What Slack says about an install (the OAuth answer, or auth.test for a configured token)."""

    team_id: str | None
    enterprise_id: str | None
    enterprise_install: bool
    name: str
    installer_user_id: str | None = None

    @property
    def workspace_id(self) -> str:
        return workspace_key(self.team_id, self.enterprise_id, self.enterprise_install)


class Workspaces:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    def installed(self, install: Install) -> WorkspaceRow:
        """Record an install through OAuth (a reinstall refreshes the row), audited."""
        return self._record(install, actor=install.installer_user_id or audit.SYSTEM)

    def configured(self, install: Install) -> WorkspaceRow:
        """Record the workspace of SLACK_BOT_TOKEN at start-up (single-workspace mode). Not
        audited: the operator's configuration chose it, and no one in Slack changed anything."""
        self.adopt_unassigned(install.workspace_id)
        with serving(install.workspace_id), self._database.sessions() as session:
            known = store.find(session, install.workspace_id)
        if known is not None and known.uninstalled_at is None and known.name == install.name:
            return known
        return self._record(install, actor=None)

    def adopt_unassigned(self, workspace_id: str) -> int:
        """Data kept before this version knew workspaces (workspace_id '') is the single
        workspace's: it joins the workspace of SLACK_BOT_TOKEN at the first start (audited)."""
        tables = store.tables_of_a_workspace(schema.metadata)
        with serving(workspace_id), self._database.sessions.begin() as session:
            with every_workspace():
                adopted = store.adopt_unassigned(session, workspace_id, tables)
            if adopted:
                audit.record(
                    session,
                    at=self._clock.now(),
                    actor="system",
                    action="workspace.adopted",
                    target=f"workspace:{workspace_id}",
                    rows=adopted,
                )
        return adopted

    def _record(self, install: Install, *, actor: str | None) -> WorkspaceRow:
        now = self._clock.now()
        row = WorkspaceRow(
            workspace_id=install.workspace_id,
            team_id=None if install.enterprise_install else install.team_id,
            enterprise_id=install.enterprise_id,
            name=install.name,
            enterprise_install=install.enterprise_install,
            installer_user_id=install.installer_user_id,
            installed_at=now,
            uninstalled_at=None,
        )
        with serving(row.workspace_id), self._database.sessions.begin() as session:
            before = store.record_install(session, row)
            first = before is None or before.uninstalled_at is not None
            if actor is not None:
                audit.record(
                    session,
                    at=now,
                    actor=actor,
                    action="workspace.installed" if first else "workspace.reinstalled",
                    target=row.workspace_id,
                    name=row.name,
                    enterprise_id=row.enterprise_id,
                    enterprise_install=row.enterprise_install,
                )
            found = store.find(session, row.workspace_id)
        assert found is not None
        return found

    def find(self, workspace_id: str) -> WorkspaceRow | None:
        with serving(workspace_id), self._database.sessions() as session:
            return store.find(session, workspace_id)

    def uninstalled(self, workspace_id: str, *, reason: str) -> bool:
        """Slack said the app left the workspace (`app_uninstalled`, or its bot token revoked):
        mark it, audited. Its tokens are deleted by the caller, from the installation store."""
        now = self._clock.now()
        with serving(workspace_id), self._database.sessions.begin() as session:
            changed = store.mark_uninstalled(session, workspace_id, now)
            if changed:
                audit.record(
                    session,
                    at=now,
                    actor=audit.SYSTEM,
                    action="workspace.uninstalled",
                    target=workspace_id,
                    reason=reason,
                )
        return changed

    def purge(self, workspace_id: str, *, actor: str = audit.SYSTEM) -> dict[str, int]:
        """Delete every row of the workspace, its installation and tokens included, in one
        transaction; how many rows went, by table."""
        tables = store.tables_of_a_workspace(schema.metadata)
        with serving(workspace_id), self._database.sessions.begin() as session:
            counts = store.purge(session, workspace_id, tables)
            audit.record(
                session,
                at=self._clock.now(),
                actor=actor,
                action="workspace.purged",
                target=workspace_id,
                rows={name: count for name, count in counts.items() if count},
            )
        return counts

    def purge_expired(self, retention_days: int) -> list[str]:
        """Purge every workspace uninstalled more than `retention_days` ago; which were."""
        cutoff = self._clock.now() - timedelta(days=retention_days)
        with every_workspace(), self._database.sessions() as session:
            expired = store.uninstalled_before(session, cutoff)
        for workspace_id in expired:
            self.purge(workspace_id)
        return expired
