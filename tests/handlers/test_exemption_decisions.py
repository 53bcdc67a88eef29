"""An exemption request with several approvers, and an approved exemption's end, through the real
Bolt app over signed requests against the Slack stand-in: once one approver decides, every other
approver's DM about the request is updated in place (chat.update) to say who decided and how, its
buttons gone; when the exemption ends, one `exemption.expired` audit record and one DM tell the
member that the check is due again."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.nudges.sender import Sender
from bot.services import Services
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn
from storage import members as member_store
from storage.exemption_models import ExemptionMessage
from storage.models import AuditRecord
from tests.bot.nudges.conftest import FAST
from tests.conftest import ADMIN, AccountFactory, MemberFactory
from tests.handlers.conftest import Slack, text_of
from tests.handlers.test_step_up import STALE, step_up_modal, submit_code
from tests.handlers.test_two_step import code, link_authenticator
from wiring import build_messenger

SAM = "U0SAM"  # the second security admin


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, security_admins=frozenset({ADMIN, SAM}))


@pytest.fixture
def shop(member: MemberFactory, account: AccountFactory, services: Services) -> int:
    """Ana's shop has no account manager: its requests go to both security admins."""
    ana = member("U0ANA", name="Ana")
    member(ADMIN, name="Ada")
    member(SAM, name="Sam")
    found = account("Ana's Shop", members=[ana])
    with services.database.sessions.begin() as session:
        member_store.save_check_result(
            session, member_id=ana.id, check="two_step", business_account_id=found.id,
            source="platform", state="needs_action", observed_at=services.clock.now(), detail={},
        )  # fmt: skip
    return found.id


