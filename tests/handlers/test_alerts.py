"""Compromised-password alerts in Slack, through the real Bolt app and the Slack stand-in: the DMs
to the account's members and manager, "Report unauthorized activity", and the alerts API's
follow-ups."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.platform.alerts import AlertNotice
from bot.platform.signature import sign
from bot.services import Services, build_services
from handlers.slack.alerts import notify
from handlers.web.alerts_api import AlertsApi
from handlers.web.platform_api import ApiAnswer
from sandbox.slack_standin import SlackStandIn, validate_blocks
from storage.database import Database
from storage.models import AlertMessage, BusinessAccount, Member
from tests.conftest import ADMIN, AccountFactory, MemberFactory
from tests.handlers.cases.conftest import submit, wait_for_modal
from tests.handlers.conftest import Slack, text_of
from tests.handlers.test_two_step import audit_actions
from wiring import build_client

SECRET = "alerts-secret"
HOSTILE = "Seen in a dump <!channel> <https://evil.example|log in here> & more"


def alert(**changes: Any) -> bytes:
    document = {
        "id": "alert-123",
        "kind": "compromised_password",
        "account_id": "7012345",
        "member_email": "ana@example.com",
        "detected_at": "2026-11-24T09:00:00Z",
        "detail": HOSTILE,
        **changes,
    }
    return json.dumps(document).encode()


@pytest.fixture
def acme(member: MemberFactory, account: AccountFactory) -> BusinessAccount:
    ana = member("U0ANA", email="ana@example.com", name="Ana")
    raj = member("U0RAJ", email="raj@example.com", name="Raj")
    dana = member("U0DANA", email="dana@example.com", name="Dana")
    return account(
        "Acme <Shoes> Ads", members=[ana, raj], manager=dana, platform_account_id="7012345"
    )


@pytest.fixture
def alerted(services: Services, settings: Settings, acme: BusinessAccount) -> AlertNotice:
    """The alert is in, and its DMs are sent, as the API's background job sends them."""
    notice = services.alerts.receive(alert()).notice
    assert notice is not None
    notify(build_client(settings), services.alerts, notice)
    return notice


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        element
        for block in message["blocks"]
        for element in [block.get("accessory") or {}, *block.get("elements", [])]
        if element.get("type") == "button"
    ]


def alert_dm(standin: SlackStandIn, user: str) -> dict[str, Any]:
    return next(m for m in standin.messages(user) if "compromised" in m["text"])


def link_urls(standin: SlackStandIn, user: str, kind: str) -> Callable[[], list[str]]:
    def found() -> list[str]:
        return [
            button["url"]
            for message in standin.messages(user)
            for button in buttons(message)
            if f"/secure/{kind}/" in button.get("url", "")
        ]

    return found


# -- the DMs ----------------------------------------------------------------------------------


def test_every_member_gets_the_dm_with_the_steps_and_the_button(
    standin: SlackStandIn, services: Services, alerted: AlertNotice
) -> None:
    for user in ("U0ANA", "U0RAJ"):
        message = alert_dm(standin, user)
        assert validate_blocks(message["blocks"], surface="message") == []
        shown = text_of(message["blocks"])
        assert "*TikTok for Business · Acme &lt;Shoes&gt; Ads (7012345)*" in shown
        # in the reader's own time zone, with the time of day
        assert "(detected <!date^1795510800^{date_short} {time}|24 Nov 2026 09:00 UTC>)" in shown
        assert "The platform recommends changing the password immediately." in shown
        assert "*User Settings*, then *Account Security*" in shown  # TikTok's steps
        assert [(b["action_id"], b["text"]["text"], b["value"]) for b in buttons(message)] == [
            ("password_changed", "I've changed it", f"alert:{alerted.business_account_id}"),
            ("report_from_alert", "Report unauthorized activity", "alert:1"),
        ]
        # the platform's words are quoted, but cannot mention, link or notify
        assert "&lt;!channel&gt; &lt;https://evil.example|log in here&gt; &amp; more" in shown
        assert "<!channel>" not in json.dumps(message)
        assert "<https://evil" not in json.dumps(message)


def test_the_manager_of_a_managed_account_is_told_too_without_the_button(
    standin: SlackStandIn, alerted: AlertNotice
) -> None:
    message = alert_dm(standin, "U0DANA")

    shown = text_of(message["blocks"])
    assert "a business account you manage" in shown
    assert "asked the account's 2 members to change it" in shown
    assert buttons(message) == []


def test_each_dm_is_remembered_to_be_updated_in_place(
    standin: SlackStandIn, services: Services, alerted: AlertNotice
) -> None:
    with services.database.sessions() as session:
        rows = session.execute(
            select(AlertMessage.slack_user_id, AlertMessage.role, AlertMessage.slack_channel)
        ).all()
    assert sorted(rows) == [
        ("U0ANA", "member", standin.dm_channel("U0ANA")),
        ("U0DANA", "manager", standin.dm_channel("U0DANA")),
        ("U0RAJ", "member", standin.dm_channel("U0RAJ")),
    ]


def test_an_unmanaged_account_tells_only_its_members(
    standin: SlackStandIn,
    services: Services,
    settings: Settings,
    member: MemberFactory,
    account: AccountFactory,
) -> None:
    ana = member("U0ANA")
    account("Solo Ads", members=[ana], platform_account_id="7012345")
    notice = services.alerts.receive(alert()).notice
    assert notice is not None

    notify(build_client(settings), services.alerts, notice)

    assert {m["channel"] for m in standin.messages()} == {standin.dm_channel("U0ANA")}


