"""The whole rotation after a compromised-password alert, against the real app over HTTP: the
platform's signed alert, the member's DM, "I've changed it", the step-up code, the DM waiting for
the platform, the one-time page in headless Chromium where the new password passes, then the
platform's posture report confirming the change: the DM resolved in place and `/security status`
green with the time it took.
"""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pyotp
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.platform.signature import sign
from bot.services import Services, build_services
from sandbox import payloads
from storage.database import Database
from storage.models import Alert, AuthenticatorLink, BusinessAccount
from tests.conftest import AccountFactory, MemberFactory
from tests.e2e.conftest import AppStarter, RunningApp, request
from tests.e2e.test_authenticator_browser import chromium  # noqa: F401 - the browser fixture

pytestmark = pytest.mark.e2e

SECRET = "alerts-e2e-secret"
ANA, RAJ = "U0ANA", "U0RAJ"
NEW_PASSWORD = "Tq7#vLm2!pRz9x"  # 14 characters, every class: passes TikTok's rule and zxcvbn


@pytest.fixture
def alerts_app(
    start_app: AppStarter, app_environment: dict[str, str], database: Database
) -> RunningApp:
    return start_app({**app_environment, "ALERTS_SIGNING_SECRET": SECRET}, database)


@pytest.fixture
def services(settings: Settings, database: Database, app_environment: dict[str, str]) -> Services:
    """The test's view of the app's world: the same database, keys and stand-in, on the real
    clock."""
    keys = (app_environment["SECURITY_BOT_KEYS"],)
    return build_services(
        dataclasses.replace(settings, security_bot_keys=keys), SystemClock(), database
    )


def linked_a_while_ago(services: Services, database: Database, user: str) -> str:
    """An authenticator linked earlier: its last code is older than the step-up's 10 minutes."""
    secret = services.authenticator.begin(user).secret
    services.authenticator.confirm(user, pyotp.TOTP(secret).now())
    earlier = datetime.now(UTC) - timedelta(minutes=11)
    with database.sessions.begin() as session:
        link = session.scalars(select(AuthenticatorLink)).one()
        link.verified_at = earlier
        link.last_step = int(earlier.timestamp()) // 30
    return secret


def compromised_check(app: RunningApp, user: str) -> str:
    command = payloads.slash_command(user, "status", response_url=app.standin.response_url())
    answer = app.send(command)
    assert answer.status == 200, answer.text
    texts = [str((block.get("text") or {}).get("text", "")) for block in answer.json()["blocks"]]
    return next(text for text in texts if "No compromised password" in text)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        element
        for block in message["blocks"]
        for element in [block.get("accessory") or {}, *block.get("elements", [])]
        if element.get("type") == "button"
    ]


