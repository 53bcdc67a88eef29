"""Reading and writing the served workspace's settings row (storage/settings_models.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.settings_models import WorkspaceSettingsRow

# The columns an admin edits, in the order the settings modal shows them.
EDITABLE = (
    "security_admins",
    "escalation_channel",
    "support_channel",
    "support_contact",
    "support_handlers",
    "reminder_cap",
    "working_hours_start",
    "working_hours_end",
    "working_days",
    "default_time_zone",
    "language",
    "case_targets",
)


@dataclass(frozen=True)
class StoredSettings:
    """The stored values (None: use the default), detached from any session."""

    values: dict[str, Any]
    changed_at: datetime | None = None
    changed_by: str | None = None


def find(session: Session, *, lock: bool = False) -> StoredSettings | None:
    """The served workspace's row, or None when it has none (every value is the default)."""
    statement = select(WorkspaceSettingsRow)
    if lock:
        statement = statement.with_for_update()
    row = session.scalars(statement).one_or_none()
    if row is None:
        return None
    values = {name: _copy(getattr(row, name)) for name in EDITABLE}
    return StoredSettings(values, row.changed_at, row.changed_by)


def save(session: Session, values: dict[str, Any], *, at: datetime, by: str) -> bool:
    """Write the served workspace's row (created when missing); whether it was created."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable settings: {', '.join(sorted(unknown))}")
    row = session.scalars(select(WorkspaceSettingsRow).with_for_update()).one_or_none()
    created = row is None
    if row is None:
        row = WorkspaceSettingsRow()
        session.add(row)
    for name, value in values.items():
        setattr(row, name, _copy(value))
    row.changed_at, row.changed_by = at, by
    session.flush()
    return created


def _copy(value: Any) -> Any:
    """Lists are copied in and out, so a caller's list never aliases a JSON column's value."""
    return list(value) if isinstance(value, list | tuple | frozenset | set) else value
