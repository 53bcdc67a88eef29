"""The case job, as the scheduler runs it: reminders reach Slack (the untaken ping in the case
thread, shown in the channel too), and an alert whose follow-up was lost is followed up."""

from __future__ import annotations

from datetime import timedelta

import wiring
from bot.cases.model import ChargesSeen
from bot.core.clock import FakeClock
from bot.services import Services
from handlers.jobs.cases import run_case_jobs
from handlers.slack.case_slack import publish
from sandbox.slack_standin import SlackStandIn
from tests.bot.cases.conftest import ANA, DANA, World
from tests.conftest import ADMIN
from tests.handlers.cases.conftest import card, dms
from tests.handlers.conftest import Slack


def test_reminders_reach_the_channel_the_handler_and_the_admins(
    slack: Slack, standin: SlackStandIn, services: Services, world: World, clock: FakeClock
) -> None:
    messenger = wiring.build_messenger(services.settings)
    publish(
        slack.app.client, services, services.cases.report(ANA, world.acme.id, "x", ChargesSeen.NO)
    )
    parent = card(standin)

    clock.advance(timedelta(minutes=31))
    run_case_jobs(services, messenger)
    run_case_jobs(services, messenger)  # the same interval: nothing more

    [ping] = [c for c in standin.calls("chat.postMessage") if c.args.get("reply_broadcast")]
    assert ping.args["thread_ts"] == parent["ts"] and "waited 31 min" in ping.args["text"]
    services.cases.take(DANA, 1)
    clock.advance(timedelta(hours=48, minutes=1))
    run_case_jobs(services, messenger)
    assert "no update for 2 days" in dms(standin, DANA)[-1]
    assert "no update for 2 days" in dms(standin, ADMIN)[-1]


def test_a_lost_alert_follow_up_is_done_by_the_job(
    standin: SlackStandIn, services: Services, world: World, clock: FakeClock
) -> None:
    services.alerts.receive(
        '{"id": "lost-1", "kind": "account_takeover", "account_id": "7012345", '
        '"member_email": "u0ana@example.com", "detected_at": "2026-11-24T09:00:00Z", "detail": "x"}'
    )
    messenger = wiring.build_messenger(services.settings)
    run_case_jobs(services, messenger)
    assert standin.messages("C0ESCALATE") == []  # the API's own follow-up gets its chance first

    clock.advance(timedelta(minutes=3))
    run_case_jobs(services, messenger)
    run_case_jobs(services, messenger)

    assert len(standin.messages("C0ESCALATE")) == 1
    assert "may have been taken over" in dms(standin, ANA)[0]
