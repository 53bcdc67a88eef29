"""A loopback stand-in for the Slack Web API, for tests and the local sandbox console.

The bot reaches it exactly as it reaches Slack: `WebClient(base_url=standin.base_url, token=...)`.
It answers the handful of methods the bot uses, refuses what Slack would refuse (bad auth,
missing fields, Block Kit over its limits), can inject rate limits and server errors, and records
everything it was sent so tests can assert on it.
"""

from __future__ import annotations

import base64
import copy
import json
import math
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

from sandbox.block_rules import validate_blocks, validate_view

__all__ = ["Call", "SlackStandIn", "validate_blocks", "validate_view"]

T = TypeVar("T")
RESPONSE_URL = "response_url"  # the `method` under which response_url posts are recorded
_JSON_FIELDS = ("blocks", "view", "attachments")  # slack_sdk may form-encode these as JSON text
_SERVER_ERROR_PAGE = b"<html><body><h1>Service Unavailable</h1></body></html>"


@dataclass(frozen=True)
class Call:
    """One request the stand-in answered; `at` comes from the stand-in's clock."""

    method: str
    args: dict[str, Any]
    ok: bool
    at: float


@dataclass
class _Failure:
    status: int
    error: str | None
    retry_after: int | None
    remaining: int


@dataclass(frozen=True)
class _Request:
    path: str
    query: str
    content_type: str
    authorization: str
    body: bytes


@dataclass(frozen=True)
class _Reply:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    retry_after: int | None = None


class _ApiError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def _json_reply(payload: dict[str, Any], status: int = 200, **kw: Any) -> _Reply:
    return _Reply(status, json.dumps(payload).encode(), **kw)


def _read_args(request: _Request) -> dict[str, Any]:
    args: dict[str, Any] = dict(parse_qsl(request.query, keep_blank_values=True))
    if request.body:
        if request.content_type.startswith("application/json"):
            try:
                decoded = json.loads(request.body)
            except ValueError:
                raise _ApiError("invalid_json") from None
            if not isinstance(decoded, dict):
                raise _ApiError("invalid_json")
            args.update(decoded)
        elif request.content_type.startswith("application/x-www-form-urlencoded"):
            args.update(parse_qsl(request.body.decode(), keep_blank_values=True))
        else:
            raise _ApiError("invalid_form_data")
    for key in _JSON_FIELDS:
        if isinstance(args.get(key), str):
            try:
                args[key] = json.loads(args[key])
            except ValueError:
                error = f"invalid_{key}_format" if key != "view" else "invalid_arguments"
                raise _ApiError(error) from None
    return args


def _invalid_arguments(problems: list[str]) -> _ApiError:
    return _ApiError(
        "invalid_arguments", response_metadata={"messages": [f"[ERROR] {p}" for p in problems]}
    )


