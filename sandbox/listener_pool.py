"""The app's lazy-listener pool, counting the work it still has: the console waits for a slow
follow-up (the statistics after "Gathering the figures…") instead of guessing from silence.
Its tasks run in the submitter's context (its workspace), as the production pool's do."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, ParamSpec, TypeVar

from bot.core.logs import CarryingPool

P = ParamSpec("P")
T = TypeVar("T")


class ListenerPool(CarryingPool):
    def __init__(self, max_workers: int) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._lock = threading.Lock()
        self._pending = 0

    @property
    def busy(self) -> bool:
        """True while a submitted listener has not finished."""
        with self._lock:
            return self._pending > 0

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        with self._lock:
            self._pending += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._finished(None)
            raise
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _: Any) -> None:
        with self._lock:
            self._pending -= 1
