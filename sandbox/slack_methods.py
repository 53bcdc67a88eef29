"""The Slack Web API methods the stand-in answers, as plain functions of the workspace they serve.

`read_args` decodes a call's arguments; each method then takes the `Workspace` and those
arguments and returns the reply's fields beside `"ok": true`, or raises `ApiError` with the error
Slack would answer.  The HTTP server, the lock, recording, fault injection and rate limiting live
in `sandbox.slack_standin`; nothing here knows about them.
"""

from __future__ import annotations

import base64
import copy
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from sandbox.block_rules import validate_blocks, validate_view

__all__ = ["METHODS", "ApiError", "Workspace", "read_args"]

_JSON_FIELDS = ("blocks", "view", "attachments")  # slack_sdk may form-encode these as JSON text


class ApiError(Exception):
    """A refusal Slack answers as `{"ok": false, "error": error, **extra}`."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def invalid_arguments(problems: list[str]) -> ApiError:
    return ApiError(
        "invalid_arguments", response_metadata={"messages": [f"[ERROR] {p}" for p in problems]}
    )


def read_args(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """A call's arguments from the query string and a form or JSON body, as Slack reads them."""
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if body:
        if content_type.startswith("application/json"):
            try:
                decoded = json.loads(body)
            except ValueError:
                raise ApiError("invalid_json") from None
            if not isinstance(decoded, dict):
                raise ApiError("invalid_json")
            args.update(decoded)
        elif content_type.startswith("application/x-www-form-urlencoded"):
            args.update(parse_qsl(body.decode(), keep_blank_values=True))
        else:
            raise ApiError("invalid_form_data")
    for key in _JSON_FIELDS:
        if isinstance(args.get(key), str):
            try:
                args[key] = json.loads(args[key])
            except ValueError:
                error = f"invalid_{key}_format" if key != "view" else "invalid_arguments"
                raise ApiError(error) from None
    return args


@dataclass
class Workspace:
    """What the stand-in's Slack workspace holds: members, messages, views and conversations."""

    team_id: str
    bot_user_id: str
    bot_id: str
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    by_ts: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    opened: list[str] = field(default_factory=list)
    published: dict[str, str] = field(default_factory=dict)
    group_dms: dict[tuple[str, ...], str] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # sandbox/slack_files.py
    origin: str = ""  # where the stand-in serves, for upload URLs
    serial: int = 0
    wall: Callable[[], float] = time.time  # Slack's ts is the Unix time of the message
    last_ts: int = 0  # in microseconds: every ts unique and increasing
    name: str = "Stand-in"
    enterprise_id: str | None = None

    def bump(self) -> int:
        self.serial += 1
        return self.serial

    def next_ts(self) -> str:
        self.bump()
        self.last_ts = max(self.last_ts + 1, int(self.wall() * 1_000_000))
        return f"{self.last_ts // 1_000_000}.{self.last_ts % 1_000_000:06d}"

    def dm_channel(self, user_id: str) -> str:
        if user_id not in self.users:
            raise KeyError(f"no user {user_id!r}; add_user() first")
        return f"D{user_id[1:]}"

    def channel(self, given: Any) -> str:
        """Resolve where a message goes, as Slack does: a user id means that user's DM."""
        channel = str(given or "")
        if channel[:1] in ("U", "W") and channel in self.users:
            return self.dm_channel(channel)
        if channel[:1] == "D" and any(self.dm_channel(u) == channel for u in self.users):
            return channel
        if channel[:1] in ("C", "G") and len(channel) > 1:
            return channel
        raise ApiError("channel_not_found")

    def user(self, user_id: Any) -> dict[str, Any]:
        user = self.users.get(str(user_id or ""))
        if user is None:
            raise ApiError("user_not_found")
        return user


