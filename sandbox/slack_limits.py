"""The stand-in's refusals: injected failures, bursts and rate limits, as Slack answers them.

Slack's rate limits count per workspace (per token's workspace, in fact per app and workspace):
chat.postMessage allows several hundred calls a minute in each workspace, and one workspace
reaching its limit does not slow another. So a limit set here counts each workspace's calls on
their own, in a sliding minute; a burst may be aimed at one workspace, as a 429 storm or an
outage there, and the other workspaces' calls pass meanwhile. Callers hold the stand-in's lock.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from sandbox.standin_http import Reply, json_reply

ANY_WORKSPACE = ""  # a burst for whichever workspace calls next
_SERVER_ERROR_PAGE = b"<html><body><h1>Service Unavailable</h1></body></html>"


@dataclass
class Failure:
    status: int
    error: str | None
    retry_after: int | None
    remaining: int


class Refusals:
    """What the next calls are refused with: a method's injected failures first, then the bursts
    of the caller's workspace, then bursts for any workspace, then the rate limits."""

    def __init__(self) -> None:
        self.failures: dict[str, deque[Failure]] = {}
        self.bursts: dict[str, deque[Failure]] = {}  # by workspace; ANY_WORKSPACE: any
        self.limits: dict[str, int] = {}  # calls a minute, by method, in each workspace
        self._hits: dict[tuple[str, str], deque[float]] = {}  # by workspace and method

    def burst(self, team: str, failure: Failure) -> None:
        self.bursts.setdefault(team, deque()).append(failure)

    def refusal(self, method: str, now: float, team: str, *, web_api: bool) -> Reply | None:
        """The answer refusing this call of `method` by `team`'s token, if it gets one."""
        queue = self.failures.get(method)
        if not queue and web_api:
            queue = self.bursts.get(team) if team else None
            queue = queue or self.bursts.get(ANY_WORKSPACE)
        if queue:
            failure = queue[0]
            failure.remaining -= 1
            if failure.remaining == 0:
                queue.popleft()
            if failure.status == 429:
                ratelimited = {"ok": False, "error": "ratelimited"}
                return json_reply(ratelimited, 429, retry_after=failure.retry_after)
            if failure.status >= 500:
                return Reply(failure.status, _SERVER_ERROR_PAGE, "text/html")
            return json_reply({"ok": False, "error": failure.error}, failure.status)
        limit = self.limits.get(method)
        if limit is None:
            return None
        hits = self._hits.setdefault((team, method), deque())
        while hits and hits[0] <= now - 60:
            hits.popleft()
        if len(hits) >= limit:
            wait = max(1, math.ceil(hits[0] + 60 - now))
            return json_reply({"ok": False, "error": "ratelimited"}, 429, retry_after=wait)
        hits.append(now)
        return None
