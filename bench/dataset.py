"""A realistic workspace in a database, built with bulk inserts and cached between runs.

Every member works on two business accounts (one member, `HEAVY_MEMBER`, on twenty more), a
third of the accounts are managed, and most members have some evidence on record: platform
reports of 2-step verification, self-reports, checks the bot verified.
"""

from __future__ import annotations

import hashlib
import random
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, func, insert, select, text, update

from storage.database import alembic_config, upgrade
from storage.models import BusinessAccount, CheckResult, Member, Membership
from storage.scope import serving

# Bump when what the builder writes changes, so cached databases are rebuilt.
DATA_VERSION = "workspace-v2"  # v2: every row belongs to WORKSPACE
SEED = 20261124
ACCOUNTS_PER_MEMBER = 2
HEAVY_ACCOUNTS = 20
HEAVY_MEMBER = "UBHEAVY00"
WORKSPACE = "T0STANDIN"  # the stand-in's team: its rows are kept under its team id
MANAGERS = 50
CACHE = Path(__file__).resolve().parent.parent / ".bench"
_CHUNK = 5_000
_BRANDS = (
    "Acme", "Bolt", "Cedar", "Delta", "Ember", "Fjord", "Gala", "Harbor", "Iris", "Juniper",
    "Kite", "Lumen", "Maple", "Nova", "Orbit", "Pine", "Quill", "River", "Summit", "Tidal",
)  # fmt: skip
_PRODUCTS = ("Shoes", "Bikes", "Coffee", "Books", "Games", "Tea", "Toys", "Skin", "Pets", "Home")
_CHANNELS = ("Ads", "Shop", "Creators", "Brand", "Live")


def member_slack_id(index: int) -> str:
    """The Slack user id of member number `index` (1-based)."""
    return f"UB{index:07d}"


@dataclass(frozen=True)
class Dataset:
    url: str
    members: int
    accounts: int
    built: bool  # False when a cached copy was used
    seconds: float


def schema_version() -> str:
    """The migration heads: a cached database from before a migration is rebuilt."""
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    return ",".join(sorted(heads))


def cache_key(members: int) -> str:
    raw = f"{DATA_VERSION}|{schema_version()}|{members}|{ACCOUNTS_PER_MEMBER}|{HEAVY_ACCOUNTS}"
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


def sqlite_dataset(directory: Path, members: int) -> tuple[str, bool]:
    """The URL of a cached SQLite dataset, building it first if needed; True when built."""
    directory.mkdir(parents=True, exist_ok=True)
    key = cache_key(members)
    path = directory / f"workspace-{members}-{key}.db"
    if path.exists():
        return f"sqlite:///{path}", False
    for stale in directory.glob(f"workspace-{members}-*.db*"):
        stale.unlink()
    building = path.with_suffix(".building")
    for leftover in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
        leftover.unlink(missing_ok=True)
    url = f"sqlite:///{building}"
    upgrade(url)
    engine = create_engine(url)
    try:
        fill(engine, members)
        with engine.begin() as connection:
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            connection.execute(text("PRAGMA journal_mode=DELETE"))
    finally:
        engine.dispose()
    shutil.move(building, path)
    return f"sqlite:///{path}", True


def postgres_dataset(server_url: str, members: int) -> tuple[str, bool]:
    """A cached dataset in its own schema of `server_url`'s database; True when built.

    The schema is filled under a temporary name and renamed when complete, so an interrupted
    build is never mistaken for a cached one.
    """
    key = cache_key(members)
    schema = f"bench_{members}_{key}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            found = connection.scalar(
                text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :name"),
                {"name": schema},
            )
            if found:
                return _with_search_path(server_url, schema), False
            for (old,) in connection.execute(
                text(
                    "SELECT schema_name FROM information_schema.schemata "
                    "WHERE schema_name LIKE :prefix"
                ),
                {"prefix": f"bench\\_{members}\\_%"},
            ):
                connection.execute(text(f'DROP SCHEMA "{old}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}_building"'))
        building_url = _with_search_path(server_url, f"{schema}_building")
        upgrade(building_url)
        engine = create_engine(building_url)
        try:
            fill(engine, members)
            with engine.begin() as connection:
                for model in (Member, BusinessAccount, Membership, CheckResult):
                    # Rows were inserted with their ids; later inserts must not collide.
                    sequence = func.pg_get_serial_sequence(model.__tablename__, "id")
                    highest = select(func.max(model.id)).scalar_subquery()
                    connection.execute(select(func.setval(sequence, highest)))
                connection.execute(text("ANALYZE"))
        finally:
            engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'ALTER SCHEMA "{schema}_building" RENAME TO "{schema}"'))
    finally:
        admin.dispose()
    return _with_search_path(server_url, schema), True


def _with_search_path(url: str, schema: str) -> str:
    joiner = "&" if urlsplit(url).query else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema}"


def refresh_profiles(url: str, at: datetime) -> None:
    """Mark every cached profile fresh, so serving a command never has to ask Slack who it is."""
    engine = create_engine(url)
    try:
        with serving(WORKSPACE), engine.begin() as connection:
            connection.execute(update(Member).values(profile_refreshed_at=at))
    finally:
        engine.dispose()


