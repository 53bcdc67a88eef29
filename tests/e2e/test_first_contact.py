"""A member the bot has never seen, reaching it from two places at once."""

from __future__ import annotations

import contextlib
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from sandbox import payloads
from storage.models import Member
from tests.e2e.conftest import Answer, RunningApp

pytestmark = pytest.mark.e2e

NEWCOMERS = [f"U0NEW{n}" for n in range(6)]


def test_home_tab_and_command_at_once_on_first_contact_both_work(running_app: RunningApp) -> None:
    """Opening the Home tab while running `/security` is what a curious new member does; both
    listeners fetch the unknown member's profile after their acknowledgement, in parallel."""
    standin = running_app.standin
    for user_id in NEWCOMERS:
        standin.add_user(user_id, email=f"{user_id.lower()}@example.com", real_name=user_id)

    def reach(user_id: str) -> list[Answer]:
        home = payloads.app_home_opened(user_id)
        command = payloads.slash_command(user_id, "status", response_url=standin.response_url())
        with ThreadPoolExecutor(2) as both:
            return list(both.map(running_app.send, [home, command]))

    with ThreadPoolExecutor(len(NEWCOMERS)) as pool:
        answers = [answer for pair in pool.map(reach, NEWCOMERS) for answer in pair]

    assert [answer.status for answer in answers] == [200] * len(answers)
    with contextlib.suppress(
        AssertionError
    ):  # a missing Home tab is reported below, with its cause
        standin.wait_for(lambda: all(standin.published_view(u) for u in NEWCOMERS))
    assert running_app.logged_errors() == [], running_app.stderr()[-4000:]
    for user_id in NEWCOMERS:
        view = standin.published_view(user_id)
        assert view is not None, f"no Home tab was published for {user_id}"
        # Newcomers are on no business account yet: only the authenticator check applies.
        assert "0 of 1 check passes" in json.dumps(view["blocks"]), user_id
    apologies = [m["text"] for m in standin.messages() if "went wrong" in m.get("text", "")]
    assert apologies == []
    assert running_app.database is not None
    with running_app.database.sessions() as session:
        rows = session.execute(
            select(Member.slack_user_id, func.count()).group_by(Member.slack_user_id)
        ).all()
    assert sorted((user_id, count) for user_id, count in rows) == [(u, 1) for u in NEWCOMERS]