class SlackStandIn:
    """Serves Slack Web API methods on 127.0.0.1 from a daemon thread; see the module docstring."""

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-standin",  # noqa: S107 - a stand-in, not a secret
        team_id: str = "T0STANDIN",
        bot_user_id: str = "U0BOT",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot_token = bot_token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = "B0STANDIN"
        self._clock = clock
        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._serial = 0
        self._users: dict[str, dict[str, Any]] = {}
        self._calls: list[Call] = []
        self._messages: list[dict[str, Any]] = []
        self._by_ts: dict[tuple[str, str], dict[str, Any]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._opened: list[str] = []
        self._published: dict[str, str] = {}
        self._group_dms: dict[tuple[str, ...], str] = {}
        self._response_tokens: set[str] = set()
        self._response_posts: list[dict[str, Any]] = []
        self._failures: dict[str, deque[_Failure]] = {}
        self._limits: dict[str, int] = {}
        self._hits: dict[str, deque[float]] = {}
        self._methods: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update_message,
            "conversations.open": self._open_conversation,
            "users.info": self._user_info,
            "users.list": self._list_users,
            "users.lookupByEmail": self._lookup_by_email,
            "views.publish": self._publish_view,
            "views.open": self._open_view,
            "views.push": self._open_view,
            "views.update": self._update_view,
        }
        self.add_user(bot_user_id, email=None, real_name="Security Bot", is_bot=True)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> SlackStandIn:
        if self._server is not None:
            raise RuntimeError("the stand-in is already running")
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread, self._server, self._thread = self._server, self._thread, None, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def _origin(self) -> str:
        if self._server is None:
            raise RuntimeError("start() the stand-in first")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return f"{self._origin}/api/"

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
    ) -> None:
        """Add (or replace) a workspace member, shaped like Slack's user object."""
        profile: dict[str, Any] = {
            "real_name": real_name,
            "display_name": display_name,
            "real_name_normalized": real_name,
        }
        if email is not None:
            profile["email"] = email
        if is_bot:
            profile["bot_id"] = self.bot_id if user_id == self.bot_user_id else f"B{user_id[1:]}"
        name = email.split("@")[0] if email else real_name.lower().replace(" ", ".")
        with self._lock:
            self._users[user_id] = {
                "id": user_id,
                "team_id": self.team_id,
                "name": name,
                "real_name": real_name,
                "deleted": deleted,
                "is_bot": is_bot,
                "is_admin": is_admin,
                "tz": tz,
                "tz_offset": tz_offset,
                "profile": profile,
            }

    def response_url(self) -> str:
        """A fresh response_url; what the bot POSTs to it shows up in `response_url_posts()`."""
        token = secrets.token_urlsafe(12)
        with self._lock:
            self._response_tokens.add(token)
        return f"{self._origin}/response/{token}"

    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Fail the next `times` calls of `method` (or "response_url").

        A 429 (or any `retry_after`) answers "ratelimited" with a Retry-After header, a 5xx answers
        an HTML page, and anything else answers `{"ok": false, "error": error}` with `status`.
        """
        if method not in self._methods and method != RESPONSE_URL:
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
            queue = self._failures.setdefault(method, deque())
            queue.append(_Failure(status, error, retry_after, times))

    def set_rate_limit(self, method: str, per_minute: int) -> None:
        """Answer 429 once `method` was called `per_minute` times in the last 60 seconds."""
        if method not in self._methods:
            raise ValueError(f"the stand-in does not serve {method!r}")
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        with self._lock:
            self._limits[method] = per_minute

    def dm_channel(self, user_id: str) -> str:
        """The direct-message channel id `conversations.open` returns for `user_id`."""
        with self._lock:
            if user_id not in self._users:
                raise KeyError(f"no user {user_id!r}; add_user() first")
        return f"D{user_id[1:]}"

    # -- asserting ---------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [
                Call(c.method, copy.deepcopy(c.args), c.ok, c.at)
                for c in self._calls
                if method is None or c.method == method
            ]

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Every posted message in its current state; a user id selects that user's DM."""
        with self._lock:
            if channel is not None and channel[:1] in "UW" and channel in self._users:
                channel = self.dm_channel(channel)
            found = [m for m in self._messages if channel is None or m["channel"] == channel]
            return copy.deepcopy(found)

    def published_view(self, user_id: str) -> dict[str, Any] | None:
        with self._lock:
            view_id = self._published.get(user_id)
            return None if view_id is None else copy.deepcopy(self._views[view_id])

    def opened_views(self) -> list[dict[str, Any]]:
        """Modals from views.open and views.push, with their `trigger_id`, as updated since."""
        with self._lock:
            return [copy.deepcopy(self._views[view_id]) for view_id in self._opened]

    def response_url_posts(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._response_posts)

    def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
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

    def _handle(self, request: _Request) -> _Reply:
        path = urlsplit(request.path).path
        if path.startswith("/api/"):
            return self._api(path.removeprefix("/api/"), request)
        if path.startswith("/response/"):
            return self._respond(path.removeprefix("/response/"), request)
        return _Reply(404, b"not found", "text/plain")

    def _record(self, method: str, args: dict[str, Any], ok: bool, at: float) -> None:
        self._calls.append(Call(method, copy.deepcopy(args), ok, at))

    def _api(self, method: str, request: _Request) -> _Reply:
        with self._lock:
            now = self._clock()
            args: dict[str, Any] = {}
            try:
                args = _read_args(request)
                token = request.authorization.removeprefix("Bearer ").strip()
                token = token or str(args.pop("token", ""))
                args.pop("token", None)  # never record a secret
                refusal = self._refusal(method, now)
                if refusal is not None:
                    self._record(method, args, False, now)
                    return refusal
                handler = self._methods.get(method)
                if handler is None:
                    raise _ApiError("unknown_method")
                if not token:
                    raise _ApiError("not_authed")
                if token != self.bot_token:
                    raise _ApiError("invalid_auth")
                payload = {"ok": True, **handler(args)}
            except _ApiError as e:
                payload = {"ok": False, "error": e.error, **e.extra}
            self._record(method, args, payload["ok"], now)
            return _json_reply(payload)

    def _refusal(self, method: str, now: float) -> _Reply | None:
        """An injected failure or a rate-limit answer, if this call gets one."""
        queue = self._failures.get(method)
        if queue:
            failure = queue[0]
            failure.remaining -= 1
            if failure.remaining == 0:
                queue.popleft()
            if failure.status == 429:
                ratelimited = {"ok": False, "error": "ratelimited"}
                return _json_reply(ratelimited, 429, retry_after=failure.retry_after)
            if failure.status >= 500:
                return _Reply(failure.status, _SERVER_ERROR_PAGE, "text/html")
            return _json_reply({"ok": False, "error": failure.error}, failure.status)
        limit = self._limits.get(method)
        if limit is None:
            return None
        hits = self._hits.setdefault(method, deque())
        while hits and hits[0] <= now - 60:
            hits.popleft()
        if len(hits) >= limit:
            wait = max(1, math.ceil(hits[0] + 60 - now))
            return _json_reply({"ok": False, "error": "ratelimited"}, 429, retry_after=wait)
        hits.append(now)
        return None

    def _respond(self, token: str, request: _Request) -> _Reply:
        with self._lock:
            now = self._clock()
            try:
                body = json.loads(request.body or b"null")
            except ValueError:
                body = None
            args = body if isinstance(body, dict) else {}
            refusal = self._refusal(RESPONSE_URL, now)
            if refusal is None and token not in self._response_tokens:
                refusal = _Reply(404, b"no_active_hooks", "text/plain")
            elif refusal is None and not isinstance(body, dict):
                refusal = _Reply(400, b"invalid_payload", "text/plain")
            elif refusal is None and validate_blocks(args.get("blocks", []), surface="message"):
                refusal = _Reply(400, b"invalid_blocks", "text/plain")
            self._record(RESPONSE_URL, args, refusal is None, now)
            if refusal is not None:
                return refusal
            self._response_posts.append(copy.deepcopy(args))
            return _Reply(200, b"ok", "text/plain")

    # -- helpers for the methods -------------------------------------------------------------

    def _bump(self) -> int:
        self._serial += 1
        return self._serial

    def _next_ts(self) -> str:
        serial = self._bump()
        return f"{1_700_000_000 + serial // 10_000}.{serial % 10_000 * 100:06d}"

    def _channel(self, given: Any) -> str:
        """Resolve where a message goes, as Slack does: a user id means that user's DM."""
        channel = str(given or "")
        if channel[:1] in ("U", "W") and channel in self._users:
            return self.dm_channel(channel)
        if channel[:1] == "D" and any(self.dm_channel(u) == channel for u in self._users):
            return channel
        if channel[:1] in ("C", "G") and len(channel) > 1:
            return channel
        raise _ApiError("channel_not_found")

    def _content(self, args: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
        content: dict[str, Any] = {
            k: args[k] for k in ("text", "blocks", "attachments") if k in args
        }
        text = str(content.get("text") or "")
        if required and not (text or content.get("blocks") or content.get("attachments")):
            raise _ApiError("no_text")
        if len(text) > 40_000:
            raise _ApiError("msg_too_long")
        if "blocks" in content:
            problems = validate_blocks(content["blocks"], surface="message")
            if problems:
                messages = [f"[ERROR] {p}" for p in problems]
                raise _ApiError(
                    "invalid_blocks", errors=problems, response_metadata={"messages": messages}
                )
        return content

    def _user(self, user_id: Any) -> dict[str, Any]:
        user = self._users.get(str(user_id or ""))
        if user is None:
            raise _ApiError("user_not_found")
        return user

    # -- methods -----------------------------------------------------------------------------

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://standin.slack.com/",
            "team": "Stand-in",
            "user": self._users[self.bot_user_id]["name"],
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        message: dict[str, Any] = {"type": "message", "bot_id": self.bot_id, "text": ""}
        message |= {"blocks": [], **self._content(args)}
        message |= {"channel": channel, "ts": self._next_ts(), "thread_ts": args.get("thread_ts")}
        self._messages.append(message)
        self._by_ts[(channel, message["ts"])] = message
        return {"channel": channel, "ts": message["ts"], "message": copy.deepcopy(message)}

    def _post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        user = self._users.get(str(args.get("user") or ""))
        if user is None or user["deleted"]:
            raise _ApiError("user_not_in_channel")
        message: dict[str, Any] = {"type": "message", "bot_id": self.bot_id, "text": ""}
        message |= {"blocks": [], **self._content(args)}
        message |= {"channel": channel, "ts": self._next_ts(), "user": user["id"]}
        message |= {"thread_ts": args.get("thread_ts"), "ephemeral": True}
        self._messages.append(message)
        return {"message_ts": message["ts"]}

    def _update_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args.get("channel"))
        message = self._by_ts.get((channel, str(args.get("ts") or "")))
        if message is None:
            raise _ApiError("message_not_found")
        content = self._content(args, required=False)
        if not content:
            raise _ApiError("no_text")
        message.update(content)
        return {
            "channel": channel,
            "ts": message["ts"],
            "text": message["text"],
            "message": copy.deepcopy(message),
        }

    def _open_conversation(self, args: dict[str, Any]) -> dict[str, Any]:
        user_ids = tuple(u for u in str(args.get("users") or "").split(",") if u)
        if not user_ids:
            raise _ApiError("users_list_not_supplied")
        if len(user_ids) > 8:
            raise _ApiError("too_many_users")
        for user_id in user_ids:
            if self._user(user_id)["deleted"]:
                raise _ApiError("user_disabled")
        if len(user_ids) == 1:
            return {"channel": {"id": self.dm_channel(user_ids[0])}}
        key = tuple(sorted(user_ids))
        group = self._group_dms.setdefault(key, f"G{self._bump():010d}")
        return {"channel": {"id": group}}

    def _user_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"user": copy.deepcopy(self._user(args.get("user")))}

    def _list_users(self, args: dict[str, Any]) -> dict[str, Any]:
        try:
            limit = min(int(args.get("limit") or 200), 1000)
        except ValueError:
            raise _ApiError("invalid_limit") from None
        limit = limit if limit > 0 else 200
        start = 0
        if args.get("cursor"):
            try:
                start = int(base64.b64decode(str(args["cursor"])).decode().split(":")[1])
            except (ValueError, IndexError):
                raise _ApiError("invalid_cursor") from None
        members = list(self._users.values())
        page, end = members[start : start + limit], start + limit
        next_cursor = base64.b64encode(f"offset:{end}".encode()).decode()
        return {
            "members": copy.deepcopy(page),
            "cache_ts": 0,
            "response_metadata": {"next_cursor": next_cursor if end < len(members) else ""},
        }

    def _lookup_by_email(self, args: dict[str, Any]) -> dict[str, Any]:
        email = str(args.get("email") or "").lower()
        for user in self._users.values():
            # Slack does not find deactivated members by email.
            if email and not user["deleted"] and user["profile"].get("email", "").lower() == email:
                return {"user": copy.deepcopy(user)}
        raise _ApiError("users_not_found")

    def _checked_view(
        self, args: dict[str, Any], kind: str, replacing: str | None = None
    ) -> dict[str, Any]:
        view: Any = args.get("view")
        problems = validate_view(view)
        if not problems and view["type"] != kind:
            problems = [f"must be {kind} [json-pointer:/view/type]"]
        if problems:
            raise _invalid_arguments(problems)
        external_id = view.get("external_id")
        if external_id and any(
            v["external_id"] == external_id and v["id"] != replacing for v in self._views.values()
        ):
            raise _ApiError("duplicate_external_id")
        return dict(view)

    def _store_view(self, view: dict[str, Any], view_id: str | None, **kept: Any) -> dict[str, Any]:
        view_id = view_id or f"V{self._bump():010d}"
        stored = {
            "team_id": self.team_id,
            "app_id": "A0STANDIN",
            "bot_id": self.bot_id,
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "state": {"values": {}},
            "root_view_id": view_id,
            "previous_view_id": None,
            "clear_on_close": False,
            "notify_on_close": False,
            **view,
            **kept,
            "id": view_id,
            "hash": f"1700000000.h{self._bump()}",
        }
        self._views[view_id] = stored
        return {"view": {k: v for k, v in copy.deepcopy(stored).items() if k != "trigger_id"}}

    def _publish_view(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self._user(args.get("user_id"))
        view = self._checked_view(args, "home")
        reply = self._store_view(view, self._published.get(user["id"]))
        self._published[user["id"]] = reply["view"]["id"]
        return reply

    def _open_view(self, args: dict[str, Any]) -> dict[str, Any]:
        trigger_id = args.get("trigger_id")
        if not trigger_id:
            raise _invalid_arguments(["missing required field: trigger_id"])
        reply = self._store_view(self._checked_view(args, "modal"), None, trigger_id=trigger_id)
        self._opened.append(reply["view"]["id"])
        return reply

    def _update_view(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id, external_id = args.get("view_id"), args.get("external_id")
        if not view_id and not external_id:
            raise _invalid_arguments(["missing required field: view_id or external_id"])
        stored = next(
            (
                v
                for v in self._views.values()
                if v["id"] == view_id or (external_id and v["external_id"] == external_id)
            ),
            None,
        )
        if stored is None:
            raise _ApiError("not_found")
        if args.get("hash") and args["hash"] != stored["hash"]:
            raise _ApiError("hash_conflict")
        view = self._checked_view(args, stored["type"], replacing=stored["id"])
        kept = {k: stored[k] for k in ("trigger_id", "root_view_id") if k in stored}
        return self._store_view(view, stored["id"], **kept)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, standin: SlackStandIn) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.standin = standin


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Stay silent: test output and the sandbox console are not the place for access logs."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        request = _Request(
            path=self.path,
            query=urlsplit(self.path).query,
            content_type=self.headers.get("Content-Type", ""),
            authorization=self.headers.get("Authorization", ""),
            body=self.rfile.read(length) if length else b"",
        )
        reply = self.server.standin._handle(request)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        if reply.retry_after is not None:
            self.send_header("Retry-After", str(reply.retry_after))
        self.end_headers()
        self.wfile.write(reply.body)
