"""The password check as a member does it: headless Chromium opens the one-time link the bot sent,
types a password per business account and reads the verdicts, while the real app (`app.py
serve`) asks the loopback Pwned Passwords stand-in and updates Slack through the Slack stand-in.

Then the password is looked for everywhere it must not be: the page, the app's log, every table,
every request Slack and the range API received.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.core.secure_links import LinkPurpose
from bot.passwords.rules import sha1_hex
from bot.services import build_services
from sandbox.pwned_standin import PwnedStandIn
from storage.database import Database
from storage.schema import Base
from tests.conftest import AccountFactory, MemberFactory
from tests.e2e.conftest import AppStarter, RunningApp
from tests.e2e.test_authenticator_browser import chromium  # noqa: F401 - the browser fixture
from wiring import build_client

pytestmark = pytest.mark.e2e

ANA = "U0ANA"
MARKER = "Wk4MarkerJb"
STRONG = f"{MARKER}#5y"  # 14 characters with every class: passes everywhere
BREACHED = f"{MARKER}!2026"  # strong to zxcvbn, but the range API knows it


@pytest.fixture
def pwned() -> Iterator[PwnedStandIn]:
    with PwnedStandIn() as server:
        server.add_breached(BREACHED, 31)
        yield server


@pytest.fixture
def password_app(
    start_app: AppStarter,
    app_environment: dict[str, str],
    database: Database,
    pwned: PwnedStandIn,
) -> RunningApp:
    return start_app({**app_environment, "PWNED_PASSWORDS_URL": pwned.base_url}, database)


def every_row(database: Database) -> str:
    with database.engine.connect() as connection:
        return "\n".join(
            repr(tuple(row))
            for table in Base.metadata.sorted_tables
            for row in connection.execute(select(table))
        )


def test_a_member_checks_passwords_in_a_browser_and_they_are_found_nowhere(
    password_app: RunningApp,
    chromium: webdriver.Chrome,  # noqa: F811 - the browser fixture imported above
    pwned: PwnedStandIn,
    member: MemberFactory,
    account: AccountFactory,
    settings: Settings,
    database: Database,
    tmp_path: Path,
) -> None:
    ana = member(ANA, name="Ana", email="ana@example.com")
    hats = account("Acme Hats Ads", members=[ana], platform="meta_business")
    shoes = account("Acme Shoes Ads", members=[ana])
    standin = password_app.standin
    links = build_services(settings, SystemClock(), database).secure_links
    link = links.issue(ANA, LinkPurpose.PASSWORD_CHECK)
    sent = build_client(settings).chat_postMessage(channel=ANA, text=f"<{link.url}|Check them>")
    links.attach_message(link, sent["channel"], sent["ts"])
    path = urlsplit(link.url).path
    wait = WebDriverWait(chromium, 10)

    chromium.get(password_app.url + path)
    assert chromium.find_element(By.TAG_NAME, "h1").text == "Check your passwords"
    fields = chromium.find_elements(By.CSS_SELECTOR, "input[type=password]")
    assert [f.get_attribute("name") for f in fields] == [
        f"password-{hats.id}",
        f"password-{shoes.id}",
    ]
    assert all(f.get_attribute("autocomplete") == "new-password" for f in fields)
    fields[0].send_keys(STRONG)
    fields[1].send_keys(BREACHED)
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)  # set it to keep the pictures
    assert chromium.save_screenshot(str(shots / "password-form.png"))
    assert (
        chromium.find_element(By.CSS_SELECTOR, "button[type=submit]").value_of_css_property(
            "background-color"
        )
        == "rgba(0, 122, 90, 1)"
    )  # the style sheet is allowed by its hash
    chromium.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    summary = wait.until(expected_conditions.visibility_of_element_located((By.ID, "summary")))
    assert summary.text == "1 of 2 meet the policy."
    hats_verdict = chromium.find_element(By.ID, "verdict-0").text
    shoes_verdict = chromium.find_element(By.ID, "verdict-1").text
    assert "Acme Hats Ads" in hats_verdict and "Meets the policy" in hats_verdict
    assert "Not found in known data breaches" in hats_verdict
    assert "Acme Shoes Ads" in shoes_verdict and "Needs a new password" in shoes_verdict
    assert "Found in known data breaches" in shoes_verdict
    assert "TikTok for Business\nAccepts it" in shoes_verdict
    assert chromium.find_elements(By.CSS_SELECTOR, "input[type=password]") == []
    assert chromium.save_screenshot(str(shots / "password-verdicts.png"))
    page_after_submit = chromium.page_source
    refused = [
        entry["message"]
        for entry in chromium.get_log("browser")  # type: ignore[no-untyped-call]
        if "Content Security Policy" in entry["message"]
    ]
    assert refused == []

    chromium.back()  # no-store: the form is fetched again, and the link is spent
    wait.until(lambda driver: "already been used" in driver.page_source)
    assert MARKER not in chromium.page_source

    home = standin.wait_for(
        lambda: (
            standin.published_view(ANA)
            if "Acme Shoes Ads" in json.dumps(standin.published_view(ANA) or {})
            else None
        )
    )
    assert "Needs a new password: found in known data breaches" in json.dumps(
        home, ensure_ascii=False
    )
    standin.wait_for(
        lambda: [m for m in standin.messages(ANA) if m["text"].startswith("🔐 Passwords checked")]
    )
    digests = [sha1_hex(STRONG), sha1_hex(BREACHED)]
    assert sorted(pwned.paths()) == sorted(f"/range/{digest[:5]}" for digest in digests)
    assert all(r.headers.get("add-padding") == "true" for r in pwned.requests())
    slack_calls = json.dumps([call.args for call in standin.calls()], ensure_ascii=False)
    for trace in (MARKER, STRONG, BREACHED, *digests, *(d[5:] for d in digests)):
        assert trace not in page_after_submit
        assert trace not in password_app.stderr()
        assert trace not in every_row(database)
        assert trace not in slack_calls
        assert trace not in json.dumps([r.__dict__ for r in pwned.requests()])
