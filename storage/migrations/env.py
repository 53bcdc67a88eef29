"""Alembic environment: runs migrations online against the configured URL.

On PostgreSQL every run first takes a transaction-scoped advisory lock (per schema), so two
`db upgrade` started at once run one after the other: the second reads the version the first
committed and has nothing left to do, instead of failing on a table or version row the first
one created. SQLite serialises writers by itself."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text

from storage.schema import Base

config = context.config
MIGRATION_LOCK = "security-bot:migrations"


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Held until this transaction ends; Alembic reads the version after it.
                connection.execute(
                    text(
                        "SELECT pg_advisory_xact_lock("
                        "hashtextextended(:lock || ':' || current_schema(), 0))"
                    ),
                    {"lock": MIGRATION_LOCK},
                )
            context.run_migrations()
    engine.dispose()


run_migrations()
