"""Which workspaces have data: the ones a scheduled job runs for, one after another or side by
side. Spans every workspace on purpose (storage/scope.py)."""

from __future__ import annotations

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from storage.models import BusinessAccount, Member
from storage.scope import every_workspace

UNADOPTED = ""  # rows written before workspaces existed, until a single-workspace start adopts them


def with_data(session: Session) -> list[str]:
    with every_workspace():
        keys = session.scalars(
            union(select(Member.workspace_id), select(BusinessAccount.workspace_id))
        )
        return sorted(key for key in keys if key != UNADOPTED)
