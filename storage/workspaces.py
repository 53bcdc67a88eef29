"""The workspaces the bot serves: their install, their uninstall, and the purge of their data.

A purge is maintenance across the data of one workspace on purpose: it deletes from every table
with a `workspace_id` column, found from the metadata rather than listed, so a table added later
is purged too, children before parents.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import MetaData, Table, and_, delete, or_, select, update
from sqlalchemy.orm import Session

from storage.database import upsert_into
from storage.workspace_models import INSTALLATION_TABLES, Workspace

WORKSPACE_COLUMN = "workspace_id"


@dataclass(frozen=True)
class WorkspaceRow:
    workspace_id: str
    team_id: str | None
    enterprise_id: str | None
    name: str
    enterprise_install: bool
    installer_user_id: str | None
    installed_at: datetime
    uninstalled_at: datetime | None


def _row(found: Workspace) -> WorkspaceRow:
    return WorkspaceRow(
        workspace_id=found.workspace_id,
        team_id=found.team_id,
        enterprise_id=found.enterprise_id,
        name=found.name,
        enterprise_install=found.enterprise_install,
        installer_user_id=found.installer_user_id,
        installed_at=found.installed_at,
        uninstalled_at=found.uninstalled_at,
    )


def find(session: Session, workspace_id: str) -> WorkspaceRow | None:
    found = session.get(Workspace, workspace_id)
    return None if found is None else _row(found)


def record_install(session: Session, row: WorkspaceRow) -> WorkspaceRow | None:
    """Insert or refresh the workspace (a reinstall clears `uninstalled_at`); returns what was
    there before, None for a first install."""
    # Several processes record the same workspace when they start: the row is made once.
    fresh = {"name": row.name, "enterprise_install": row.enterprise_install}
    made = session.execute(
        upsert_into(session, Workspace.__table__)
        .values(workspace_id=row.workspace_id, installed_at=row.installed_at, **fresh)
        .on_conflict_do_nothing(index_elements=["workspace_id"])
        .returning(Workspace.workspace_id)
    )
    found = session.get(Workspace, row.workspace_id, with_for_update=True, populate_existing=True)
    assert found is not None
    before = None if made.first() is not None else _row(found)
    found.team_id = row.team_id
    found.enterprise_id = row.enterprise_id
    found.name = row.name
    found.enterprise_install = row.enterprise_install
    if row.installer_user_id is not None or before is None:
        found.installer_user_id = row.installer_user_id
    if before is None or before.uninstalled_at is not None:
        found.installed_at = row.installed_at
    found.uninstalled_at = None
    session.flush()
    return before


def mark_uninstalled(session: Session, workspace_id: str, at: datetime) -> bool:
    """True when the workspace was in use and is now marked uninstalled."""
    found = session.get(Workspace, workspace_id, with_for_update=True)
    if found is None or found.uninstalled_at is not None:
        return False
    found.uninstalled_at = at
    return True


def uninstalled_before(session: Session, moment: datetime) -> list[str]:
    """Workspaces uninstalled before `moment`: their data is past its retention."""
    return list(
        session.scalars(
            select(Workspace.workspace_id)
            .where(Workspace.uninstalled_at < moment)
            .order_by(Workspace.workspace_id)
        )
    )


def tables_of_a_workspace(metadata: MetaData) -> list[Table]:
    """Every table with a `workspace_id` column, in an order a purge can delete in: referring
    tables before the tables they refer to."""
    ordered = metadata.sorted_tables  # parents first
    return [table for table in reversed(ordered) if WORKSPACE_COLUMN in table.c]


def purge(session: Session, workspace_id: str, tables: Sequence[Table]) -> dict[str, int]:
    """Delete every row of the workspace from `tables` and its installation rows (tokens
    included); how many rows went, by table."""
    counts: dict[str, int] = {}
    for table in tables:
        gone = session.execute(delete(table).where(table.c[WORKSPACE_COLUMN] == workspace_id))
        counts[table.name] = int(getattr(gone, "rowcount", 0))
    for table in INSTALLATION_TABLES:
        # A team's install has its team id; an organisation's has no team, only the enterprise.
        of_it = or_(
            table.c.team_id == workspace_id,
            and_(table.c.team_id.is_(None), table.c.enterprise_id == workspace_id),
        )
        counts[table.name] = int(
            getattr(session.execute(delete(table).where(of_it)), "rowcount", 0)
        )
    return counts


def adopt_unassigned(session: Session, workspace_id: str, tables: Sequence[Table]) -> int:
    """Give the rows written before workspaces existed (workspace_id '') to `workspace_id`: the
    single workspace the bot served then. How many rows it took."""
    adopted = 0
    for table in tables:
        moved = session.execute(
            update(table).where(table.c[WORKSPACE_COLUMN] == "").values(workspace_id=workspace_id)
        )
        adopted += int(getattr(moved, "rowcount", 0))
    return adopted


SEALED_TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")


def reseal_installation_tokens(session: Session, reseal: Callable[[bytes], bytes]) -> int:
    """Every sealed token of the installation tables passed through `reseal` (`keys rotate`);
    how many tokens were re-sealed."""
    count = 0
    for table in INSTALLATION_TABLES:
        columns = [table.c[name] for name in SEALED_TOKEN_COLUMNS if name in table.c]
        for row in session.execute(select(table.c.id, *columns)).all():
            fresh = {
                column.name: reseal(value.encode("ascii")).decode("ascii")
                for column, value in zip(columns, row[1:], strict=True)
                if value is not None
            }
            if fresh:
                session.execute(update(table).where(table.c.id == row[0]).values(**fresh))
                count += len(fresh)
    return count
