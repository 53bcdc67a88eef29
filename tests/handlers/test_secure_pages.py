"""The one-time pages under /secure, driven in-process through the same WSGI app as /slack/events,
against the real database, the shared fake clock and the Slack stand-in: linking an authenticator
and new recovery codes."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pyotp
import pytest
from sqlalchemy import select

from bot.checklist.model import Check, State
from bot.core.clock import FakeClock
from bot.core.config import Settings
from bot.core.secure_links import IssuedLink, LinkPurpose
from bot.services import Services
from sandbox.slack_standin import SlackStandIn
from storage.models import AuditRecord
from tests.conftest import MemberFactory
from tests.handlers.conftest import Browser, Page
from wiring import build_client

ANA = "U0ANA"
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}


def path_of(link: IssuedLink) -> str:
    return urlsplit(link.url).path


def code_now(page: Page, clock: FakeClock) -> str:
    return pyotp.TOTP(page.manual_key.replace(" ", "")).at(clock.now())


def wrong_code(right: str) -> str:
    return f"{(int(right) + 1) % 1_000_000:06d}"


def actions(services: Services) -> list[str]:
    with services.database.sessions() as session:
        return list(session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)))


def started(browser: Browser, path: str) -> Page:
    """Open the link and press Start."""
    landing = browser.get(path)
    assert landing.status == 200, landing.html
    page = browser.post(path, {"step": "start"}, csrf=landing.csrf)
    assert page.status == 200, page.html
    return page


def test_the_landing_page_greets_the_member_and_shows_no_secret(
    browser: Browser, services: Services, member: MemberFactory
) -> None:
    member(ANA, name="Ana <Admin>")
    link = services.secure_links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)

    page = browser.get(path_of(link))

    assert page.status == 200
    assert "Link an authenticator app" in page.html
    assert "Hello Ana &lt;Admin&gt;," in page.html
    reader = page.read()
    assert reader.inputs["step"]["value"] == "start"
    assert "manual-key" not in reader.text_by_id and "code" not in reader.inputs
    assert "otpauth" not in page.html and "<svg" not in page.html
    assert services.authenticator.pending_enrolment(ANA) is None
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith("secure-csrf=") and "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie and "Path=/secure/" in cookie and "Secure" not in cookie


def test_linking_shows_recovery_codes_once_turns_the_check_green_and_updates_slack(
    browser: Browser,
    services: Services,
    settings: Settings,
    clock: FakeClock,
    standin: SlackStandIn,
    member: MemberFactory,
) -> None:
    member(ANA, name="Ana", email="ana@example.com")
    link = services.secure_links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)
    sent = build_client(settings).chat_postMessage(channel=ANA, text=f"Open <{link.url}|this>")
    services.secure_links.attach_message(link, sent["channel"], sent["ts"])
    token = path_of(link).rsplit("/", 1)[1]

    page = started(browser, path_of(link))
    reader = page.read()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", page.manual_key)
    assert '<svg width="' in page.html and 'class="segno"' in page.html
    assert "Account Security" in page.html and "ana@example.com" in page.html
    code_field = reader.inputs["code"]
    assert code_field["inputmode"] == "numeric"
    assert code_field["autocomplete"] == "one-time-code"
    assert reader.inputs["step"]["value"] == "confirm"

    done = browser.post(
        path_of(link), {"step": "confirm", "code": code_now(page, clock)}, csrf=page.csrf
    )

    assert done.status == 200, done.html
    assert "Authenticator linked" in done.html
    codes = done.recovery_codes
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code) for code in codes)
    assert token not in done.html
    line = services.members.status(ANA).checklist.line(Check.AUTHENTICATOR)
    assert line.state is State.PASSING
    assert "secure_link.used" in actions(services)

    home = standin.wait_for(lambda: standin.published_view(ANA))
    assert "Authenticator linked to the bot" in str(home["blocks"])

    def updated() -> dict[str, Any] | None:
        message = standin.messages(ANA)[0]
        return message if "Authenticator linked, verified" in message["text"] else None

    message = standin.wait_for(updated)
    assert message["text"].startswith("✅ Authenticator linked, verified <!date^")
    assert token not in str(message) and "secure" not in str(message)
    assert len(standin.messages(ANA)) == 1

    again = browser.get(path_of(link))
    assert again.status == 410 and "already been used" in again.html
    assert token not in again.html


def test_without_a_message_to_update_the_member_is_told_by_dm(
    browser: Browser,
    services: Services,
    clock: FakeClock,
    standin: SlackStandIn,
    member: MemberFactory,
) -> None:
    member(ANA)
    link = services.secure_links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)
    page = started(browser, path_of(link))

    browser.post(path_of(link), {"step": "confirm", "code": code_now(page, clock)}, csrf=page.csrf)

    dm = standin.wait_for(lambda: standin.messages(ANA))
    assert "Authenticator linked, verified" in dm[0]["text"]


def test_a_wrong_code_shows_the_error_and_the_same_key(
    browser: Browser, services: Services, clock: FakeClock, member: MemberFactory
) -> None:
    member(ANA)
    link = services.secure_links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)
    page = started(browser, path_of(link))

    wrong = browser.post(
        path_of(link),
        {"step": "confirm", "code": wrong_code(code_now(page, clock))},
        csrf=page.csrf,
    )

    assert wrong.status == 200
    assert "That code didn&#x27;t work." in wrong.html
    assert wrong.manual_key == page.manual_key
    assert services.authenticator.status(ANA).state.value == "pending"
    right = browser.post(
        path_of(link), {"step": "confirm", "code": code_now(page, clock)}, csrf=wrong.csrf
    )
    assert right.status == 200 and len(right.recovery_codes) == 10


def test_a_lockout_is_shown_and_told_by_dm(
    browser: Browser,
    services: Services,
    clock: FakeClock,
    standin: SlackStandIn,
    member: MemberFactory,
) -> None:
    member(ANA)
    link = services.secure_links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)
    page = started(browser, path_of(link))
    bad = {"step": "confirm", "code": wrong_code(code_now(page, clock))}

    for _ in range(4):
        assert "didn&#x27;t work" in browser.post(path_of(link), bad, csrf=page.csrf).html
    assert standin.messages(ANA) == []
    locked = browser.post(path_of(link), bad, csrf=page.csrf)

    assert locked.status == 200 and "Too many wrong codes" in locked.html
    assert locked.manual_key == page.manual_key
    (dm,) = standin.wait_for(lambda: standin.messages(ANA))
    assert "Too many wrong codes" in dm["text"]
    right = {"step": "confirm", "code": code_now(page, clock)}
    refused = browser.post(path_of(link), right, csrf=page.csrf)
    assert "Too many wrong codes" in refused.html
    assert services.authenticator.status(ANA).state.value == "pending"
    assert len(standin.messages(ANA)) == 1  # told once, when it locked


def test_starting_with_an_authenticator_already_linked_explains_what_to_do(
    browser: Browser, services: Services, clock: FakeClock, member: MemberFactory
) -> None:
    member(ANA)
    secret = services.authenticator.begin(ANA).secret
    services.authenticator.confirm(ANA, pyotp.TOTP(secret).at(clock.now()))
    link = services.secure_links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)
    landing = browser.get(path_of(link))

    page = browser.post(path_of(link), {"step": "start"}, csrf=landing.csrf)

    assert page.status == 409
    assert "You already have an authenticator linked" in page.html
    assert "manual-key" not in page.read().text_by_id


def test_slack_failing_after_success_still_shows_the_codes(
    browser: Browser,
    services: Services,
    clock: FakeClock,
    standin: SlackStandIn,
    member: MemberFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    member(ANA)
    link = services.secure_links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)
    page = started(browser, path_of(link))
    standin.fail_next("views.publish", error="internal_error")
    standin.fail_next("chat.postMessage", error="channel_not_found")

    done = browser.post(
        path_of(link), {"step": "confirm", "code": code_now(page, clock)}, csrf=page.csrf
    )

    assert done.status == 200 and len(done.recovery_codes) == 10
    standin.wait_for(lambda: len(standin.calls("chat.postMessage")) == 1)
    warned = standin.wait_for(
        lambda: [r for r in caplog.records if "could not update Slack" in r.getMessage()][1:]
    )
    assert warned[0].levelno == logging.WARNING


def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones(
    browser: Browser,
    services: Services,
    clock: FakeClock,
    standin: SlackStandIn,
    member: MemberFactory,
) -> None:
    member(ANA)
    secret = services.authenticator.begin(ANA).secret
    old_codes = services.authenticator.confirm(ANA, pyotp.TOTP(secret).at(clock.now()))
    clock.advance(timedelta(seconds=30))
    link = services.secure_links.issue(ANA, LinkPurpose.RECOVERY_CODES)
    path = path_of(link)

    landing = browser.get(path)
    assert landing.status == 200 and "New recovery codes" in landing.html
    assert landing.read().inputs["code"]["autocomplete"] == "one-time-code"
    right = pyotp.TOTP(secret).at(clock.now())
    wrong = browser.post(path, {"step": "confirm", "code": wrong_code(right)}, csrf=landing.csrf)
    assert "didn&#x27;t work" in wrong.html
    done = browser.post(path, {"step": "confirm", "code": right}, csrf=landing.csrf)

    assert done.status == 200
    assert len(done.recovery_codes) == 10 and not set(done.recovery_codes) & set(old_codes)
    assert browser.get(path).status == 410
    assert "twostep.recovery_codes.replaced" in actions(services)
    standin.wait_for(lambda: standin.published_view(ANA))