def _content(args: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    content: dict[str, Any] = {k: args[k] for k in ("text", "blocks", "attachments") if k in args}
    text = str(content.get("text") or "")
    if required and not (text or content.get("blocks") or content.get("attachments")):
        raise ApiError("no_text")
    if len(text) > 40_000:
        raise ApiError("msg_too_long")
    if "blocks" in content:
        problems = validate_blocks(content["blocks"], surface="message")
        if problems:
            messages = [f"[ERROR] {p}" for p in problems]
            raise ApiError(
                "invalid_blocks", errors=problems, response_metadata={"messages": messages}
            )
    return content


# -- auth, chat, conversations ----------------------------------------------------------------


def auth_test(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": "https://standin.slack.com/",
        "team": ws.name,
        "user": ws.users[ws.bot_user_id]["name"],
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
        **({"enterprise_id": ws.enterprise_id} if ws.enterprise_id else {}),
    }


def post_message(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = ws.channel(args.get("channel"))
    message: dict[str, Any] = {"type": "message", "bot_id": ws.bot_id, "text": ""}
    message |= {"blocks": [], **_content(args)}
    message |= {"channel": channel, "ts": ws.next_ts(), "thread_ts": args.get("thread_ts")}
    metadata = args.get("metadata")
    if isinstance(metadata, str):  # form-encoded: JSON text
        try:
            metadata = json.loads(metadata)
        except ValueError:
            raise ApiError("invalid_metadata_format") from None
    if metadata is not None:
        if not isinstance(metadata, dict) or not metadata.get("event_type"):
            raise ApiError("invalid_metadata_schema")
        message["metadata"] = metadata
    ws.messages.append(message)
    ws.by_ts[(channel, message["ts"])] = message
    return {"channel": channel, "ts": message["ts"], "message": copy.deepcopy(message)}


def post_ephemeral(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = ws.channel(args.get("channel"))
    user = ws.users.get(str(args.get("user") or ""))
    if user is None or user["deleted"]:
        raise ApiError("user_not_in_channel")
    message: dict[str, Any] = {"type": "message", "bot_id": ws.bot_id, "text": ""}
    message |= {"blocks": [], **_content(args)}
    message |= {"channel": channel, "ts": ws.next_ts(), "user": user["id"]}
    message |= {"thread_ts": args.get("thread_ts"), "ephemeral": True}
    ws.messages.append(message)
    return {"message_ts": message["ts"]}


def update_message(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = ws.channel(args.get("channel"))
    message = ws.by_ts.get((channel, str(args.get("ts") or "")))
    if message is None:
        raise ApiError("message_not_found")
    content = _content(args, required=False)
    if not content:
        raise ApiError("no_text")
    message.update(content)
    return {
        "channel": channel,
        "ts": message["ts"],
        "text": message["text"],
        "message": copy.deepcopy(message),
    }


def open_conversation(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    user_ids = tuple(u for u in str(args.get("users") or "").split(",") if u)
    if not user_ids:
        raise ApiError("users_list_not_supplied")
    if len(user_ids) > 8:
        raise ApiError("too_many_users")
    for user_id in user_ids:
        if ws.user(user_id)["deleted"]:
            raise ApiError("user_disabled")
    if len(user_ids) == 1:
        return {"channel": {"id": ws.dm_channel(user_ids[0])}}
    key = tuple(sorted(user_ids))
    group = ws.group_dms.setdefault(key, f"G{ws.bump():010d}")
    return {"channel": {"id": group}}


# -- users ------------------------------------------------------------------------------------


def user_info(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {"user": _as_asked(ws.user(args.get("user")), args)}


def _as_asked(user: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    """A user as Slack answers: the locale only to a call with include_locale."""
    answer = copy.deepcopy(user)
    if str(args.get("include_locale", "")).lower() not in ("true", "1"):
        answer.pop("locale", None)
    return answer


def list_users(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    try:
        limit = min(int(args.get("limit") or 200), 1000)
    except ValueError:
        raise ApiError("invalid_limit") from None
    limit = limit if limit > 0 else 200
    start = 0
    if args.get("cursor"):
        try:
            start = int(base64.b64decode(str(args["cursor"])).decode().split(":")[1])
        except (ValueError, IndexError):
            raise ApiError("invalid_cursor") from None
    members = list(ws.users.values())
    page, end = members[start : start + limit], start + limit
    next_cursor = base64.b64encode(f"offset:{end}".encode()).decode()
    return {
        "members": [_as_asked(user, args) for user in page],
        "cache_ts": 0,
        "response_metadata": {"next_cursor": next_cursor if end < len(members) else ""},
    }


def lookup_by_email(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    email = str(args.get("email") or "").lower()
    for user in ws.users.values():
        # Slack does not find deactivated members by email.
        if email and not user["deleted"] and user["profile"].get("email", "").lower() == email:
            return {"user": _as_asked(user, args)}
    raise ApiError("users_not_found")


# -- views ------------------------------------------------------------------------------------


def _checked_view(
    ws: Workspace, args: dict[str, Any], kind: str, replacing: str | None = None
) -> dict[str, Any]:
    view: Any = args.get("view")
    problems = validate_view(view)
    if not problems and view["type"] != kind:
        problems = [f"must be {kind} [json-pointer:/view/type]"]
    if problems:
        raise invalid_arguments(problems)
    external_id = view.get("external_id")
    if external_id and any(
        v["external_id"] == external_id and v["id"] != replacing for v in ws.views.values()
    ):
        raise ApiError("duplicate_external_id")
    return dict(view)


def _store_view(
    ws: Workspace, view: dict[str, Any], view_id: str | None, **kept: Any
) -> dict[str, Any]:
    view_id = view_id or f"V{ws.bump():010d}"
    stored = {
        "team_id": ws.team_id,
        "app_id": "A0STANDIN",
        "bot_id": ws.bot_id,
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
        "hash": f"1700000000.h{ws.bump()}",
    }
    ws.views[view_id] = stored
    return {"view": {k: v for k, v in copy.deepcopy(stored).items() if k != "trigger_id"}}


def publish_view(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    user = ws.user(args.get("user_id"))
    view = _checked_view(ws, args, "home")
    reply = _store_view(ws, view, ws.published.get(user["id"]))
    ws.published[user["id"]] = reply["view"]["id"]
    return reply


def open_view(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    trigger_id = args.get("trigger_id")
    if not trigger_id:
        raise invalid_arguments(["missing required field: trigger_id"])
    reply = _store_view(ws, _checked_view(ws, args, "modal"), None, trigger_id=trigger_id)
    ws.opened.append(reply["view"]["id"])
    return reply


def update_view(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    view_id, external_id = args.get("view_id"), args.get("external_id")
    if not view_id and not external_id:
        raise invalid_arguments(["missing required field: view_id or external_id"])
    stored = next(
        (
            v
            for v in ws.views.values()
            if v["id"] == view_id or (external_id and v["external_id"] == external_id)
        ),
        None,
    )
    if stored is None:
        raise ApiError("not_found")
    if args.get("hash") and args["hash"] != stored["hash"]:
        raise ApiError("hash_conflict")
    view = _checked_view(ws, args, stored["type"], replacing=stored["id"])
    kept = {k: stored[k] for k in ("trigger_id", "root_view_id") if k in stored}
    return _store_view(ws, view, stored["id"], **kept)


METHODS: dict[str, Callable[[Workspace, dict[str, Any]], dict[str, Any]]] = {
    "auth.test": auth_test,
    "chat.postMessage": post_message,
    "chat.postEphemeral": post_ephemeral,
    "chat.update": update_message,
    "conversations.open": open_conversation,
    "users.info": user_info,
    "users.list": list_users,
    "users.lookupByEmail": lookup_by_email,
    "views.publish": publish_view,
    "views.open": open_view,
    "views.push": open_view,
    "views.update": update_view,
}
