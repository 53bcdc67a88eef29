"""A loopback stand-in for the Slack Web API, for tests and the local sandbox console.

The bot reaches it exactly as it reaches Slack: `WebClient(base_url=standin.base_url, token=...)`.
It answers the handful of methods the bot uses, refuses what Slack would refuse (bad auth,
missing fields, Block Kit over its limits), can inject rate limits and server errors, and records
everything it was sent so tests can assert on it. A message's ts is the Unix time of `wall` (the
real clock, or a test's), as Slack's is, so conversations.history's `oldest` means what it means.
"""

from __future__ import annotations

import copy
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self, TypeVar
from urllib.parse import urlsplit

from sandbox import slack_files, slack_history, slack_oauth
from sandbox.block_rules import validate_blocks, validate_view
from sandbox.slack_limits import ANY_WORKSPACE, Failure, Refusals
from sandbox.slack_methods import METHODS as CORE_METHODS
from sandbox.slack_methods import ApiError, Workspace, read_args
from sandbox.standin_http import LoopbackStandIn, Reply, Request, json_reply

__all__ = ["Call", "SlackStandIn", "validate_blocks", "validate_view"]

T = TypeVar("T")
RESPONSE_URL = "response_url"  # the `method` under which response_url posts are recorded
UPLOAD = "upload"  # and the upload step of files_upload_v2
METHODS = {**CORE_METHODS, **slack_files.METHODS, **slack_history.METHODS}


@dataclass(frozen=True)
class Call:
    """One request the stand-in answered; `at` comes from the stand-in's clock."""

    method: str
    args: dict[str, Any]
    ok: bool
    at: float
    team: str = ""  # the workspace whose token made the call