def request(
    slack: Slack, standin: SlackStandIn, services: Services, account: int, last_day: str
) -> str:
    """Ana asks; both admins get their DM, and where it went is recorded. The request's number."""
    slack.press("U0ANA", "request_exemption:two_step", value="status:two_step")
    modal = standin.wait_for(standin.opened_views)[-1]
    values = {
        "check": {"check": {"type": "static_select", "selected_option": {"value": "two_step"}}},
        "account": {
            "account": {"type": "static_select", "selected_option": {"value": str(account)}}
        },
        "reason": {"reason": {"type": "plain_text_input", "value": "Agency holds the 2SV"}},
        "ends_on": {"ends_on": {"type": "datepicker", "selected_date": last_day}},
    }
    assert slack.send(payloads.view_submission("U0ANA", modal, values)).status == 200
    asked = [asking(standin, admin) for admin in (ADMIN, SAM)]
    numbers = {
        element["value"]
        for dm in asked
        for block in dm["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    }
    [number] = numbers

    def recorded() -> bool:
        with services.database.sessions() as session:
            rows = session.scalars(
                select(ExemptionMessage).where(ExemptionMessage.exemption_id == int(number))
            ).all()
        return len(rows) == 2

    standin.wait_for(recorded)
    return str(number)


def asking(standin: SlackStandIn, user: str) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        asked = [m for m in standin.messages(user) if "asks for an exemption" in str(m["blocks"])]
        return asked[-1] if asked else None

    return standin.wait_for(found)


def updated_to(standin: SlackStandIn, user: str, words: str) -> dict[str, Any]:
    """The user's DM about the request, once chat.update has put `words` into it."""

    def found() -> dict[str, Any] | None:
        dm = asking(standin, user)
        return dm if words in text_of(dm["blocks"]) else None

    return standin.wait_for(found)


def audited(services: Services, action: str) -> list[AuditRecord]:
    with services.database.sessions() as session:
        return list(session.scalars(select(AuditRecord).where(AuditRecord.action == action)))


def test_a_rejection_updates_the_other_admin_s_dm_in_place(
    slack: Slack, standin: SlackStandIn, services: Services, shop: int
) -> None:
    number = request(slack, standin, services, shop, "2027-01-31")

    def kept() -> set[tuple[str, str]] | None:
        with services.database.sessions() as session:
            rows = session.scalars(select(ExemptionMessage)).all()
            found = {(m.slack_user_id, m.slack_channel) for m in rows}
        return found if len(found) == 2 else None

    assert standin.wait_for(kept) == {
        (ADMIN, standin.dm_channel(ADMIN)),
        (SAM, standin.dm_channel(SAM)),
    }
    ada_dm = asking(standin, ADMIN)

    slack.press(SAM, "reject_exemption", value=number)

    shown = updated_to(standin, ADMIN, "Rejected by <@U0SAM>")
    assert shown["ts"] == ada_dm["ts"]  # the same message, edited
    assert all(block["type"] != "actions" for block in shown["blocks"])
    [update] = [
        call for call in standin.calls("chat.update") if call.args["channel"] == shown["channel"]
    ]
    assert update.args["ts"] == ada_dm["ts"]
    # Sam's own DM is replaced through the press's response_url, as before.
    replaced = standin.wait_for(
        lambda: [p for p in standin.response_url_posts() if p.get("replace_original")]
    )
    assert "Rejected by <@U0SAM>" in text_of(replaced[-1]["blocks"])

    slack.press(ADMIN, "approve_exemption", value=number)  # Ada's button was gone; forged
    late = standin.wait_for(
        lambda: [p for p in standin.response_url_posts() if "already" in p.get("text", "")]
    )
    assert late[-1]["text"] == "This request was already rejected by <@U0SAM>."


def test_an_approval_after_a_code_updates_the_other_admin_s_dm(
    slack: Slack, standin: SlackStandIn, services: Services, clock: FakeClock, shop: int
) -> None:
    secret = link_authenticator(services, clock, ADMIN)
    clock.advance(STALE)
    number = request(slack, standin, services, shop, "2027-01-31")

    slack.press(ADMIN, "approve_exemption", value=number)
    standin.wait_for(lambda: standin.opened_views()[-1]["callback_id"] == "step_up" or None)
    submit_code(slack, ADMIN, step_up_modal(standin), code(secret, clock))

    shown = updated_to(standin, SAM, "Approved by <@U0ADMIN>")
    assert all(block["type"] != "actions" for block in shown["blocks"])
    replaced = standin.wait_for(  # Ada's own, through her press's response_url
        lambda: [p for p in standin.response_url_posts() if p.get("replace_original")]
    )
    assert "Approved by <@U0ADMIN>" in text_of(replaced[-1]["blocks"])
    assert [r.actor for r in audited(services, "exemption.approved")] == [ADMIN]


def test_an_ended_exemption_is_audited_once_and_the_member_told(
    slack: Slack,
    standin: SlackStandIn,
    services: Services,
    clock: FakeClock,
    shop: int,
) -> None:
    number = request(slack, standin, services, shop, "2026-11-30")  # ends at 1 Dec 2026, 00:00 UTC
    secret = link_authenticator(services, clock, ADMIN)
    clock.advance(STALE)
    slack.press(ADMIN, "approve_exemption", value=number)
    standin.wait_for(lambda: standin.opened_views()[-1]["callback_id"] == "step_up" or None)
    submit_code(slack, ADMIN, step_up_modal(standin), code(secret, clock))
    standin.wait_for(
        lambda: [m for m in standin.messages("U0ANA") if "approved your exemption" in m["text"]]
    )
    assert "Exempt until 30 Nov 2026" in text_of(slack.command("U0ANA", "status")["blocks"])
    sender = Sender(
        services.database,
        clock,
        build_messenger(services.settings),
        services.nudges.policy,
        "s",
        pace=FAST,
    )

    clock.advance(timedelta(days=7))  # Tuesday 1 December, 11:11 in Berlin
    services.nudges.sweep()
    services.nudges.sweep()  # another sweep (or process) finds nothing left to record
    sender.deliver()

    [expired] = audited(services, "exemption.expired")
    assert (expired.actor, expired.target) == ("system", f"exemption:{number}")
    assert expired.details["last_day"] == "2026-11-30" and expired.details["member"] == "U0ANA"
    told = [m for m in standin.messages("U0ANA") if "ended with" in m["text"]]
    assert len(told) == 1
    assert told[0]["text"] == (
        "⏰ Your exemption from *2-step verification on each business account* on *Ana's Shop* "
        "ended with 30 Nov 2026. The check counts again: if it still needs something from you, "
        "reminders about it start over. `/security status` shows where it stands."
    )
    status = text_of(slack.command("U0ANA", "status")["blocks"])
    assert "Exempt" not in status and "Needs turning on: Ana's Shop." in status
