"""Compromised-password alerts in Slack, through the real Bolt app and the Slack stand-in: "I've
changed it" (a code only from a member with an authenticator, then the password check link), and
the DMs updated in place once reported changed and once the platform confirmed."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.platform.alerts import AlertNotice
from bot.services import Services
from handlers.slack.alerts import update_rotated_messages
from sandbox.slack_standin import SlackStandIn
from storage.models import BusinessAccount, Member
from tests.conftest import MemberFactory
from tests.handlers.conftest import Slack, text_of
from tests.handlers.test_alerts import acme, alert_dm, alerted, buttons, link_urls
from tests.handlers.test_step_up import STALE, step_up_modal, submit_code
from tests.handlers.test_two_step import audit_actions, code, link_authenticator
from wiring import build_client

__all__ = ["acme", "alerted"]  # fixtures shared with the original module

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
