"""`app.py import accounts FILE`: read the file, list the workspace's users, run the import."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import wiring
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.directory import DirectoryImport, SlackUser
from handlers.file_imports import CANNOT_RUN, cannot, read_text
from storage.database import connect

PAGE_SIZE = 200


class SlackWorkspaceUsers:
    """The workspace's active human users, a page of users.list at a time.

    users.list rather than users.lookupByEmail: one call per 200 users instead of one per email,
    which matters when lookupByEmail allows about 50 calls a minute. The client's retry handlers
    wait out 429s.
    """

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def all_users(self) -> Iterator[SlackUser]:
        cursor: str | None = None
        while True:
            response = self._client.users_list(cursor=cursor, limit=PAGE_SIZE)
            for user in response.get("members") or []:
                found = _slack_user(user)
                if found is not None:
                    yield found
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                return


def run_import(
    settings: Settings, path: str, *, actor: str = "system", clock: Clock | None = None
) -> int:
    """Import the file; 0 when imported, 1 when the file has bad rows, 2 when it cannot be run."""
    text = read_text(path, not_utf8_hint="; save it as CSV UTF-8")
    if text is None:
        return CANNOT_RUN
    database = connect(settings.database_url)
    try:
        service = DirectoryImport(database, clock or SystemClock())
        users = SlackWorkspaceUsers(wiring.build_client(settings))
        report = service.run(text, users, source=Path(path).name, actor=actor, progress=True)
    except SlackApiError as error:
        return cannot(f"could not list the Slack workspace's users ({error.response.get('error')})")
    finally:
        database.dispose()
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


def _slack_user(user: dict[str, Any]) -> SlackUser | None:
    """Deleted users, bots and Slackbot never match a member, nor do users without an email."""
    profile = user.get("profile") or {}
    email = profile.get("email")
    if user.get("deleted") or user.get("is_bot") or user.get("id") == "USLACKBOT" or not email:
        return None
    return SlackUser(
        id=user["id"],
        team_id=user.get("team_id"),
        email=str(email).lower(),
        display_name=profile.get("display_name") or profile.get("real_name") or None,
        time_zone=user.get("tz"),
    )