def fill(engine: Engine, members: int) -> None:
    rng = random.Random(SEED)
    now = datetime.now(UTC).replace(microsecond=0)
    accounts = members * ACCOUNTS_PER_MEMBER
    # Inserts take their workspace from the column's default: the workspace served.
    with serving(WORKSPACE), engine.begin() as connection:
        _bulk(connection, Member, _members(members, now))
        _bulk(connection, BusinessAccount, _accounts(rng, accounts, members, now))
        owners = _owners(rng, members, accounts)
        _bulk(
            connection, Membership, ({"member_id": m, "business_account_id": a} for m, a in owners)
        )
        _bulk(connection, CheckResult, _evidence(rng, owners, members, now))


def _bulk(connection: Any, model: type[Any], rows: Iterator[dict[str, Any]]) -> None:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _CHUNK:
            connection.execute(insert(model), batch)
            batch = []
    if batch:
        connection.execute(insert(model), batch)


def _members(count: int, now: datetime) -> Iterator[dict[str, Any]]:
    for index in range(1, count + 2):  # the last one is the heavy member
        slack_id = member_slack_id(index) if index <= count else HEAVY_MEMBER
        yield {
            "id": index,
            "slack_user_id": slack_id,
            "team_id": WORKSPACE,
            "email": f"{slack_id.lower()}@example.com",
            "display_name": f"Member {index}",
            "time_zone": "Europe/Berlin",
            "profile_refreshed_at": now,
            "created_at": now - timedelta(days=90),
        }


def _accounts(
    rng: random.Random, count: int, members: int, now: datetime
) -> Iterator[dict[str, Any]]:
    for index in range(1, count + 1):
        managed = index % 3 == 0
        name = f"{rng.choice(_BRANDS)} {rng.choice(_PRODUCTS)} {rng.choice(_CHANNELS)} {index}"
        yield {
            "id": index,
            "platform_account_id": str(7_000_000 + index),
            "platform": "tiktok_business",
            "name": name,
            "managed": managed,
            "account_manager_id": rng.randint(1, min(MANAGERS, members)) if managed else None,
            "created_at": now - timedelta(days=60),
        }


def _owners(rng: random.Random, members: int, accounts: int) -> list[tuple[int, int]]:
    """Each member on ACCOUNTS_PER_MEMBER shuffled accounts; the heavy member on twenty more."""
    order = list(range(1, accounts + 1))
    rng.shuffle(order)
    pairs = [
        (member, order[(member - 1) * ACCOUNTS_PER_MEMBER + k])
        for member in range(1, members + 1)
        for k in range(ACCOUNTS_PER_MEMBER)
    ]
    heavy = members + 1
    pairs.extend((heavy, account) for account in rng.sample(range(1, accounts + 1), HEAVY_ACCOUNTS))
    return pairs


def _evidence(
    rng: random.Random, owners: Sequence[tuple[int, int]], members: int, now: datetime
) -> Iterator[dict[str, Any]]:
    def result(
        member: int, check: str, account: int | None, source: str, state: str, **detail: Any
    ) -> dict[str, Any]:
        seen = now - timedelta(minutes=rng.randint(5, 60 * 24 * 30))
        return {
            "member_id": member,
            "check": check,
            "business_account_id": account,
            "state": state,
            "source": source,
            "observed_at": seen,
            "detail": detail,
        }

    for member, account in owners:
        roll = rng.random()
        if roll < 0.55:
            state = "passing" if rng.random() < 0.75 else "needs_action"
            yield result(member, "two_step", account, "platform", state, method="authenticator_app")
        if 0.45 < roll < 0.7:
            yield result(member, "two_step", account, "self", "passing", method="sms")
    for member in range(1, members + 2):
        if rng.random() < 0.25:
            yield result(member, "authenticator", None, "bot", "passing")
        if rng.random() < 0.3:
            state = "passing" if rng.random() < 0.7 else "needs_action"
            yield result(member, "strong_password", None, "bot", state)
        if rng.random() < 0.3:
            yield result(member, "unique_passwords", None, "bot", "passing")
        if rng.random() < 0.5:
            state = "passing" if rng.random() < 0.95 else "needs_action"
            yield result(member, "no_compromised_password", None, "platform", state)
        if rng.random() < 0.2:
            yield result(member, "recovery_email", None, "bot", "passing")
        if rng.random() < 0.4:
            source = "self" if rng.random() < 0.6 else "platform"
            yield result(member, "recovery_phone", None, source, "passing")


def describe(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def in_language(url: str, locale: str) -> str | None:
    """A copy of a SQLite data set whose every member's Slack locale is `locale` (the status
    path in another language); None for a database server (measured in English only)."""
    if not url.startswith("sqlite:///"):
        return None
    source = Path(url.removeprefix("sqlite:///"))
    copy = source.with_name(f"{source.stem}-{locale}.db")
    if not copy.exists() or copy.stat().st_mtime < source.stat().st_mtime:
        shutil.copyfile(source, copy)
        engine = create_engine(f"sqlite:///{copy}")
        with serving(WORKSPACE), engine.begin() as connection:
            connection.execute(text("UPDATE members SET locale = :locale"), {"locale": locale})
        engine.dispose()
    return f"sqlite:///{copy}"
