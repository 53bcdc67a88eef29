"""The console waits for the app's lazy listeners: the pool says when work is still running."""

from __future__ import annotations

import threading

from sandbox.listener_pool import ListenerPool


def test_the_pool_is_busy_exactly_while_a_listener_runs() -> None:
    pool = ListenerPool(max_workers=2)
    release = threading.Event()
    assert not pool.busy
    running = pool.submit(release.wait, 5)
    assert pool.busy
    release.set()
    assert running.result(timeout=5) is True
    pool.shutdown(wait=True)
    assert not pool.busy


def test_a_listener_that_fails_is_not_counted_as_running() -> None:
    pool = ListenerPool(max_workers=1)

    def fail() -> None:
        raise RuntimeError("boom")

    pool.submit(fail).exception(timeout=5)
    pool.shutdown(wait=True)
    assert not pool.busy