def test_a_member_rotates_a_compromised_password_end_to_end(
    alerts_app: RunningApp,
    chromium: webdriver.Chrome,  # noqa: F811 - the browser fixture imported above
    services: Services,
    database: Database,
    member: MemberFactory,
    account: AccountFactory,
) -> None:
    standin = alerts_app.standin
    ana = member(ANA, email="ana@example.com", name="Ana")
    raj = member(RAJ, email="raj@example.com", name="Raj")
    acme: BusinessAccount = account("Acme Shoes Ads", members=[ana, raj], platform_account_id="1")
    secret = linked_a_while_ago(services, database, ANA)
    detected = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)

    # 1. The platform's signed alert: the member's DM arrives, with "I've changed it".
    body = json.dumps(
        {
            "id": "alert-9",
            "kind": "compromised_password",
            "account_id": "1",
            "member_email": "ana@example.com",
            "detected_at": detected.isoformat(),
            "detail": "Seen in a credential dump",
        }
    ).encode()
    headers = {"Content-Type": "application/json", **sign(SECRET, body, int(time.time()))}
    answer = request(alerts_app.url, "POST", "/api/v1/alerts", body=body, headers=headers)
    assert answer.status == 202, answer.text
    [dm] = standin.wait_for(lambda: standin.messages(ANA))
    button, report = buttons(dm)
    assert button["text"]["text"] == "I've changed it"
    assert report["text"]["text"] == "Report unauthorized activity"
    assert compromised_check(alerts_app, ANA).startswith("🔴")

    # 2. "I've changed it", from the DM: the step-up modal asks for a code.
    pressed = payloads.block_action(
        ANA,
        {"type": "button", "action_id": button["action_id"], "value": button["value"]},
        response_url=standin.response_url(),
    )
    assert alerts_app.send(pressed).status == 200
    modal = standin.wait_for(standin.opened_views)[-1]
    assert modal["callback_id"] == "step_up"

    # 3. The right code: the one-time link to the password page comes by DM.
    values = {"code": {"code": {"type": "plain_text_input", "value": pyotp.TOTP(secret).now()}}}
    submitted = alerts_app.send(payloads.view_submission(ANA, modal, values))
    assert submitted.status == 200 and submitted.json() == {"response_action": "clear"}

    def page_link() -> list[str]:
        return [
            b["url"]
            for message in standin.messages(ANA)
            for b in buttons(message)
            if "/secure/password_rotation/" in b.get("url", "")
        ]

    [url] = standin.wait_for(page_link)

    # 4. The page, in a browser: a strong new password, used nowhere else, passes.
    chromium.get(alerts_app.url + urlsplit(url).path)
    assert chromium.find_element(By.TAG_NAME, "h1").text == "Check your new password"
    chromium.find_element(By.NAME, f"password-{acme.id}").send_keys(NEW_PASSWORD)
    chromium.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(chromium, 10).until(
        expected_conditions.visibility_of_element_located((By.ID, "summary"))
    )
    assert NEW_PASSWORD not in chromium.page_source

    # 5. Until the platform confirms, the original DM and the checklist say it waits for it.
    def waiting_dm() -> dict[str, Any] | None:
        found = next(m for m in standin.messages(ANA) if m["ts"] == dm["ts"])
        return found if found["text"].startswith("⏳") else None

    waiting = standin.wait_for(waiting_dm)
    assert "TikTok for Business · Acme Shoes Ads (1) was reported changed" in waiting["text"]
    for user in (ANA, RAJ):
        assert compromised_check(alerts_app, user).startswith("⚪")

    # 6. The platform's posture report confirms the change: the DM says so, in place, with the
    # time it took; the checklist is green.
    changed = (detected + timedelta(hours=2)).isoformat(timespec="seconds")
    posture = json.dumps(
        {
            "id": "posture-9",
            "account_id": "1",
            "member_email": "ana@example.com",
            "password_changed_at": changed.replace("+00:00", "Z"),
            "reported_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        }
    ).encode()
    headers = {"Content-Type": "application/json", **sign(SECRET, posture, int(time.time()))}
    answer = request(alerts_app.url, "POST", "/api/v1/posture", body=posture, headers=headers)
    assert answer.status == 202, answer.text

    def resolved_dm() -> dict[str, Any] | None:
        found = next(m for m in standin.messages(ANA) if m["ts"] == dm["ts"])
        return found if found["text"].startswith("✅") else None

    resolved = standin.wait_for(resolved_dm)
    assert "Resolved: the password of TikTok for Business · Acme Shoes Ads (1)" in resolved["text"]
    assert "2 h after the alert" in resolved["text"]
    assert buttons(resolved) == []
    for user in (ANA, RAJ):
        check = compromised_check(alerts_app, user)
        assert check.startswith("✅")
        assert "fixed 2 h after the alert" in check
    with database.sessions() as session:
        stored = session.scalars(select(Alert)).one()
    assert (stored.status, stored.closed_reason) == ("closed", "rotated")
    assert stored.seconds_to_remediate == 2 * 3600
    assert NEW_PASSWORD not in alerts_app.stderr()
    assert NEW_PASSWORD not in json.dumps([call.args for call in standin.calls()])
