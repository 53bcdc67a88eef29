"""Reminders of two workspaces installed by OAuth: each delivered with its own workspace's bot
token (from the installation store), side by side, so a workspace that Slack answers with a
burst of 429s waits them out alone while the other's reminders all go out meanwhile."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from slack_sdk.oauth.installation_store import Installation

import wiring
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.secret_box import SecretBox
from bot.services import Services
from bot.workspaces.scope import serving
from bot.workspaces.service import Install
from handlers.jobs.scheduler import DELIVER, Jobs
from handlers.outbound.installations import SealedInstallationStore
from sandbox.slack_standin import Call, SlackStandIn
from storage.models import Member

ALPHA, BRAVO = "T0ALPHA", "T0BRAVO"
PEOPLE = {ALPHA: ("U0ANA", "U0ARI", "U0AMY"), BRAVO: ("U0BEN", "U0BEA", "U0BOB")}
PAST_GRACE = timedelta(days=15)
BURST, RETRY_AFTER = 4, 1  # 429s answered to Alpha's calls, each asking to wait a second


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """OAuth mode: no SLACK_BOT_TOKEN; every workspace's token comes from its install."""
    return dataclasses.replace(
        settings,
        slack_bot_token=None,
        slack_client_id="1111111111.2222222222",
        slack_client_secret="0123456789abcdef0123456789abcdef",
        slack_state_secret="state-" + uuid.uuid4().hex,
    )


@pytest.fixture
def installed(
    settings: Settings, services: Services, standin: SlackStandIn, clock: FakeClock
) -> Services:
    """Alpha and Bravo installed, three members each, a reminder decided for each member."""
    assert settings.slack_client_id
    store = SealedInstallationStore(
        settings.slack_client_id, services.database.engine, SecretBox(settings.security_bot_keys)
    )
    for team_id, people in PEOPLE.items():
        token = f"xoxb-{team_id.lower()}-{uuid.uuid4().hex[:8]}"
        standin.add_workspace(team_id, name=team_id, bot_token=token)
        store.save(
            Installation(
                app_id="A0STANDIN",
                team_id=team_id,
                user_id=people[0],
                bot_token=token,
                bot_id=f"B0{team_id[1:]}",
                bot_user_id="U0BOT",
            )
        )
        services.workspaces.installed(Install(team_id, None, False, team_id, people[0]))
        with serving(team_id), services.database.sessions.begin() as session:
            for user in people:
                standin.add_user(user, email=f"{user.lower()}@example.com", real_name=user,
                                 team_id=team_id)  # fmt: skip
                session.add(
                    Member(
                        slack_user_id=user,
                        team_id=team_id,
                        email=f"{user.lower()}@example.com",
                        display_name=user,
                        time_zone="Europe/Berlin",
                        profile_refreshed_at=clock.now(),
                        created_at=clock.now(),
                    )
                )
    clock.advance(PAST_GRACE)
    for team_id in PEOPLE:
        with serving(team_id):
            assert services.nudges.sweep().written.messages == len(PEOPLE[team_id])
    return services


@pytest.fixture
def jobs(installed: Services, settings: Settings) -> Iterator[Jobs]:
    """This process leads the jobs (the lease is taken; no scheduler fires on its own)."""
    messenger = wiring.build_messenger(settings, installed)
    found = Jobs(installed, messenger, name=f"test-{uuid.uuid4().hex[:8]}", holder="process-a")
    assert found.lease.renew()
    yield found
    found.stop()


def posts(standin: SlackStandIn, team_id: str, *, ok: bool) -> list[Call]:
    return [c for c in standin.calls("chat.postMessage") if c.team == team_id and c.ok is ok]


def test_each_workspace_is_reminded_with_its_own_token(jobs: Jobs, standin: SlackStandIn) -> None:
    jobs.run(DELIVER)

    for team_id, people in PEOPLE.items():
        assert all(len(standin.messages(user, team_id=team_id)) == 1 for user in people)
        # The stand-in tells each call's workspace by its token: Alpha's token for Alpha only.
        assert sorted(c.args["channel"] for c in posts(standin, team_id, ok=True)) == sorted(people)
    assert not [c for c in standin.calls("chat.postMessage") if not c.ok]


def test_a_429_burst_in_one_workspace_does_not_hold_back_the_other(
    jobs: Jobs, standin: SlackStandIn
) -> None:
    standin.fail_burst(status=429, calls=BURST, retry_after=RETRY_AFTER, team_id=ALPHA)

    jobs.run(DELIVER)

    refused, alpha, bravo = (
        posts(standin, ALPHA, ok=False),
        posts(standin, ALPHA, ok=True),
        posts(standin, BRAVO, ok=True),
    )
    assert len(refused) == BURST and len(alpha) == len(bravo) == 3
    assert not posts(standin, BRAVO, ok=False)  # the burst was Alpha's alone
    # Every 429 waited out: Alpha's next call came Retry-After later.
    for one, then in zip(refused, [*refused[1:], alpha[0]], strict=True):
        assert then.at - one.at >= RETRY_AFTER
    # Bravo's reminders all went out while Alpha was still waiting.
    assert max(call.at for call in bravo) < alpha[0].at
    assert len(standin.messages(team_id=ALPHA)) == len(standin.messages(team_id=BRAVO)) == 3
