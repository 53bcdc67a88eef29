"""Slack's pace for the nudges: calls evenly spaced below a rate, and apart in each channel;
one pace per workspace."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

from bot.workspaces.scope import workspace_id


class Pacer:
    """Calls evenly spaced below a rate, and at least `per_channel` apart in one channel."""

    def __init__(
        self,
        per_minute: float,
        per_channel: timedelta = timedelta(seconds=1),
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = 60.0 / per_minute
        self._per_channel = per_channel.total_seconds()
        self._monotonic = monotonic
        self._sleep = sleep
        self._next = 0.0
        self._channels: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, channel: str | None = None) -> None:
        with self._lock:
            now = self._monotonic()
            at = max(now, self._next)
            if channel is not None:
                at = max(at, self._channels.get(channel, 0.0) + self._per_channel)
                if len(self._channels) > 10_000:
                    self._channels = {k: v for k, v in self._channels.items() if v > now - 60}
                self._channels[channel] = at
            self._next = at + self._interval
        if at > now:
            self._sleep(at - now)


class Pacers:
    """One `Pacer` per workspace: Slack's rate limits count per workspace (per bot token), so
    one workspace's queue never slows another's, and workspaces delivered side by side each
    go at their own full pace. The workspace is the one being served (storage/scope.py).

    The pacers live in this process: the scheduled jobs run in one process at a time (the
    leader, bot/core/leadership.py), so no other process sends reminders meanwhile and nothing
    needs sharing through the database. A successor starts with fresh pacers; Slack's limits
    are per minute and the 429s it would answer are waited out by the Slack client."""

    def __init__(
        self,
        per_minute: float,
        per_channel: timedelta = timedelta(seconds=1),
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._per_minute, self._per_channel = per_minute, per_channel
        self._monotonic, self._sleep = monotonic, sleep
        self._pacers: dict[str, Pacer] = {}
        self._lock = threading.Lock()

    def wait(self, channel: str | None = None) -> None:
        """Wait for the turn of the workspace being served (of `channel` in it, if given)."""
        self.of(workspace_id()).wait(channel)

    def of(self, workspace: str) -> Pacer:
        with self._lock:
            pacer = self._pacers.get(workspace)
            if pacer is None:
                pacer = self._pacers[workspace] = Pacer(
                    self._per_minute,
                    self._per_channel,
                    monotonic=self._monotonic,
                    sleep=self._sleep,
                )
            return pacer
