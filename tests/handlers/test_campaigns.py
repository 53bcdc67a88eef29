"""Campaigns through the real Bolt app over signed requests, against the Slack stand-in: a
security admin starts one with the modal; a member's `/security status` shows its deadline; the
sweep's reminder counts down to it; after it, the account manager and the admin get their lists;
the admin's Home tab shows the progress; anyone else is refused, and the refusal audited."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

import wiring
from bot.checklist.model import Check, State
from bot.core.clock import FakeClock
from bot.services import Services
from cli.nudges import sweep_and_deliver
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn
from storage import members as member_store
from storage.models import AuditRecord
from tests.conftest import ADMIN, AccountFactory, MemberFactory
from tests.handlers.conftest import Slack, text_of

WEDNESDAY = datetime(2026, 12, 2, 10, tzinfo=UTC)  # past the new members' grace
AFTER_DEADLINE = datetime(2026, 12, 21, 9, tzinfo=UTC)


@pytest.fixture
def acme(member: MemberFactory, account: AccountFactory, services: Services) -> None:
    ana, dana = member("U0ANA", name="Ana"), member("U0DANA", name="Dana")
    member(ADMIN, name="Sam")
    shop = account("Acme Ads", members=[ana], manager=dana)
    with services.database.sessions.begin() as session:
        member_store.save_check_result(
            session, member_id=ana.id, check=Check.TWO_STEP.value, business_account_id=shop.id,
            source="platform", state=State.NEEDS_ACTION.value, observed_at=services.clock.now(),
            detail={},
        )  # fmt: skip


def values(**chosen: Any) -> dict[str, Any]:
    """The start modal's state as Slack submits it, with `chosen` over the defaults."""
    picked = {"check": "two_step", "scope": "everyone", "deadline": "2026-12-18", **chosen}

    def option(block: str) -> dict[str, Any]:
        return {block: {"type": "static_select", "selected_option": {"value": picked[block]}}}

    found: dict[str, Any] = {
        "check": option("check"),
        "scope": {
            "scope": {"type": "radio_buttons", "selected_option": {"value": picked["scope"]}}
        },
        "deadline": {"deadline": {"type": "datepicker", "selected_date": picked["deadline"]}},
        "title": {"title": {"type": "plain_text_input", "value": picked.get("title")}},
        "manager": {"manager": {"type": "users_select", "selected_user": picked.get("manager")}},
    }
    return found


def open_start_modal(slack: Slack, standin: SlackStandIn) -> dict[str, Any]:
    answer = slack.send(
        payloads.slash_command(ADMIN, "campaign start", response_url=standin.response_url())
    )
    assert answer.status == 200 and answer.body == ""  # the modal follows the acknowledgement
    modal: dict[str, Any] = standin.wait_for(
        lambda: next(
            (v for v in standin.opened_views() if v.get("callback_id") == "campaign_start"), None
        )
    )
    return modal


def sweep(services: Services, clock: FakeClock, at: datetime) -> None:
    clock.set(at)
    messenger = wiring.build_messenger(services.settings, services)
    sweep_and_deliver(services, messenger, dry_run=False, out=io.StringIO())


