"""slack_sdk's OAuth stores on the bot's own database, with nothing usable stored in plain text.

The installation store keeps each workspace's bot token (and refresh token) sealed with the
secret box under SECURITY_BOT_KEYS: the columns' type seals what is written and opens what is
read, so slack_sdk's own queries (which never compare a token) work unchanged; `keys rotate`
re-seals them with the other secrets. The state store keeps only an HMAC of each OAuth state
under SLACK_STATE_SECRET:
someone who reads the table cannot complete another person's install with a state from it.
Their tables are created by our migrations (storage/workspace_models.py), never by create_tables.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, Select, String, Table, and_, bindparam, desc
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from bot.core.secret_box import SecretBox

SEALED_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
SEALED_LENGTH = 1000  # storage/workspace_models.SEALED_TOKEN
STATE_EXPIRY_SECONDS = 600
logger = logging.getLogger("security_bot.installations")


class Sealed(TypeDecorator[str]):
    """A secret stored as a Fernet token (text), opened when read.

    Cacheable: SQLAlchemy keys a statement using this type by `box` (a SecretBox hashes by
    identity), so a compiled statement is reused only with the very box it was compiled with,
    never across boxes. Uncacheable, every authorised request recompiled the store's SELECT of
    the workspace's bot (about 0.4 ms of CPU each; bench/oauth.py measures the lookup).
    """

    impl = String(SEALED_LENGTH)
    cache_ok = True

    def __init__(self, box: SecretBox) -> None:
        super().__init__()
        self.box = box  # named as the parameter: part of the statement cache key

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.box.seal(value).decode("ascii")

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.box.open(str(value).encode("ascii"))


class Keyed(TypeDecorator[str]):
    """A value stored (and compared) as its HMAC-SHA256 under a secret."""

    impl = String(200)
    cache_ok = False

    def __init__(self, secret: str) -> None:
        super().__init__()
        self._key = secret.encode()

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()


def _seal_columns(table: Table, box: SecretBox) -> None:
    for name in SEALED_COLUMNS:
        if name in table.c:
            table.c[name].type = Sealed(box)


class SealedInstallationStore(SQLAlchemyInstallationStore):
    """SQLAlchemyInstallationStore whose tokens are sealed at rest."""

    def __init__(self, client_id: str, engine: Engine, box: SecretBox) -> None:
        super().__init__(client_id=client_id, engine=engine, logger=logger)
        _seal_columns(self.installations, box)
        _seal_columns(self.bots, box)
        self._bot_lookups = {
            (enterprise, team): _bot_lookup(self.bots, client_id, enterprise, team)
            for enterprise in (False, True)
            for team in (False, True)
        }

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """slack_sdk's find_bot (the workspace's latest bot with a token), with the statement
        built once: the authorize runs it on every request, and building it took as long as
        running it (bench/oauth.py measures the lookup)."""
        if is_enterprise_install or team_id is None:
            team_id = None
        lookup = self._bot_lookups[(enterprise_id is not None, team_id is not None)]
        with self.engine.connect() as connection:
            row = (
                connection.execute(lookup, {"enterprise_id": enterprise_id, "team_id": team_id})
                .mappings()
                .first()
            )
        return None if row is None else self.build_bot_entity(row)

    def create_tables(self) -> None:
        raise RuntimeError("the installation tables are created by `app.py db upgrade`")


def _bot_lookup(bots: Table, client_id: str, enterprise: bool, team: bool) -> Select[Any]:
    """The latest bot with a token of a workspace: an id compared, or IS NULL where there is none
    (as slack_sdk's query does; `= NULL` would match nothing)."""
    c = bots.c
    return (
        bots.select()
        .where(
            and_(
                c.client_id == client_id,
                c.enterprise_id == bindparam("enterprise_id")
                if enterprise
                else c.enterprise_id.is_(None),
                c.team_id == bindparam("team_id") if team else c.team_id.is_(None),
                c.bot_token.is_not(None),
            )
        )
        .order_by(desc(c.installed_at))
        .limit(1)
    )


class KeyedStateStore(SQLAlchemyOAuthStateStore):
    """SQLAlchemyOAuthStateStore that stores an HMAC of each state, never the state."""

    def __init__(self, engine: Engine, secret: str) -> None:
        super().__init__(expiration_seconds=STATE_EXPIRY_SECONDS, engine=engine, logger=logger)
        self.oauth_states.c.state.type = Keyed(secret)

    def create_tables(self) -> None:
        raise RuntimeError("the OAuth state table is created by `app.py db upgrade`")
