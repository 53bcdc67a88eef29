"""The stand-in's installs: which token belongs to which workspace, Slack's authorize page, and
`oauth.v2.access` (a code exchanged for a bot token, or a refresh token for a fresh one when the
app rotates its tokens), `apps.uninstall`.

A token answers for its own workspace only; a rotating token stops working when it expires, as
Slack's does ("token_expired"), and an uninstall revokes every token of the workspace.
"""

from __future__ import annotations

import base64
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

from sandbox.slack_methods import ApiError, Workspace
from sandbox.standin_http import Reply, Request

ROTATING_LIFETIME = 12 * 3600  # Slack's rotating tokens live 12 hours


@dataclass
class Grant:
    workspace: Workspace
    expires_at: float | None = None  # wall-clock seconds; None: a token that never expires


@dataclass(frozen=True)
class OAuthApp:
    client_id: str
    client_secret: str
    app_id: str
    rotating: bool
    lifetime: int


class Installs:
    """Tokens, codes and refresh tokens of the stand-in's workspaces (callers hold its lock)."""

    def __init__(self, wall: Callable[[], float]) -> None:
        self._wall = wall
        self.grants: dict[str, Grant] = {}
        self._codes: dict[str, tuple[Workspace, str]] = {}  # code -> workspace, installer
        self._refresh: dict[str, Workspace] = {}
        self.app: OAuthApp | None = None

    def workspace_of(self, token: str) -> Workspace:
        if not token:
            raise ApiError("not_authed")
        grant = self.grants.get(token)
        if grant is None:
            raise ApiError("invalid_auth")
        if grant.expires_at is not None and self._wall() >= grant.expires_at:
            raise ApiError("token_expired")
        return grant.workspace

    def code_for(self, workspace: Workspace, installer: str) -> str:
        """What Slack's authorize page hands back when `installer` allows the app in `workspace`."""
        code = "code-" + secrets.token_hex(8)
        self._codes[code] = (workspace, installer)
        return code

    def access(self, args: dict[str, Any], authorization: str) -> dict[str, Any]:
        """oauth.v2.access: client credentials in the form or in HTTP Basic auth."""
        app = self._client(args, authorization)
        if args.get("grant_type") == "refresh_token":
            workspace = self._refresh.pop(str(args.get("refresh_token") or ""), None)
            if workspace is None:
                raise ApiError("invalid_refresh_token")
            # A refreshed token lives Slack's full 12 hours, whatever the install's first did.
            fresh = self._issue(app, workspace, ROTATING_LIFETIME)
            return {**fresh, "token_type": "bot", "team": _team(workspace)}
        found = self._codes.pop(str(args.get("code") or ""), None)
        if found is None:
            raise ApiError("invalid_code")
        workspace, installer = found
        return {
            **self._issue(app, workspace),
            "app_id": app.app_id,
            "scope": "commands,chat:write,im:write,users:read",
            "token_type": "bot",
            "bot_user_id": workspace.bot_user_id,
            "team": _team(workspace),
            "enterprise": (
                {"id": workspace.enterprise_id, "name": "Stand-in Grid"}
                if workspace.enterprise_id
                else None
            ),
            "is_enterprise_install": False,
            "authed_user": {"id": installer},
        }

    def uninstall(self, args: dict[str, Any], token: str, authorization: str) -> dict[str, Any]:
        """apps.uninstall: every token of the token's workspace stops working."""
        self._client(args, authorization)
        workspace = self.workspace_of(token)
        self.revoke(workspace)
        return {}

    def revoke(self, workspace: Workspace) -> None:
        for token in [t for t, grant in self.grants.items() if grant.workspace is workspace]:
            del self.grants[token]
        for refresh in [r for r, found in self._refresh.items() if found is workspace]:
            del self._refresh[refresh]

    def _issue(
        self, app: OAuthApp, workspace: Workspace, lifetime: int | None = None
    ) -> dict[str, Any]:
        lifetime = lifetime or app.lifetime
        prefix = "xoxe.xoxb-1-" if app.rotating else "xoxb-"
        token = f"{prefix}{workspace.team_id}-{secrets.token_hex(12)}"
        issued: dict[str, Any] = {"access_token": token}
        if app.rotating:
            self.grants[token] = Grant(workspace, self._wall() + lifetime)
            refresh = "xoxe-1-" + secrets.token_hex(16)
            self._refresh[refresh] = workspace
            issued |= {"refresh_token": refresh, "expires_in": lifetime}
        else:
            self.grants[token] = Grant(workspace)
        return issued

    def _client(self, args: dict[str, Any], authorization: str) -> OAuthApp:
        client_id, client_secret = args.get("client_id"), args.get("client_secret")
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization.removeprefix("Basic ")).decode()
            client_id, _, client_secret = decoded.partition(":")
        if self.app is None or client_id != self.app.client_id:
            raise ApiError("invalid_client_id")
        if client_secret != self.app.client_secret:
            raise ApiError("bad_client_secret")
        return self.app