def test_the_checklist_shows_the_open_alert_first_and_in_red(
    slack: Slack, alerted: AlertNotice
) -> None:
    answer = slack.command("U0ANA", "status")

    blocks = answer["blocks"]
    first_check = next(
        block for block in blocks if block["type"] == "section" and "🔴" in text_of([block])
    )
    assert blocks.index(first_check) == 3  # header, summary, divider, then this
    shown = text_of([first_check])
    assert shown.startswith("🔴 *No compromised password*")
    assert "Acme &lt;Shoes&gt; Ads" in shown
    button = first_check["accessory"]
    assert (button["action_id"], button["style"]) == ("password_changed", "danger")


# -- "Report unauthorized activity" ---------------------------------------------------------------


def test_report_unauthorized_activity_opens_the_report_form_set_to_the_account_and_opens_a_case(
    slack: Slack,
    standin: SlackStandIn,
    services: Services,
    member: MemberFactory,
    account: AccountFactory,
    acme: BusinessAccount,
    alerted: AlertNotice,
) -> None:
    with services.database.sessions() as session:  # Ana works on another account too
        ana = session.scalars(select(Member).where(Member.slack_user_id == "U0ANA")).one()
    account("Bolt Bikes Ads", members=[ana], platform_account_id="7012346")

    slack.press("U0ANA", "report_from_alert", value=f"alert:{acme.id}")

    modal = wait_for_modal(standin, "case_report")
    select_account = modal["blocks"][1]["element"]
    assert select_account["initial_option"]["value"] == str(acme.id)
    assert [o["value"] for o in select_account["options"]] == [str(acme.id)]
    response = submit(
        slack,
        "U0ANA",
        modal,
        account=str(acme.id),
        what_happened="Ads I never made",
        charges_seen="yes",
    )
    assert response.status == 200 and not response.body, response.body
    standin.wait_for(lambda: "cases.opened" in audit_actions(services))
    [case] = services.cases.list_for("U0ANA").cases
    assert case.account_name == "Acme <Shoes> Ads"


# -- the API's follow-ups, in process -------------------------------------------------------------


@pytest.fixture
def api(settings: Settings, clock: FakeClock, database: Database) -> AlertsApi:
    """The API with its follow-ups run at once, on the test's thread."""
    signed = dataclasses.replace(settings, alerts_signing_secret=SECRET)
    services = build_services(signed, clock, database)
    return AlertsApi(services, build_client(signed), run_later=lambda job: job())


def post(api: AlertsApi, clock: FakeClock, body: bytes) -> ApiAnswer:
    return api.answer(sign(SECRET, body, int(clock.now().timestamp())), body)


def test_an_accepted_alert_dms_after_the_answer_is_decided(
    api: AlertsApi, standin: SlackStandIn, clock: FakeClock, acme: BusinessAccount
) -> None:
    answer = post(api, clock, alert())

    assert (answer.status, answer.payload) == (202, {"status": "accepted", "id": "alert-123"})
    assert [alert_dm(standin, user)["ts"] for user in ("U0ANA", "U0RAJ", "U0DANA")]
    again = post(api, clock, alert())
    assert (again.status, again.payload) == (200, {"status": "duplicate", "id": "alert-123"})
    assert len(standin.messages()) == 3


def test_an_alert_for_an_unknown_account_reaches_the_security_admins(
    api: AlertsApi,
    standin: SlackStandIn,
    services: Services,
    clock: FakeClock,
    member: MemberFactory,
    acme: BusinessAccount,
) -> None:
    member(ADMIN)

    answer = post(api, clock, alert(account_id="99<@U0ANA>"))

    assert (answer.status, answer.payload) == (400, {"error": "unknown account_id"})
    [dm] = standin.messages(ADMIN)
    shown = text_of(dm["blocks"])
    assert "99&lt;@U0ANA&gt;" in shown and "<@U0ANA>" not in json.dumps(dm)
    assert "nobody has been told" in shown
    assert "alerts.refused.unknown_account" in audit_actions(services)
    assert standin.messages("U0ANA") == []


def test_without_a_signing_secret_nothing_is_accepted(
    services: Services, settings: Settings, clock: FakeClock, acme: BusinessAccount
) -> None:
    unsigned = AlertsApi(services, build_client(settings), run_later=lambda job: job())
    body = alert()

    answer = unsigned.answer(sign("", body, int(clock.now().timestamp())), body)

    assert (answer.status, answer.payload) == (401, {"error": "invalid signature"})
    assert services.alerts.open_compromised("U0ANA") == []


def test_the_was_this_you_question_offers_report_unauthorized_activity_too(
    api: AlertsApi,
    slack: Slack,
    standin: SlackStandIn,
    clock: FakeClock,
    acme: BusinessAccount,
) -> None:
    post(api, clock, alert(id="login-1", kind="suspicious_login"))

    [question] = standin.wait_for(lambda: standin.messages("U0ANA"))
    assert [b["action_id"] for b in buttons(question)] == [
        "login_not_me",
        "login_was_me",
        "report_from_alert",
    ]
    report = buttons(question)[-1]
    slack.press("U0ANA", report["action_id"], value=report["value"])

    modal = wait_for_modal(standin, "case_report")
    assert modal["blocks"][1]["element"]["initial_option"]["value"] == str(acme.id)
