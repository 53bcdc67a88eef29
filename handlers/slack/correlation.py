"""Puts the Slack team, user and event id of each request on its correlation (bot/core/logs.py),
so every log line of the request, lazy listeners' included, says whom and what it was about."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.core import logs


class NoteSlackIds(Middleware):
    """First in the chain. In Socket Mode, with no web front door, it starts the correlation."""

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        event = req.body.get("event_id")
        logs.note_slack(
            req.context.team_id, req.context.user_id, event if isinstance(event, str) else None
        )
        return next()
