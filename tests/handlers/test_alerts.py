"""Compromised-password alerts in Slack, through the real Bolt app and the Slack stand-in: the DMs
to the account's members and manager, "I've changed it" (a code only from a member with an
authenticator, then the password check link), "Report unauthorized activity", and the DMs updated
in place once reported changed and once the platform confirmed."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.platform.alerts import AlertNotice
from bot.platform.signature import sign
from bot.services import Services, build_services
from handlers.slack.alerts import notify, update_rotated_messages
from handlers.web.alerts_api import AlertsApi
from handlers.web.platform_api import ApiAnswer
from sandbox.slack_standin import SlackStandIn, validate_blocks
from storage.database import Database
from storage.models import AlertMessage, BusinessAccount, Member
from tests.conftest import ADMIN, AccountFactory, MemberFactory
from tests.handlers.cases.conftest import submit, wait_for_modal
from tests.handlers.conftest import Slack, text_of
from tests.handlers.test_step_up import STALE, step_up_modal, submit_code
from tests.handlers.test_two_step import audit_actions, code, link_authenticator
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


# -- "I've changed it" ---------------------------------------------------------------------------


def test_a_member_with_an_authenticator_is_asked_for_a_code_then_gets_the_page_link(
    slack: Slack,
    standin: SlackStandIn,
    services: Services,
    clock: FakeClock,
    alerted: AlertNotice,
) -> None:
    secret = link_authenticator(services, clock, "U0ANA")
    clock.advance(STALE)

    slack.press("U0ANA", "password_changed", value="alert:1")

    modal = step_up_modal(standin)
    assert "check the new password after a compromised-password alert" in text_of(modal["blocks"])
    assert json.loads(modal["private_metadata"])["purpose"] == "rotate_password"
    assert link_urls(standin, "U0ANA", "password_rotation")() == []

    submit_code(slack, "U0ANA", modal, code(secret, clock))

    [url] = standin.wait_for(link_urls(standin, "U0ANA", "password_rotation"))
    assert url.startswith(services.settings.public_base_url + "/secure/password_rotation/")
    told = standin.wait_for(standin.response_url_posts)[-1]
    assert told["text"] == "I've sent you a one-time link in a DM."
    assert "secure_link.issued" in audit_actions(services)


def test_a_fresh_step_up_sends_the_password_link_at_once(
    slack: Slack, standin: SlackStandIn, services: Services, clock: FakeClock, alerted: AlertNotice
) -> None:
    link_authenticator(services, clock, "U0ANA")  # counts as a step-up for 10 minutes

    slack.press("U0ANA", "password_changed", value="alert:1")

    standin.wait_for(link_urls(standin, "U0ANA", "password_rotation"))
    assert standin.opened_views() == []


def test_a_member_without_an_authenticator_gets_the_page_link_at_once_and_an_offer_to_link_one(
    slack: Slack, standin: SlackStandIn, services: Services, alerted: AlertNotice
) -> None:
    slack.press("U0RAJ", "password_changed", value="alert:1")

    [url] = standin.wait_for(link_urls(standin, "U0RAJ", "password_rotation"))
    assert url.startswith(services.settings.public_base_url + "/secure/password_rotation/")
    assert link_urls(standin, "U0RAJ", "authenticator")() == []  # offered, not sent
    assert standin.opened_views() == []
    offer = standin.wait_for(standin.response_url_posts)[-1]
    assert offer["text"].startswith("I've sent you a one-time link in a DM")
    assert [(b["action_id"], b["text"]["text"]) for b in buttons(offer)] == [
        ("link_authenticator", "Link an authenticator app")
    ]
    assert services.alerts.open_compromised("U0RAJ") == []
    assert "alerts.self_reported" in audit_actions(services)


def test_the_offered_authenticator_names_the_member_in_their_app_not_by_slack_id(
    slack: Slack, standin: SlackStandIn, services: Services, member: MemberFactory
) -> None:
    # First contact by a button: the bot knows only the Slack id, Slack knows the name.
    member("U0SAM", email="sam@example.com", name="Sam Rivera", profile_fresh=False)
    with services.database.sessions.begin() as session:
        session.execute(
            update(Member)
            .where(Member.slack_user_id == "U0SAM")
            .values(email=None, display_name=None)
        )

    slack.press("U0SAM", "link_authenticator")

    standin.wait_for(link_urls(standin, "U0SAM", "authenticator"))
    enrolment = services.authenticator.begin("U0SAM")
    assert enrolment.label == "Sam Rivera"
    assert enrolment.uri.startswith("otpauth://totp/Account%20Security:Sam%20Rivera?")


def test_saying_it_changed_updates_every_dm_to_waiting_for_the_platform(
    slack: Slack, standin: SlackStandIn, services: Services, alerted: AlertNotice
) -> None:
    before = {user: alert_dm(standin, user)["ts"] for user in ("U0ANA", "U0RAJ", "U0DANA")}

    slack.press("U0RAJ", "password_changed", value="alert:1")

    def waiting(user: str) -> Callable[[], list[dict[str, Any]]]:
        return lambda: [m for m in standin.messages(user) if m["text"].startswith("⏳")]

    for user, ts in before.items():
        [message] = standin.wait_for(waiting(user))
        assert message["ts"] == ts  # the same message, updated in place
        shown = text_of(message["blocks"])
        assert "Waiting for the platform" in shown
        assert "TikTok for Business · Acme &lt;Shoes&gt; Ads (7012345)" in shown
        assert "<@U0RAJ> said <!date^" in shown and "{time}" in shown
        assert "1 h after the platform detected the compromise" in shown
        assert "password_changed" not in json.dumps(message)
        report = [b["action_id"] for b in buttons(message)]
        assert report == ([] if user == "U0DANA" else ["report_from_alert"])
    home = standin.wait_for(lambda: standin.published_view("U0ANA"))
    shown = text_of(home["blocks"])
    assert "⚪ *No compromised password*\nWaiting for the platform" in shown
    assert "Unknown · self-reported" in shown


def test_once_resolved_the_button_says_so(
    slack: Slack,
    standin: SlackStandIn,
    services: Services,
    acme: BusinessAccount,
    alerted: AlertNotice,
) -> None:
    services.alerts.close_for_rotation("U0ANA", acme.id)

    slack.press("U0RAJ", "password_changed", value="alert:1")

    told = standin.wait_for(standin.response_url_posts)[-1]
    assert "already been resolved" in told["text"]
    assert link_urls(standin, "U0RAJ", "authenticator")() == []


# -- after the page: resolved in place -----------------------------------------------------------


def test_once_the_platform_confirms_the_dms_say_resolved_with_how_long_it_took(
    standin: SlackStandIn,
    services: Services,
    settings: Settings,
    clock: FakeClock,
    acme: BusinessAccount,
    alerted: AlertNotice,
) -> None:
    before = {user: alert_dm(standin, user)["ts"] for user in ("U0ANA", "U0RAJ", "U0DANA")}
    services.alerts.report_changed("U0RAJ", acme.id)
    clock.advance(timedelta(days=2))
    changed = datetime(2026, 11, 25, 12, 5, tzinfo=UTC)

    closed = services.alerts.close_for_password_change(acme.id, None, changed)
    update_rotated_messages(build_client(settings), services, closed)

    for user, ts in before.items():
        [message] = standin.messages(user)  # the same message, not a new one
        assert message["ts"] == ts
        shown = text_of(message["blocks"])
        assert (
            "Resolved: the password of TikTok for Business · Acme &lt;Shoes&gt; Ads (7012345) "
            "was changed" in shown
        )
        assert "1 day 3 h after it detected the compromise" in shown
        assert "(reported <!date^" in shown
        assert buttons(message) == []
    for user in ("U0ANA", "U0RAJ"):
        home = standin.published_view(user)
        assert home is not None
        assert "No open alert from the platform" in text_of(home["blocks"])


def test_a_dm_that_cannot_be_updated_does_not_stop_the_others(
    standin: SlackStandIn,
    services: Services,
    settings: Settings,
    acme: BusinessAccount,
    alerted: AlertNotice,
) -> None:
    standin.fail_next("chat.update", error="message_not_found")
    changed = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)

    closed = services.alerts.close_for_password_change(acme.id, None, changed)
    update_rotated_messages(build_client(settings), services, closed)

    resolved = [m for m in standin.messages() if m["text"].startswith("✅ Resolved")]
    assert len(resolved) == 2


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