def test_an_admin_starts_a_campaign_that_members_see_until_the_lists_after_its_deadline(
    slack: Slack, standin: SlackStandIn, services: Services, clock: FakeClock, acme: None
) -> None:
    modal = open_start_modal(slack, standin)
    labels = [block["label"]["text"] for block in modal["blocks"] if block["type"] == "input"]
    assert labels[0] == "Check" and "Last day" in labels
    submitted = slack.send(
        payloads.view_submission(ADMIN, modal, values(title="2SV on TikTok by 18 Dec"))
    )
    assert submitted.status == 200 and submitted.body == ""  # the modal closes
    told = standin.wait_for(lambda: standin.response_url_posts() or None)[-1]
    assert "is running: 2SV on TikTok by 18 Dec" in told["text"]

    status = slack.command("U0ANA", "status")
    assert "📅 *Due by 18 Dec 2026 (in 24 days)*" in text_of(status["blocks"])

    sweep(services, clock, WEDNESDAY)
    reminder = text_of(standin.messages("U0ANA")[-1]["blocks"])
    assert "2-step verification on each business account" in reminder
    assert "📅 *Due by 18 Dec 2026 (in 16 days)*" in reminder

    slack.send(payloads.app_home_opened(ADMIN))
    home = standin.wait_for(lambda: standin.published_view(ADMIN))
    shown = text_of(home["blocks"])
    assert "Campaigns" in shown and "2SV on TikTok by 18 Dec" in shown
    assert "*0%* done or exempt (0 of 1 member's account; 1 open)" in shown
    assert "Most still open: <@U0DANA> 0%" in shown

    listed = slack.command(ADMIN, "campaign list")
    assert "2SV on TikTok by 18 Dec" in text_of(listed["blocks"])
    number = services.campaigns.listed(ADMIN)[0].campaign.id
    shown_in_full = text_of(slack.command(ADMIN, f"campaign show {number}")["blocks"])
    assert (
        "*Per account manager*" in shown_in_full
        and "• <@U0DANA>: 0 of 1 (0%), 1 open" in shown_in_full
    )

    sweep(services, clock, AFTER_DEADLINE)
    dana = standin.wait_for(lambda: standin.messages("U0DANA") or None)[-1]
    assert "the deadline has passed (18 Dec 2026)" in text_of(dana["blocks"])
    assert "• *Acme Ads*: <@U0ANA>" in text_of(dana["blocks"])
    admin = standin.messages(ADMIN)[-1]
    assert "• *Acme Ads* (<@U0DANA>): <@U0ANA>" in text_of(admin["blocks"])

    stopped = slack.command(ADMIN, f"campaign stop {number}")
    assert f"Campaign *#{number}*" in stopped["text"] and "is stopped" in stopped["text"]
    assert "Due by" not in text_of(slack.command("U0ANA", "status")["blocks"])


def test_the_modal_says_what_is_wrong_on_its_input(
    slack: Slack, standin: SlackStandIn, services: Services, acme: None
) -> None:
    modal = open_start_modal(slack, standin)
    past = slack.send(payloads.view_submission(ADMIN, modal, values(deadline="2026-11-01")))
    assert json.loads(past.body) == {
        "response_action": "errors",
        "errors": {"deadline": "Choose a last day after today."},
    }
    nobody = slack.send(payloads.view_submission(ADMIN, modal, values(scope="manager")))
    assert json.loads(nobody.body)["errors"] == {"manager": "Choose the account manager."}
    assert services.campaigns.listed(ADMIN) == []


def test_anyone_but_a_security_admin_is_refused_and_audited(
    slack: Slack, standin: SlackStandIn, services: Services, acme: None
) -> None:
    for line in ("campaign start", "campaign list", "campaign show 1", "campaign stop 1"):
        answer = slack.command("U0DANA", line)
        assert answer["text"] == "Only security admins can run campaigns.", line
    modal = {"id": "V0FORGED", "type": "modal", "callback_id": "campaign_start"}
    forged = slack.send(payloads.view_submission("U0DANA", modal, values()))
    assert json.loads(forged.body)["errors"] == {"check": "Only security admins can run campaigns."}
    assert not [
        view for view in standin.opened_views() if view.get("callback_id") == "campaign_start"
    ]
    with services.database.sessions() as session:
        refused = session.scalars(
            select(AuditRecord.details).where(AuditRecord.action == "campaign.refused")
        ).all()
    assert [details["attempted"] for details in refused] == [
        "start",
        "list",
        "show",
        "stop",
        "start",
    ]
    slack.send(payloads.app_home_opened("U0DANA"))
    home = standin.wait_for(lambda: standin.published_view("U0DANA"))
    assert "Campaigns" not in text_of(home["blocks"])
