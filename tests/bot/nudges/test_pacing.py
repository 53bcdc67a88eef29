"""Slack's pace is per workspace: each workspace served has its own, so one workspace's queue
never delays another's, and a workspace's own calls stay spaced below its rate."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.nudges.pacing import Pacers
from bot.workspaces.scope import NoWorkspace, serving, unserved


class Seconds:
    """A monotonic clock that moves only when the pacer sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_each_workspace_keeps_its_own_pace() -> None:
    seconds = Seconds()
    pacers = Pacers(60, timedelta(seconds=1), monotonic=seconds, sleep=seconds.sleep)

    with serving("T0ALPHA"):
        pacers.wait("D1")
        pacers.wait("D2")  # one a second in a workspace: the second call waits
    assert seconds.slept == [1.0]
    with serving("T0BRAVO"):
        pacers.wait("D3")  # Bravo's first call: Alpha's pace does not delay it
    assert seconds.slept == [1.0]
    with serving("T0ALPHA"):
        pacers.wait("D1")
    assert seconds.slept == [1.0, 1.0]
    assert pacers.of("T0ALPHA") is pacers.of("T0ALPHA") is not pacers.of("T0BRAVO")


def test_pacing_needs_a_workspace_being_served() -> None:
    pacers = Pacers(60)
    with unserved(), pytest.raises(NoWorkspace):
        pacers.wait("D1")