def authorize_redirect(installs: Installs, query: str, workspace: Workspace, user: str) -> str:
    """Slack's authorize page, allowed at once by `user` of `workspace`: where it sends the
    browser back (the app's redirect URI with a code and the state)."""
    asked = {key: values[0] for key, values in parse_qs(query).items()}
    if installs.app is None or asked.get("client_id") != installs.app.client_id:
        raise ApiError("invalid_client_id")
    back = {"code": installs.code_for(workspace, user), "state": asked.get("state", "")}
    return f"{asked.get('redirect_uri', '')}?{urlencode(back)}"


def _team(workspace: Workspace) -> dict[str, str]:
    return {"id": workspace.team_id, "name": workspace.name}


class ManyWorkspaces:
    """The stand-in's workspaces beyond its first, and installing the app in them (a part of
    SlackStandIn, which owns the attributes declared here)."""

    _lock: threading.RLock
    _wall: Callable[[], float]
    _workspace: Workspace  # the first, served by the stand-in's own `bot_token`
    _workspaces: dict[str, Workspace]
    _installs: Installs
    installer: tuple[str, str]
    methods: dict[str, Callable[[Workspace, dict[str, Any]], dict[str, Any]]]  # all it serves

    def add_workspace(
        self,
        team_id: str,
        *,
        name: str,
        bot_token: str | None = None,
        bot_user_id: str = "U0BOT",
        enterprise_id: str | None = None,
    ) -> None:
        """Another workspace, with its own members, messages and bot; reached by a token of its
        own: `bot_token`, or one an OAuth install issues (oauth_app, authorize)."""
        with self._lock:
            bot_id = f"B0{team_id[1:]}"
            workspace = Workspace(team_id, bot_user_id, bot_id, wall=self._wall)
            workspace.name, workspace.enterprise_id = name, enterprise_id
            workspace.origin = self._workspace.origin  # where uploads go, once started
            self._workspaces[team_id] = workspace
            if bot_token is not None:
                self._installs.grants[bot_token] = Grant(workspace)
        stand_in: Any = self  # SlackStandIn.add_user, which shapes every user
        stand_in.add_user(
            bot_user_id, email=None, real_name="Security Bot", is_bot=True, team_id=team_id
        )

    def oauth_app(
        self,
        client_id: str,
        client_secret: str,
        *,
        rotating: bool = False,
        lifetime: int = ROTATING_LIFETIME,
    ) -> None:
        """The app's credentials for oauth.v2.access; `rotating` issues expiring tokens (that
        live `lifetime` seconds) with refresh tokens, as token rotation does."""
        with self._lock:
            self._installs.app = OAuthApp(client_id, client_secret, "A0STANDIN", rotating, lifetime)

    def authorize(self, team_id: str, user_id: str) -> str:
        """A code for oauth.v2.access: `user_id` allowed the app in `team_id` on Slack's page."""
        with self._lock:
            return self._installs.code_for(self._in(team_id), user_id)

    def uninstall(self, team_id: str) -> None:
        """The workspace removed the app in Slack: every token of it stops working."""
        with self._lock:
            self._installs.revoke(self._in(team_id))

    def _in(self, team_id: str | None) -> Workspace:
        if team_id is None:
            return self._workspace
        found = self._workspaces.get(team_id)
        if found is None:
            raise KeyError(f"no workspace {team_id!r}; add_workspace() first")
        return found

    def _answer(self, method: str, args: dict[str, Any], token: str, request: Request) -> Any:
        if method == "oauth.v2.access":  # the app authenticates with its client credentials
            return self._installs.access(args, request.authorization)
        if method == "apps.uninstall":
            return self._installs.uninstall(args, token, request.authorization)
        handler = self.methods.get(method)
        if handler is None:
            raise ApiError("unknown_method")
        return handler(self._installs.workspace_of(token), args)

    def _authorize_page(self, request: Request) -> Reply:
        """Slack's authorize page, where `installer` (a team and a user) allows the app at once."""
        with self._lock:
            team_id, user_id = self.installer
            try:
                target = authorize_redirect(
                    self._installs, request.query, self._in(team_id), user_id
                )
            except ApiError as e:
                return Reply(400, e.error.encode(), "text/plain")
            return Reply(302, b"", "text/plain", location=target)

    def _team_of(self, token: str, payload: dict[str, Any]) -> str:
        """The workspace a call acted for: its token's, or the one an install just chose."""
        grant = self._installs.grants.get(token)
        if grant is not None:
            return grant.workspace.team_id
        return str((payload.get("team") or {}).get("id") or "")
