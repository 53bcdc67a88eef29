"""Installs, uninstalls and the purge of a workspace after its retention, on a real database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Bot, Installation
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, event, select

from bot.core.clock import FakeClock
from bot.core.errors import ConfigError
from bot.core.secret_box import SecretBox
from bot.services import Services
from bot.workspaces.service import Install
from handlers.outbound.installations import KeyedStateStore, SealedInstallationStore
from storage.database import Database
from storage.models import AuditRecord
from storage.scope import every_workspace
from storage.workspace_models import Workspace, slack_bots, slack_oauth_states
from storage.workspaces import tables_of_a_workspace

ALPHA = Install("T0ALPHA", None, False, "Alpha Agency", installer_user_id="U0ANA")


def actions(database: Database) -> list[str]:
    """Every workspace's records: each install's are its own workspace's."""
    with every_workspace(), database.sessions() as session:
        return list(session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)))


def test_an_install_is_recorded_with_its_installer_and_audited(
    services: Services, database: Database
) -> None:
    row = services.workspaces.installed(ALPHA)
    again = services.workspaces.installed(ALPHA)

    assert (row.workspace_id, row.name, row.installer_user_id) == (
        "T0ALPHA",
        "Alpha Agency",
        "U0ANA",
    )
    assert again.installed_at == row.installed_at
    assert actions(database) == ["workspace.installed", "workspace.reinstalled"]


def test_an_org_wide_install_is_kept_under_its_enterprise(services: Services) -> None:
    grid = Install("T0ONE", "E0GRID", True, "Grid Org", installer_user_id="W0ANA")

    assert services.workspaces.installed(grid).workspace_id == "E0GRID"


def test_an_uninstalled_workspace_is_purged_after_its_retention_only(
    services: Services, clock: FakeClock, database: Database
) -> None:
    services.workspaces.installed(ALPHA)
    services.workspaces.installed(Install("T0BRAVO", None, False, "Bravo"))
    assert services.workspaces.uninstalled("T0ALPHA", reason="app_uninstalled")
    assert not services.workspaces.uninstalled("T0ALPHA", reason="app_uninstalled")  # once

    clock.advance(timedelta(days=29))
    assert services.workspaces.purge_expired(30) == []
    clock.advance(timedelta(days=2))
    assert services.workspaces.purge_expired(30) == ["T0ALPHA"]

    with database.sessions() as session:
        left = session.scalars(select(Workspace.workspace_id)).all()
    assert left == ["T0BRAVO"]
    # Alpha's own trail went with it but for the purge's one record; Bravo's install stays.
    assert actions(database) == ["workspace.installed", "workspace.purged"]


def test_a_purge_deletes_children_before_their_parents() -> None:
    metadata = MetaData()
    Table(
        "parents", metadata, Column("id", Integer, primary_key=True), Column("workspace_id", String)
    )
    Table(
        "children",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("parent_id", ForeignKey("parents.id")),
        Column("workspace_id", String),
    )
    Table("unscoped", metadata, Column("id", Integer, primary_key=True))

    assert [table.name for table in tables_of_a_workspace(metadata)] == ["children", "parents"]


def test_tokens_are_sealed_at_rest_and_states_kept_only_as_a_keyed_hash(
    database: Database, services: Services
) -> None:
    box = SecretBox((Fernet.generate_key().decode(),))
    store = SealedInstallationStore("1.2", database.engine, box)
    store.save(
        Installation(
            app_id="A0",
            team_id="T0ALPHA",
            team_name="Alpha",
            user_id="U0ANA",
            bot_token="xoxb-alpha-secret",
            bot_id="B0",
            bot_user_id="U0BOT",
        )
    )
    states = KeyedStateStore(database.engine, "s" * 32)
    state = states.issue()

    with database.sessions() as session:
        stored_tokens = session.scalars(select(slack_bots.c.bot_token)).all()
        stored_states = session.scalars(select(slack_oauth_states.c.state)).all()
    assert len(stored_tokens) == 1 and "xoxb" not in stored_tokens[0]
    assert box.open(stored_tokens[0].encode()) == "xoxb-alpha-secret"
    bot = store.find_bot(enterprise_id=None, team_id="T0ALPHA")
    assert bot is not None and bot.bot_token == "xoxb-alpha-secret"
    assert stored_states != [state] and len(stored_states) == 1
    assert states.consume(state) and not states.consume(state)


def test_the_bot_lookup_is_compiled_once_and_never_opened_with_another_box(
    database: Database,
) -> None:
    """Every authorised request looks its workspace's bot up: the SELECT comes from SQLAlchemy's
    statement cache, yet a store sealing with other keys never reuses what was compiled for the
    first one's (it would open tokens with the wrong keys)."""
    box = SecretBox((Fernet.generate_key().decode(),))
    store = SealedInstallationStore("1.2", database.engine, box)
    store.save(
        Installation(app_id="A0", team_id="T0ALPHA", user_id="U0ANA", bot_token="xoxb-alpha-secret")
    )
    lookups: list[object] = []

    def executed(_conn: object, _cursor: object, statement: str, *args: Any) -> None:
        if "FROM slack_bots" in statement:
            lookups.append(args[1].cache_hit)  # args: parameters, context, executemany

    event.listen(database.engine, "before_cursor_execute", executed)
    try:
        for _ in range(2):
            bot = store.find_bot(enterprise_id=None, team_id="T0ALPHA")
            assert bot is not None and bot.bot_token == "xoxb-alpha-secret"
        other = SealedInstallationStore(
            "1.2", database.engine, SecretBox((Fernet.generate_key().decode(),))
        )
        with pytest.raises(ConfigError, match="cannot be decrypted"):
            other.find_bot(enterprise_id=None, team_id="T0ALPHA")
    finally:
        event.remove(database.engine, "before_cursor_execute", executed)
    hit = database.engine.dialect.CACHE_HIT
    assert [found is hit for found in lookups] == [False, True, False]


def test_the_bot_lookup_finds_the_latest_bot_of_a_team_or_of_an_organisation(
    database: Database,
) -> None:
    box = SecretBox((Fernet.generate_key().decode(),))
    store = SealedInstallationStore("1.2", database.engine, box)
    for bot_token, installed_at in (("xoxb-alpha-old", 1_000.0), ("xoxb-alpha-new", 2_000.0)):
        store.save_bot(
            Bot(
                app_id="A0",
                team_id="T0ALPHA",
                bot_token=bot_token,
                bot_id="B0",
                bot_user_id="U0BOT",
                installed_at=installed_at,
            )
        )
    store.save_bot(
        Bot(
            app_id="A0",
            enterprise_id="E0GRID",
            team_id=None,
            is_enterprise_install=True,
            bot_token="xoxb-grid",
            bot_id="B1",
            bot_user_id="U1BOT",
            installed_at=1_500.0,
        )
    )

    def token_of(enterprise: str | None, team: str | None, org_wide: bool = False) -> str | None:
        found = store.find_bot(
            enterprise_id=enterprise, team_id=team, is_enterprise_install=org_wide
        )
        return None if found is None else found.bot_token

    assert token_of(None, "T0ALPHA") == "xoxb-alpha-new"
    assert token_of("E0GRID", "T0ANYWHERE", org_wide=True) == "xoxb-grid"
    assert token_of("E0GRID", None) == "xoxb-grid"
    assert token_of("E0GRID", "T0ALPHA") is None  # the team's bot is not the organisation's
    assert token_of(None, "T0BRAVO") is None
