"""Which workspaces have data: the ones a scheduled job runs for, one after another or side by
side. Spans every workspace on purpose (storage/scope.py)."""

from __future__ import annotations

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from storage.models import BusinessAccount, Member
from storage.scope import every_workspace
from storage.workspace_models import Workspace

UNADOPTED = ""  # rows written before workspaces existed, until a single-workspace start adopts them


def with_data(session: Session) -> list[str]:
    """Workspaces with members or accounts, but for those uninstalled (their data waits for its
    purge, and nothing is sent to them)."""
    with every_workspace():
        keys = set(
            session.scalars(
                union(select(Member.workspace_id), select(BusinessAccount.workspace_id))
            )
        )
        gone = set(
            session.scalars(
                select(Workspace.workspace_id).where(Workspace.uninstalled_at.is_not(None))
            )
        )
        return sorted(keys - gone - {UNADOPTED})


def installed(session: Session) -> list[str]:
    """Workspaces installed and not uninstalled since (OAuth mode, or recorded at start-up)."""
    with every_workspace():
        found = session.scalars(
            select(Workspace.workspace_id).where(Workspace.uninstalled_at.is_(None))
        )
        return sorted(found)
