"""The password check page reached from a compromised-password alert: only the rotation link closes
the alert, never a plain check. MARKER must leak nowhere here either."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.checklist.model import Check, State
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.secure_links import LinkPurpose
from bot.platform.alerts import Recipient
from bot.platform.compromised import Role
from bot.services import Services
from sandbox.slack_standin import SlackStandIn
from storage.models import BusinessAccount
from tests.handlers.conftest import Browser
from tests.handlers.test_password_page import (
    ANA,
    FITS,
    MARKER,
    STRONG,
    WEAK,
    accounts,
    check,
    field,
    opened,
)
from tests.handlers.test_secure_pages import path_of
from wiring import build_client

__all__ = ["accounts"]  # fixtures shared with the original module


def test_a_rotation_link_passing_reports_the_password_changed_waiting_for_the_platform(
    browser: Browser,
    services: Services,
    settings: Settings,
    standin: SlackStandIn,
    clock: FakeClock,
    accounts: tuple[BusinessAccount, ...],
) -> None:
    hats, shoes = accounts
    receipt = services.alerts.receive(_alert(shoes))
    assert receipt.notice is not None
    dm = build_client(settings).chat_postMessage(channel=ANA, text="Your password was compromised")
    services.alerts.remember_message(
        receipt.notice.alert_key, Recipient(ANA, Role.MEMBER), dm["channel"], dm["ts"]
    )
    clock.advance(timedelta(hours=2))
    weak_try = services.secure_links.issue(ANA, LinkPurpose.PASSWORD_ROTATION)
    landing = opened(browser, weak_try)
    assert "Check your new password" in landing.html

    stays = browser.post(
        path_of(weak_try), {"step": "check", field(shoes): WEAK}, csrf=landing.csrf
    )
    assert "The alert on Acme Shoes Ads stays open" in stays.read().text_by_id["rotation"]
    assert services.alerts.open_compromised(ANA)

    good = services.secure_links.issue(ANA, LinkPurpose.PASSWORD_ROTATION)
    closed = check(browser, good, {field(shoes): FITS, field(hats): STRONG})

    rotation = closed.read().text_by_id["rotation"]
    assert "The alert on Acme Shoes Ads now waits for the platform" in rotation
    assert "reported 3 h after the alert" in rotation
    assert services.alerts.open_compromised(ANA) == []
    line = services.members.status(ANA).checklist.line(Check.NO_COMPROMISED_PASSWORD)
    assert line.state is State.UNKNOWN and line.explanation.startswith("Waiting for the platform")
    waiting = standin.wait_for(
        lambda: [m for m in standin.messages(ANA) if m["text"].startswith("⏳")]
    )
    assert "Acme Shoes Ads" in waiting[0]["text"]
    assert MARKER not in closed.html and MARKER not in json.dumps([c.args for c in standin.calls()])


def test_a_plain_check_never_closes_an_alert(
    browser: Browser, services: Services, accounts: tuple[BusinessAccount, ...]
) -> None:
    """Closing an alert follows a step-up in Slack, which only the rotation link stands for."""
    _, shoes = accounts
    services.alerts.receive(_alert(shoes))
    link = services.secure_links.issue(ANA, LinkPurpose.PASSWORD_CHECK)

    page = check(browser, link, {field(shoes): FITS})

    assert "Meets the policy" in page.html and "rotation" not in page.read().text_by_id
    assert services.alerts.open_compromised(ANA)


def _alert(account: BusinessAccount) -> bytes:
    document: dict[str, Any] = {
        "id": f"alert-{account.id}",
        "kind": "compromised_password",
        "account_id": account.platform_account_id,
        "member_email": "ana@example.com",
        "detected_at": "2026-11-24T09:00:00Z",
        "detail": "Found in a credential dump",
    }
    return json.dumps(document).encode()
