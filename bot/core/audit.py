"""Audit records for every security-relevant change, and their export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage import audit as audit_store
from storage.database import Database

SYSTEM = "system"


def record(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    target: str,
    **details: Any,
) -> None:
    """Write one record inside the caller's transaction, so it lands with the change or not at all."""
    audit_store.append(session, at=at, actor=actor, action=action, target=target, details=details)


@dataclass(frozen=True)
class Trail:
    """One actor acting on one target at one moment, in the caller's transaction: the records of a
    flow that differ only in their action and details."""

    session: Session
    at: datetime
    actor: str
    target: str

    def record(self, action: str, **details: Any) -> None:
        record(
            self.session, at=self.at, actor=self.actor, action=action, target=self.target, **details
        )


def export_lines(database: Database, since: datetime) -> Iterator[str]:
    """Every record since `since` as JSON lines, oldest first."""
    with database.sessions() as session:
        for item in audit_store.since(session, since):
            yield json.dumps(
                {
                    "at": item.at.isoformat(),
                    "actor": item.actor,
                    "action": item.action,
                    "target": item.target,
                    "details": item.details,
                    "workspace": item.workspace_id,
                },
                sort_keys=True,
            )
