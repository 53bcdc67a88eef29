"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint, inspect

from handlers.jobs.scheduler import JOB_TABLE
from storage.database import Database, alembic_config
from storage.models import AuditRecord
from storage.schema import Base


def _not_the_job_store(
    item: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """APScheduler creates and owns its job table in the same database (handlers/jobs/scheduler.py)."""
    return not (type_ == "table" and name == JOB_TABLE)


def test_migrated_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _not_the_job_store}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_and_upgrade_again(database_url: str, database: Database) -> None:
    config = alembic_config(database_url)
    command.downgrade(config, "base")
    assert "members" not in inspect(database.engine).get_table_names()
    command.upgrade(config, "head")
    assert "members" in inspect(database.engine).get_table_names()


def test_times_come_back_as_aware_utc(database: Database) -> None:
    berlin = timezone(timedelta(hours=1))
    with database.sessions.begin() as session:
        session.add(
            AuditRecord(
                at=datetime(2026, 11, 24, 11, 0, tzinfo=berlin), actor="x", action="y", target="z"
            )
        )
    with database.sessions() as session:
        stored = session.get(AuditRecord, 1)
    assert stored is not None
    assert stored.at == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert stored.at.tzinfo is not None and stored.at.utcoffset() == timedelta(0)


def test_every_foreign_key_leads_an_index() -> None:
    """Deleting a referenced row makes the database look for its referrers: without an index on
    the referring column, once per deleted row through the whole referring table."""
    unindexed = []
    for table in Base.metadata.sorted_tables:
        leading = {index.columns[0].name for index in table.indexes}
        leading |= {
            constraint.columns[0].name
            for constraint in table.constraints
            if isinstance(constraint, (PrimaryKeyConstraint, UniqueConstraint))
            and len(constraint.columns) > 0
        }
        unindexed += [
            f"{table.name}.{key.columns[0].name}"
            for key in table.foreign_key_constraints
            if key.columns[0].name not in leading
        ]
    assert unindexed == []
