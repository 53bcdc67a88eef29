"""Fetching a member's Slack profile (users.info) into the member cache."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.checklist.members import Profile
from bot.services import Services


def profile_from_slack(user: dict[str, Any]) -> Profile:
    profile = user.get("profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or user.get("real_name")
    return Profile(
        slack_user_id=user["id"],
        team_id=user.get("team_id"),
        email=profile.get("email"),
        display_name=name or None,
        time_zone=user.get("tz"),
        locale=user.get("locale"),
    )


def refresh_profile_if_stale(slack_user_id: str, client: WebClient, services: Services) -> None:
    if not services.members.profile_is_stale(slack_user_id):
        return
    answer = client.users_info(user=slack_user_id, include_locale=True)
    services.members.remember_profile(profile_from_slack(answer["user"]))
    services.languages.forget(slack_user_id)  # the locale may have come with it
