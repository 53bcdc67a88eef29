"""Slack's user directory, for matching members and account managers by email."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slack_sdk import WebClient

from bot.directory.service import SlackUser

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