class SlackStandIn(slack_oauth.ManyWorkspaces, LoopbackStandIn):
    """Serves Slack Web API methods on 127.0.0.1 from a daemon thread; see the module docstring."""

    methods = METHODS

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-standin",  # noqa: S107 - a stand-in, not a secret
        team_id: str = "T0STANDIN",
        bot_user_id: str = "U0BOT",
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.bot_token = bot_token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = "B0STANDIN"
        self._clock = clock
        self._lock = threading.RLock()
        self._wall = wall
        self._workspace = Workspace(team_id, bot_user_id, self.bot_id, wall=wall)
        self._workspaces = {team_id: self._workspace}
        self._installs = slack_oauth.Installs(wall)
        self._installs.grants[bot_token] = slack_oauth.Grant(self._workspace)
        self.installer = (team_id, "U0INSTALLER")  # who "allows" on the authorize page
        self._calls: list[Call] = []
        self._response_tokens: set[str] = set()
        self._response_posts: list[dict[str, Any]] = []
        self._refusals = Refusals()  # injected failures, bursts, rate limits (per workspace)
        self.add_user(bot_user_id, email=None, real_name="Security Bot", is_bot=True)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        super().start()
        for workspace in self._workspaces.values():
            workspace.origin = self.origin
        return self

    @property
    def base_url(self) -> str:
        return f"{self.origin}/api/"

    # -- arranging ---------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        email: str | None,
        real_name: str,
        tz: str = "Europe/Berlin",
        tz_offset: int = 3600,
        is_bot: bool = False,
        deleted: bool = False,
        is_admin: bool = False,
        display_name: str = "",
        team_id: str | None = None,
        locale: str = "en-US",
    ) -> None:
        """Add (or replace) a workspace member, shaped like Slack's user object; in the first
        workspace unless `team_id` names another (add_workspace). `locale` is answered only to
        a call asking for it (`include_locale`), as Slack does."""
        profile: dict[str, Any] = {
            "real_name": real_name,
            "display_name": display_name,
            "real_name_normalized": real_name,
        }
        if email is not None:
            profile["email"] = email
        workspace = self._in(team_id)
        if is_bot:
            own = user_id == workspace.bot_user_id
            profile["bot_id"] = workspace.bot_id if own else f"B{user_id[1:]}"
        name = email.split("@")[0] if email else real_name.lower().replace(" ", ".")
        with self._lock:
            workspace.users[user_id] = {
                "id": user_id,
                "team_id": workspace.team_id,
                "name": name,
                "real_name": real_name,
                "deleted": deleted,
                "is_bot": is_bot,
                "is_admin": is_admin,
                "tz": tz,
                "tz_offset": tz_offset,
                "profile": profile,
                "locale": locale,
            }

    def response_url(self) -> str:
        """A fresh response_url; what the bot POSTs to it shows up in `response_url_posts()`."""
        token = secrets.token_urlsafe(12)
        with self._lock:
            self._response_tokens.add(token)
        return f"{self.origin}/response/{token}"

    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Fail the next `times` calls of `method` (or "response_url", or "upload").

        A 429 (or any `retry_after`) answers "ratelimited" with a Retry-After header, a 5xx answers
        an HTML page, and anything else answers `{"ok": false, "error": error}` with `status`.
        """
        if method not in METHODS and method not in (RESPONSE_URL, UPLOAD):
            raise ValueError(f"the stand-in does not serve {method!r}")
        if retry_after is not None:
            status = 429
        if status == 429:
            retry_after = 1 if retry_after is None else retry_after
        elif status < 500 and error is None:
            raise ValueError(f"say which error a {status} answer carries")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            queue = self._refusals.failures.setdefault(method, deque())
            queue.append(Failure(status, error, retry_after, times))

    def fail_burst(
        self, *, status: int, calls: int, retry_after: int = 1, team_id: str | None = None
    ) -> None:
        """Fail the next `calls` Web API calls, whatever their method: a burst of 429s (with
        `retry_after`) or of 5xx pages, as Slack answers when it is overloaded or down briefly.
        With `team_id`, only that workspace's calls (by their token) fail; the others pass.
        Bursts queue behind each other; a method's own `fail_next` failures come first, then
        the caller's workspace's bursts, then those for any workspace."""
        if status != 429 and not 500 <= status < 600:
            raise ValueError("a burst answers 429 or a 5xx")
        if calls < 1:
            raise ValueError("calls must be at least 1")
        with self._lock:
            self._refusals.burst(
                ANY_WORKSPACE if team_id is None else self._in(team_id).team_id,
                Failure(status, None, retry_after if status == 429 else None, calls),
            )

    def set_rate_limit(self, method: str, per_minute: int) -> None:
        """Answer 429 once `method` was called `per_minute` times in the last 60 seconds by the
        same workspace (Slack counts each workspace on its own: sandbox/slack_limits.py)."""
        if method not in METHODS:
            raise ValueError(f"the stand-in does not serve {method!r}")
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        with self._lock:
            self._refusals.limits[method] = per_minute

    def time_zone(self, user_id: str, *, team_id: str | None = None) -> str | None:
        """The member's `tz`, as users.info reports it."""
        with self._lock:
            user = self._in(team_id).users.get(user_id)
            return None if user is None else str(user["tz"])

    def set_locale(self, user_id: str, locale: str, *, team_id: str | None = None) -> None:
        """The member changed their Slack language (users.info answers it from now on)."""
        with self._lock:
            self._in(team_id).users[user_id]["locale"] = locale

    def dm_channel(self, user_id: str, *, team_id: str | None = None) -> str:
        """The direct-message channel id `conversations.open` returns for `user_id`."""
        with self._lock:
            return self._in(team_id).dm_channel(user_id)

    # -- asserting ---------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [
                Call(c.method, copy.deepcopy(c.args), c.ok, c.at, c.team)
                for c in self._calls
                if method is None or c.method == method
            ]

    def messages(
        self, channel: str | None = None, *, team_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Every posted message in its current state; a user id selects that user's DM."""
        with self._lock:
            workspace = self._in(team_id)
            if channel is not None and channel[:1] in "UW" and channel in workspace.users:
                channel = workspace.dm_channel(channel)
            found = [m for m in workspace.messages if channel is None or m["channel"] == channel]
            return copy.deepcopy(found)

    def published_view(self, user_id: str, *, team_id: str | None = None) -> dict[str, Any] | None:
        """The member's Home tab; as every pane here, in the first workspace unless `team_id`."""
        with self._lock:
            workspace = self._in(team_id)
            view_id = workspace.published.get(user_id)
            return None if view_id is None else copy.deepcopy(workspace.views[view_id])

    def opened_views(self, *, team_id: str | None = None) -> list[dict[str, Any]]:
        """Modals from views.open and views.push, with their `trigger_id`, as updated since."""
        with self._lock:
            workspace = self._in(team_id)
            return [copy.deepcopy(workspace.views[view_id]) for view_id in workspace.opened]

    def uploaded_files(self, *, team_id: str | None = None) -> list[dict[str, Any]]:
        """Every file uploaded, with its `content` (bytes), the `channels` it was shared in and
        the `comments` it was shared with."""
        with self._lock:
            return copy.deepcopy(list(self._in(team_id).files.values()))

    def response_url_posts(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._response_posts)

    def wait_for(self, predicate: Callable[[], T | None], timeout: float = 5.0) -> T:
        """Poll `predicate` until it returns something truthy, and return that."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                seen = ", ".join(f"{c.method}{'' if c.ok else ' (failed)'}" for c in self.calls())
                name = getattr(predicate, "__qualname__", repr(predicate))
                raise AssertionError(
                    f"{name} still returned {value!r} after {timeout}s; "
                    f"calls so far: {seen or 'none'}"
                )
            time.sleep(0.01)

    # -- serving -----------------------------------------------------------------------------

    def _handle(self, request: Request) -> Reply:
        path = urlsplit(request.path).path
        if path.startswith("/api/"):
            return self._api(path.removeprefix("/api/"), request)
        if path == "/oauth/v2/authorize":
            return self._authorize_page(request)
        if path.startswith("/response/"):
            return self._respond(path.removeprefix("/response/"), request)
        if path.startswith(slack_files.UPLOAD_PATH):
            return self._upload(path.removeprefix(slack_files.UPLOAD_PATH), request)
        return Reply(404, b"not found", "text/plain")

    def _record(
        self, method: str, args: dict[str, Any], ok: bool, at: float, team: str = ""
    ) -> None:
        self._calls.append(Call(method, copy.deepcopy(args), ok, at, team))

    def _api(self, method: str, request: Request) -> Reply:
        with self._lock:
            now = self._clock()
            args: dict[str, Any] = {}
            team = ""
            try:
                args = read_args(request.query, request.content_type, request.body)
                bearer = request.authorization.startswith("Bearer ")
                token = request.authorization.removeprefix("Bearer ").strip() if bearer else ""
                token = token or str(args.pop("token", ""))
                args.pop("token", None)  # never record a secret
                grant = self._installs.grants.get(token)
                caller = grant.workspace.team_id if grant is not None else ""
                refusal = self._refusals.refusal(method, now, caller, web_api=method in METHODS)
                if refusal is not None:
                    self._record(method, args, False, now, caller)
                    return refusal
                payload = {"ok": True, **self._answer(method, args, token, request)}
                team = self._team_of(token, payload)
            except ApiError as e:
                payload = {"ok": False, "error": e.error, **e.extra}
            for secret in ("client_secret", "code", "refresh_token"):
                args.pop(secret, None)  # never record a secret
            self._record(method, args, payload["ok"], now, team)
            return json_reply(payload)

    def _upload(self, token: str, request: Request) -> Reply:
        """The bytes of a file, POSTed to the URL files.getUploadURLExternal answered."""
        with self._lock:
            now = self._clock()
            refusal = self._refusals.refusal(UPLOAD, now, "", web_api=False)
            received = any(
                slack_files.receive(workspace, token, request.body)
                for workspace in self._workspaces.values()
            )
            if refusal is None and not received:
                refusal = Reply(404, b"not found", "text/plain")
            self._record(UPLOAD, {"length": len(request.body)}, refusal is None, now)
            return refusal or Reply(200, f"OK - {len(request.body)}".encode(), "text/plain")

    def _respond(self, token: str, request: Request) -> Reply:
        with self._lock:
            now = self._clock()
            try:
                body = json.loads(request.body or b"null")
            except ValueError:
                body = None
            args = body if isinstance(body, dict) else {}
            refusal = self._refusals.refusal(RESPONSE_URL, now, "", web_api=False)
            if refusal is None and token not in self._response_tokens:
                refusal = Reply(404, b"no_active_hooks", "text/plain")
            elif refusal is None and not isinstance(body, dict):
                refusal = Reply(400, b"invalid_payload", "text/plain")
            elif refusal is None and validate_blocks(args.get("blocks", []), surface="message"):
                refusal = Reply(400, b"invalid_blocks", "text/plain")
            self._record(RESPONSE_URL, args, refusal is None, now)
            if refusal is not None:
                return refusal
            self._response_posts.append(copy.deepcopy(args))
            return Reply(200, b"ok", "text/plain")
