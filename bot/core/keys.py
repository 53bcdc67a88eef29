"""`keys rotate`: re-encrypt every stored secret under the first key of SECURITY_BOT_KEYS."""

from __future__ import annotations

from bot.core import audit
from bot.core.clock import Clock, SystemClock
from bot.core.secret_box import SecretBox
from storage import authenticator as link_store
from storage import workspaces as workspace_store
from storage.database import Database
from storage.scope import every_workspace


def rotate_keys(database: Database, box: SecretBox, clock: Clock | None = None) -> int:
    """Returns how many secrets were re-encrypted; all in one transaction."""
    now = (clock or SystemClock()).now()
    with database.sessions.begin() as session:
        links = link_store.all_links_with_secrets(session)
        for link in links:
            link.secret_encrypted = box.reseal(link.secret_encrypted)
        audit.record(
            session,
            at=now,
            actor=audit.SYSTEM,
            action="keys.rotated",
            target="secrets",
            count=len(links),
        )
    return len(links)


def reseal_installation_tokens(database: Database, box: SecretBox) -> int:
    """The bot tokens of OAuth installs (every workspace's, in slack_sdk's tables) re-sealed
    under the first key; how many."""
    with every_workspace(), database.sessions.begin() as session:
        return workspace_store.reseal_installation_tokens(session, box.reseal)
