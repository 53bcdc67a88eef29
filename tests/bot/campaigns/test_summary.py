"""The weekly summary with running campaigns: its chart gains a panel with a line per campaign
(a taller PNG), its text a line per campaign, its alt text the campaigns' figures."""

from __future__ import annotations

from datetime import timedelta

import wiring
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.services import Services
from sandbox.slack_standin import SlackStandIn
from tests.bot.campaigns.conftest import Directory, Start
from tests.bot.stats.test_chart import size_of
from tests.conftest import ADMIN


def test_running_campaigns_are_charted_and_listed_in_the_weekly_summary(
    settings: Settings,
    services: Services,
    directory: Directory,
    start: Start,
    clock: FakeClock,
    standin: SlackStandIn,
) -> None:
    first = start(title="2SV everywhere")
    second = start("recovery_phone", "manager", manager="U0CARL")
    stopped = start("strong_password")
    services.campaigns.stop(ADMIN, stopped.id)
    services.nudges.sweep()
    clock.advance(timedelta(days=1))
    services.nudges.sweep()

    run = services.summaries.send_due(wiring.build_messenger(settings), "process-a")

    assert run.sent == [ADMIN]
    [upload] = [found for found in standin.uploaded_files() if found["channels"]]
    assert size_of(upload["content"]) == (800, 850)  # 350 pixels more: the campaigns' panel
    [comment] = upload["comments"]
    assert "*Campaigns* (the lower chart)" in comment
    assert (
        f"• #{first.id} 2SV everywhere: 50% done or exempt · Due by 18 Dec 2026 (in 23 days)"
        in comment
    )
    assert f"• #{second.id} Recovery phone · the business accounts of <@U0CARL>: 0% done" in comment
    assert f"#{stopped.id}" not in comment
    assert (
        f"#{first.id} 2SV everywhere: 50% done or exempt of 4, due by 18 Dec 2026"
        in upload["alt_txt"]
    )
