"""Migrations an operator can run twice: one head, `db upgrade` started twice at once on
PostgreSQL, and `serve` refusing a schema older than its code with one clear line."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, inspect

from storage.database import alembic_config, schema_version
from tests.conftest import BACKENDS, empty_schema_url
from tests.e2e.conftest import REPO_ROOT, bot_environment, run_app

needs_postgresql = pytest.mark.skipif(
    "postgresql" not in BACKENDS, reason="PostgreSQL is not among TEST_DATABASES"
)


@pytest.fixture
def empty_schema() -> Iterator[str]:
    """A schema of its own in the `test` database, with no table in it."""
    with empty_schema_url("m") as url:
        yield url


def test_the_migrations_have_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


@needs_postgresql
def test_three_db_upgrades_at_once_all_succeed(empty_schema: str) -> None:
    env = bot_environment(DATABASE_URL=empty_schema)
    runs = [
        subprocess.Popen(
            [sys.executable, "app.py", "db", "upgrade"],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outcomes = [(run.wait(timeout=120), run.communicate()[1]) for run in runs]
    assert [code for code, _ in outcomes] == [0, 0, 0], outcomes
    version = schema_version(empty_schema)
    assert version is not None
    assert (version.database, version.behind) == ((version.code,), False)
    assert run_app("db", "upgrade", env=env).returncode == 0  # and once more: nothing to do


def serve_environment(url: str) -> dict[str, str]:
    return bot_environment(
        DATABASE_URL=url,
        SLACK_BOT_TOKEN="xoxb-never-used",
        SLACK_SIGNING_SECRET="never-used",
        SECURITY_BOT_KEYS=Fernet.generate_key().decode(),
    )


def test_serve_refuses_a_schema_older_than_its_code(database_url: str) -> None:
    command.downgrade(alembic_config(database_url), "0002")
    served = run_app("serve", "--port", "0", env=serve_environment(database_url), timeout=60)
    assert served.returncode == 2
    version = schema_version(database_url)
    assert version is not None
    head = version.code
    assert served.stderr.strip().splitlines() == [
        f"configuration error: the database schema is at 0002, this code needs {head}: "
        "run `python app.py db upgrade`"
    ]
    assert run_app("db", "upgrade", env=serve_environment(database_url)).returncode == 0
    upgraded = schema_version(database_url)
    assert upgraded is not None and not upgraded.behind


def test_serve_refuses_a_database_never_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    served = run_app("serve", "--port", "0", env=serve_environment(url), timeout=60)
    assert served.returncode == 2
    assert "the database schema is at no revision (empty)" in served.stderr
    assert "members" not in inspect(create_engine(url)).get_table_names()
