"""Slack's pace for the nudges: calls evenly spaced below a rate, and apart in each channel."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta


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
