"""The Slack client for the workspace being served, for what the bot sends on its own (reminders,
case reminders, the weekly summary and its chart): with that workspace's own bot token.

With SLACK_BOT_TOKEN there is one workspace and one token. In OAuth mode the token is the
workspace's installation (storage.scope's current workspace says which), read from the
installation store and kept a short while, refreshed first when token rotation says it expires
soon; an uninstalled workspace has no token, and its sends fail as Slack would refuse them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot, InstallationStore
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.services import Services
from bot.workspaces.scope import workspace_id

# How long a token read from the store is reused before it is read again: a burst of reminders
# to one workspace reads it once, and a token deleted at an uninstall is not used for longer.
KEEP_SECONDS = 5.0


class NotInstalled(LookupError):
    """The workspace being served has no bot token (never installed, or uninstalled)."""


@dataclass(frozen=True)
class _Kept:
    bot: Bot
    until: float


class InstalledTokens:
    """The bot token of the workspace being served, from the installation store."""

    def __init__(
        self,
        store: InstallationStore,
        services: Services,
        rotator: TokenRotator | None,
        refresh_minutes: int,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._services = services
        self._rotator = rotator
        self._refresh_minutes = refresh_minutes
        self._monotonic = monotonic
        self._kept: dict[str, _Kept] = {}
        self._lock = threading.Lock()

    def __call__(self) -> str:
        serving = workspace_id()
        with self._lock:
            kept = self._kept.get(serving)
        bot = kept.bot if kept and kept.until > self._monotonic() else self._read(serving)
        if self._rotator is not None and bot.bot_refresh_token:
            refreshed = self._rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=self._refresh_minutes
            )
            if refreshed is not None:
                self._store.save_bot(refreshed)
                bot = refreshed
        with self._lock:
            self._kept[serving] = _Kept(bot, self._monotonic() + KEEP_SECONDS)
        assert bot.bot_token is not None  # find_bot returns only bots with a token
        return bot.bot_token

    def _read(self, serving: str) -> Bot:
        workspace = self._services.workspaces.find(serving)
        if workspace is None or workspace.uninstalled_at is not None:
            raise NotInstalled(f"the bot is not installed in {serving}")
        bot = self._store.find_bot(
            enterprise_id=workspace.enterprise_id,
            team_id=workspace.team_id,
            is_enterprise_install=workspace.enterprise_install,
        )
        if bot is None or not bot.bot_token:
            raise NotInstalled(f"no bot token for {serving}")
        return bot


class WorkspaceClients:
    """One WebClient per token (built alike, retries and all), handed out for the workspace
    being served; a single token's client when there is one workspace."""

    def __init__(self, build: Callable[[str], WebClient], token: Callable[[], str]) -> None:
        self._build = build
        self._token = token
        self._clients: dict[str, WebClient] = {}
        self._lock = threading.Lock()

    def __call__(self) -> WebClient:
        token = self._token()
        with self._lock:
            client = self._clients.get(token)
            if client is None:
                if len(self._clients) > 1000:  # rotated tokens: drop the old ones' clients
                    self._clients.clear()
                client = self._clients[token] = self._build(token)
            return client


class ServedWorkspaceClient(WebClient):
    """A WebClient whose token is the served workspace's, asked at every call: for what the app
    sends outside a Slack request (the platform APIs' DMs, the one-time pages' follow-ups), where
    no authorize gave a client its workspace's token. In OAuth mode only: one client, many
    workspaces, each call with the token of the one being served then."""

    def __init__(self, token: Callable[[], str], **options: Any) -> None:
        self._served_token = token
        super().__init__(**options)

    @property  # WebClient's plain attribute, asked here at each call
    def token(self) -> str | None:
        return self._served_token()

    @token.setter
    def token(self, _given: str | None) -> None:
        """WebClient's constructor sets one; the workspace served at each call decides instead."""
