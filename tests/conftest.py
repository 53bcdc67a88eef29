"""Shared fixtures: a real database (SQLite file and the machine's PostgreSQL), a fake clock,
the Slack stand-in, and small factories so tests read like the scenario they check."""

from __future__ import annotations

import contextvars
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.services import Services, build_services
from sandbox.slack_standin import SlackStandIn
from storage.database import Database, connect, upgrade
from storage.models import BusinessAccount, Member, Membership
from storage.schema import Base
from storage.scope import serving

POSTGRES_SERVER = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = [
    b.strip() for b in os.environ.get("TEST_DATABASES", "sqlite,postgresql").split(",") if b.strip()
]
ADMIN = "U0ADMIN"
WORKSPACE = "T0STANDIN"  # the stand-in's team: what signed test requests name
T = TypeVar("T")
START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; every test copies the migrated file."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@contextmanager
def empty_schema_url(prefix: str) -> Iterator[str]:
    """A schema of its own in the `test` database, with no table in it; dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_SERVER}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def carrying(target: Callable[..., T]) -> Callable[..., T]:
    """`target` run from another thread in the test's context, so in its workspace (a new
    thread starts with an empty context; one copy per call, as each thread needs its own)."""
    context = contextvars.copy_context()

    def run(*args: Any, **kwargs: Any) -> T:
        return context.copy().run(target, *args, **kwargs)

    return run


@pytest.fixture(autouse=True)
def serving_the_test_workspace() -> Iterator[str]:
    """The test itself acts in the stand-in's workspace, as a request from it would; the app's
    own requests and jobs choose theirs as in production."""
    with serving(WORKSPACE):
        yield WORKSPACE


@pytest.fixture(autouse=True)
def root_logging_restored() -> Iterator[None]:
    """A test that runs app.py's main() in-process sets up the root logger as a process would;
    the next tests get the logging they started with, not its handlers and level."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A private schema in the `test` database for this test process, migrated once."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES_SERVER}?options=-csearch_path%3D{schema}"
    upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "bot.db"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_schema_url")
    engine = create_engine(url)
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = connect(database_url, pool_size=4)
    yield db
    db.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def signing_secret() -> str:
    return "test-signing-secret-" + uuid.uuid4().hex


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as server:
        yield server


@pytest.fixture
def settings(database_url: str, signing_secret: str, standin: SlackStandIn) -> Settings:
    return Settings(
        slack_bot_token="xoxb-standin",
        slack_signing_secret=signing_secret,
        slack_api_url=standin.base_url,
        database_url=database_url,
        security_bot_keys=(Fernet.generate_key().decode(),),
        security_admins=frozenset({ADMIN}),
        request_threads=8,
    )


@pytest.fixture
def services(settings: Settings, clock: FakeClock, database: Database) -> Services:
    return build_services(settings, clock, database)


MemberFactory = Callable[..., Member]
AccountFactory = Callable[..., BusinessAccount]


@pytest.fixture
def member(database: Database, clock: FakeClock, standin: SlackStandIn) -> MemberFactory:
    """member("U1", email=...) creates a member, known to the Slack stand-in too, with the profile
    filled as if users.info had answered."""

    def make(
        slack_user_id: str | None,
        *,
        email: str | None = None,
        name: str | None = None,
        time_zone: str = "Europe/Berlin",
        profile_fresh: bool = True,
    ) -> Member:
        with database.sessions.begin() as session:
            row = Member(
                slack_user_id=slack_user_id,
                team_id="T0STANDIN",
                email=email or (f"{slack_user_id.lower()}@example.com" if slack_user_id else None),
                display_name=name or slack_user_id,
                time_zone=time_zone,
                profile_refreshed_at=clock.now() if profile_fresh else None,
                created_at=clock.now(),
            )
            session.add(row)
        if slack_user_id is not None:
            standin.add_user(
                slack_user_id, email=row.email, real_name=row.display_name or "", tz=time_zone
            )
        return row

    return make


@pytest.fixture
def account(database: Database, clock: FakeClock) -> AccountFactory:
    """account("Acme Shoes Ads", members=[ana], manager=dana) creates a business account."""
    counter = iter(range(7_000_000, 8_000_000))

    def make(
        name: str,
        *,
        members: tuple[Member, ...] | list[Member] = (),
        manager: Member | None = None,
        managed: bool | None = None,
        platform: str = "tiktok_business",
        platform_account_id: str | None = None,
    ) -> BusinessAccount:
        with database.sessions.begin() as session:
            row = BusinessAccount(
                platform_account_id=platform_account_id or str(next(counter)),
                platform=platform,
                name=name,
                managed=manager is not None if managed is None else managed,
                account_manager_id=manager.id if manager else None,
                created_at=clock.now(),
            )
            session.add(row)
            session.flush()
            for person in members:
                session.add(Membership(member_id=person.id, business_account_id=row.id))
        return row

    return make
