"""Exemptions through the real Bolt app over signed requests, against the Slack stand-in: a member
requests one from the checklist, the account manager approves it after a step-up code, and the
checklist says so; a stranger's press is refused and audited."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.clock import FakeClock
from bot.services import Services
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn
from storage import members as member_store
from storage.models import AuditRecord
from tests.conftest import AccountFactory, MemberFactory
from tests.handlers.conftest import Slack, text_of
from tests.handlers.test_step_up import STALE, step_up_modal, submit_code
from tests.handlers.test_two_step import code, link_authenticator


@pytest.fixture
def acme(member: MemberFactory, account: AccountFactory, services: Services) -> int:
    ana, dana = member("U0ANA", name="Ana"), member("U0DANA", name="Dana")
    member("U0EVE", name="Eve")
    shop = account("Acme Ads", members=[ana], manager=dana)
    with services.database.sessions.begin() as session:
        member_store.save_check_result(
            session, member_id=ana.id, check="two_step", business_account_id=shop.id,
            source="platform", state="needs_action", observed_at=services.clock.now(), detail={},
        )  # fmt: skip
    return shop.id


def _values(account: int, reason: str, last_day: str) -> dict[str, Any]:
    return {
        "check": {"check": {"type": "static_select", "selected_option": {"value": "two_step"}}},
        "account": {
            "account": {"type": "static_select", "selected_option": {"value": str(account)}}
        },
        "reason": {"reason": {"type": "plain_text_input", "value": reason}},
        "ends_on": {"ends_on": {"type": "datepicker", "selected_date": last_day}},
    }


def _request(slack: Slack, standin: SlackStandIn, account: int, last_day: str) -> Any:
    slack.press("U0ANA", "request_exemption:two_step", value="status:two_step")
    modal = standin.wait_for(standin.opened_views)[-1]
    assert modal["callback_id"] == "exemption_request"
    check = next(b for b in modal["blocks"] if b.get("block_id") == "check")
    assert check["element"]["initial_option"]["value"] == "two_step"
    values = _values(account, "Shared account, 2SV held by the agency", last_day)
    return slack.send(payloads.view_submission("U0ANA", modal, values))


def _dm(standin: SlackStandIn, user: str, expected: str) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        return next(
            (m for m in standin.messages(user) if expected in (m.get("text") or "") + str(m)),
            None,
        )

    return standin.wait_for(found)


def _actions(services: Services) -> list[tuple[str, str]]:
    with services.database.sessions() as session:
        rows = session.execute(
            select(AuditRecord.actor, AuditRecord.action).order_by(AuditRecord.id)
        )
        return [(actor, action) for actor, action in rows if action.startswith("exemption.")]


def test_the_checklist_offers_an_exemption_for_a_failing_per_account_check(
    slack: Slack, acme: int
) -> None:
    answer = slack.command("U0ANA", "status")
    buttons = [
        element["action_id"]
        for block in answer["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert "request_exemption:two_step" in buttons
    assert "request_exemption:strong_password" not in buttons  # not checked yet: unknown


def test_requested_then_approved_by_the_manager_after_a_step_up(
    slack: Slack, standin: SlackStandIn, services: Services, clock: FakeClock, acme: int
) -> None:
    dana_secret = link_authenticator(services, clock, "U0DANA")
    clock.advance(STALE)

    response = _request(slack, standin, acme, "2027-01-31")
    assert response.status == 200 and response.body == ""  # the modal closes
    request = _dm(standin, "U0DANA", "asks for an exemption")
    assert "<@U0ANA> asks for an exemption" in text_of(request["blocks"])
    assert "Shared account, 2SV held by the agency" in text_of(request["blocks"])
    _dm(standin, "U0ANA", "is sent to <@U0DANA>")
    number = next(
        e["value"] for b in request["blocks"] if b["type"] == "actions" for e in b["elements"]
    )

    # Someone else's press is refused where they pressed, and audited.
    slack.press("U0EVE", "approve_exemption", value=number)
    refused = standin.wait_for(standin.response_url_posts)[-1]
    assert "Only the account's manager or a security admin" in refused["text"]

    slack.press("U0DANA", "approve_exemption", value=number)
    standin.wait_for(lambda: standin.opened_views()[-1]["callback_id"] == "step_up" or None)
    modal = step_up_modal(standin)
    assert "approve an exemption" in text_of(modal["blocks"])
    answer = submit_code(slack, "U0DANA", modal, code(dana_secret, clock))
    assert json.loads(answer.body) == {"response_action": "clear"}
    told = _dm(standin, "U0ANA", "approved your exemption")
    assert "<@U0DANA> approved your exemption" in told["text"]
    assert "31 Jan 2027" in told["text"]

    status = text_of(slack.command("U0ANA", "status")["blocks"])
    assert "Exempt until 31 Jan 2027, approved by <@U0DANA>." in status
    assert "Exempt for now: Acme Ads." in status
    assert _actions(services) == [
        ("U0ANA", "exemption.requested"),
        ("U0EVE", "exemption.decision.refused"),
        ("U0DANA", "exemption.approved"),
    ]

    clock.advance(timedelta(days=70))  # past the last day: the check is back to normal
    status = text_of(slack.command("U0ANA", "status")["blocks"])
    assert "Exempt" not in status and "Needs turning on: Acme Ads." in status


def test_rejected_by_the_manager_replaces_the_buttons_and_tells_the_member(
    slack: Slack, standin: SlackStandIn, services: Services, acme: int
) -> None:
    _request(slack, standin, acme, "2027-01-31")
    request = _dm(standin, "U0DANA", "asks for an exemption")
    number = next(
        e["value"] for b in request["blocks"] if b["type"] == "actions" for e in b["elements"]
    )
    slack.press("U0DANA", "reject_exemption", value=number)
    _dm(standin, "U0ANA", "rejected your exemption request")

    def replaced() -> dict[str, Any] | None:
        posts = [p for p in standin.response_url_posts() if p.get("replace_original")]
        return posts[-1] if posts else None

    post = standin.wait_for(replaced)
    assert "Rejected by <@U0DANA>" in text_of(post["blocks"])
    assert all(block["type"] != "actions" for block in post["blocks"])
    assert _actions(services)[-1] == ("U0DANA", "exemption.rejected")


def test_a_past_end_date_is_shown_on_the_date_input(
    slack: Slack, standin: SlackStandIn, acme: int
) -> None:
    response = _request(slack, standin, acme, "2026-11-01")
    answer = json.loads(response.body)
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {"ends_on": "Choose an end date after today."}
