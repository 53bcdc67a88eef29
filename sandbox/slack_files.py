"""The stand-in's file uploads, as slack_sdk's `files_upload_v2` drives them, in three steps:

1. `files.getUploadURLExternal` (filename, length, alt_txt) answers a file id and an upload URL;
2. the bytes are POSTed to that URL, raw (slack_sdk sends the body as it is, no form);
3. `files.completeUploadExternal` (files = JSON [{id, title}], channel_id or channels,
   initial_comment, thread_ts) shares the files, each as a message in each channel.

The files are kept, bytes and all, so tests and the sandbox can look at what the bot uploaded.
"""

from __future__ import annotations

import json
import mimetypes
import secrets
from typing import Any

from sandbox.slack_methods import ApiError, Workspace, invalid_arguments

__all__ = ["METHODS", "UPLOAD_PATH", "public", "receive"]

UPLOAD_PATH = "/upload/v1/"
MAX_BYTES = 1024 * 1024 * 1024  # Slack's own limit is 1 GB
PRIVATE = ("content", "upload_token", "length")  # kept by the stand-in, never answered


def get_upload_url(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    missing = [name for name in ("filename", "length") if not args.get(name)]
    if missing:
        raise invalid_arguments([f"missing required field: {name}" for name in missing])
    try:
        length = int(args["length"])
    except (TypeError, ValueError):
        raise invalid_arguments(["must be an integer [json-pointer:/length]"]) from None
    if not 0 < length <= MAX_BYTES:
        raise invalid_arguments(["must be between 1 and 1 GB [json-pointer:/length]"])
    if len(str(args.get("alt_txt") or "")) > 1000:
        raise ApiError("alt_txt_too_large")
    file_id = f"F{ws.bump():010d}"
    token = secrets.token_urlsafe(12)
    name = str(args["filename"])
    ws.files[file_id] = {
        "id": file_id,
        "name": name,
        "title": name,
        "mimetype": mimetypes.guess_type(name)[0] or "application/octet-stream",
        "filetype": name.rsplit(".", 1)[-1].lower() if "." in name else "binary",
        "user": ws.bot_user_id,
        "created": 1_700_000_000 + ws.serial,
        "alt_txt": str(args.get("alt_txt") or ""),  # what a screen reader says of an image
        "channels": [],
        "comments": [],  # the initial_comment of each share
        "length": length,
        "upload_token": token,
        "content": None,
    }
    return {"upload_url": f"{ws.origin}{UPLOAD_PATH}{token}", "file_id": file_id}


def receive(ws: Workspace, token: str, body: bytes) -> bool:
    """The upload step: the bytes of the file whose upload URL ends in `token`."""
    found = next((f for f in ws.files.values() if f["upload_token"] == token), None)
    if found is None or found["content"] is not None:
        return False
    found["content"] = body
    found["size"] = len(body)
    return True


def complete_upload(ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    wanted = _files_argument(args.get("files"))
    files = []
    for item in wanted:
        found = ws.files.get(str(item.get("id") or ""))
        if found is None or found["content"] is None:
            raise ApiError("file_not_found")  # an unknown id, or one whose bytes never came
        files.append((found, item))
    named = [args.get("channel_id"), *str(args.get("channels") or "").split(",")]
    channels = [ws.channel(c) for c in dict.fromkeys(c for c in named if c)]
    comment = str(args.get("initial_comment") or "")
    if len(comment) > 40_000:
        raise ApiError("msg_too_long")
    for found, item in files:
        if item.get("title"):
            found["title"] = str(item["title"])
    for channel in channels:
        shared = [found for found, _ in files]
        for found in shared:
            found["channels"].append(channel)
            found["comments"].append(comment)
        message: dict[str, Any] = {"type": "message", "bot_id": ws.bot_id, "user": ws.bot_user_id}
        message |= {"text": comment, "blocks": [], "upload": True}
        message |= {"files": [public(f) for f in shared], "channel": channel, "ts": ws.next_ts()}
        message["thread_ts"] = args.get("thread_ts")
        ws.messages.append(message)
        ws.by_ts[(channel, message["ts"])] = message
    return {"files": [public(found) for found, _ in files]}


def public(found: dict[str, Any]) -> dict[str, Any]:
    """A file as Slack describes it: no bytes, no upload token."""
    return {k: v for k, v in found.items() if k not in PRIVATE and k != "comments"}


def _files_argument(raw: Any) -> list[dict[str, Any]]:
    """`files` arrives as JSON text in a form (slack_sdk) or as a list in a JSON body."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise invalid_arguments(["must be a JSON array [json-pointer:/files]"]) from None
    if not isinstance(raw, list) or not raw or not all(isinstance(f, dict) for f in raw):
        raise invalid_arguments(["must be a non-empty array of {id, title} [json-pointer:/files]"])
    return raw


METHODS = {
    "files.getUploadURLExternal": get_upload_url,
    "files.completeUploadExternal": complete_upload,
}
