"""The one declarative base every model module builds on: times are aware UTC (UTCDateTime),
JSON maps to dicts, and constraint names follow one convention so migrations are stable.

Imports nothing of storage/ but the UTC type and the workspace scope, so any model module can import it without a cycle.
Every table together is storage/schema.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.scope import workspace_id
from storage.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class WorkspaceScoped:
    """A row of one workspace's data. New rows take the workspace being served
    (storage/scope.py), and storage/scoping.py limits every ORM statement to it, so a query that
    forgets the workspace cannot read, change or delete another workspace's rows."""

    workspace_id: Mapped[str] = mapped_column(
        String(32), default=workspace_id, doc="The Slack team, or the organisation (Grid)."
    )
