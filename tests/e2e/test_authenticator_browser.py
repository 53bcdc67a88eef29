"""Linking an authenticator, as a member does it: headless Chromium opens the one-time link the bot
sent, presses Start, types the key into "an app" (pyotp), submits the code and sees the recovery
codes, while the real app (`app.py serve`) republishes the Home tab through the Slack stand-in.

Chromium and chromedriver come from Debian (`scripts/ensure-test-services` installs them); when
they are missing this test fails rather than skips, so a machine without them cannot pass CI.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.core.secure_links import LinkPurpose
from bot.services import build_services
from storage.database import Database
from storage.models import AuditRecord
from tests.conftest import MemberFactory
from tests.e2e.conftest import RunningApp
from wiring import build_client

pytestmark = pytest.mark.e2e

ANA = "U0ANA"
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=900,1300",
)


def _installed(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        f"{' or '.join(names)} is not installed: run scripts/ensure-test-services "
        "(Debian's chromium and chromium-driver)"
    )


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    options = Options()
    options.binary_location = _installed("chromium", "chromium-browser")
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(
        executable_path=_installed("chromedriver"), log_output=str(tmp_path / "chromedriver.log")
    )
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()


def test_a_member_links_an_authenticator_in_a_browser(
    running_app: RunningApp,
    chromium: webdriver.Chrome,
    member: MemberFactory,
    settings: Settings,
    database: Database,
    tmp_path: Path,
) -> None:
    member(ANA, name="Ana", email="ana@example.com")
    standin = running_app.standin
    # The app runs on the system clock; the link is issued on the same clock and database.
    links = build_services(settings, SystemClock(), database).secure_links
    link = links.issue(ANA, LinkPurpose.LINK_AUTHENTICATOR)
    sent = build_client(settings).chat_postMessage(channel=ANA, text=f"<{link.url}|Link it>")
    links.attach_message(link, sent["channel"], sent["ts"])
    path = urlsplit(link.url).path
    token = path.rsplit("/", 1)[1]
    wait = WebDriverWait(chromium, 10)

    chromium.get(running_app.url + path)
    assert chromium.find_element(By.TAG_NAME, "h1").text == "Link an authenticator app"
    assert "Hello Ana" in chromium.page_source
    assert not chromium.find_elements(By.ID, "manual-key")
    start = chromium.find_element(By.CSS_SELECTOR, "button[type=submit]")
    # the page's only style sheet is allowed by its hash: a blocked one would leave this grey
    assert start.value_of_css_property("background-color") == "rgba(0, 122, 90, 1)"
    start.click()

    key = wait.until(expected_conditions.visibility_of_element_located((By.ID, "manual-key")))
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)  # set it to keep the pictures
    assert chromium.save_screenshot(str(shots / "authenticator-qr.png"))
    assert chromium.find_element(By.CSS_SELECTOR, ".qr svg").size["width"] > 100
    assert "ana@example.com" in chromium.find_element(By.ID, "account-label").text
    secret = key.text.replace(" ", "")
    code_field = chromium.find_element(By.NAME, "code")
    assert code_field.get_attribute("autocomplete") == "one-time-code"
    code_field.send_keys(pyotp.TOTP(secret).now())
    chromium.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    codes = wait.until(expected_conditions.visibility_of_element_located((By.ID, "recovery-codes")))
    items = [item.text for item in codes.find_elements(By.TAG_NAME, "li")]
    assert len(items) == 10 and len(set(items)) == 10
    assert chromium.find_element(By.TAG_NAME, "h1").text == "Authenticator linked"
    assert token not in chromium.page_source
    assert chromium.save_screenshot(str(shots / "recovery-codes.png"))
    refused = [
        entry["message"]
        for entry in chromium.get_log("browser")  # type: ignore[no-untyped-call]
        if "Content Security Policy" in entry["message"]
    ]
    assert refused == []

    def home() -> str | None:
        view = standin.published_view(ANA)
        shown = json.dumps(view["blocks"], ensure_ascii=False) if view else ""
        return shown if "Authenticator linked" in shown else None

    assert "Authenticator linked to the bot" in standin.wait_for(home)
    updated = standin.wait_for(
        lambda: [m for m in standin.messages(ANA) if "Authenticator linked, verified" in m["text"]]
    )
    assert token not in json.dumps(updated)

    chromium.get(running_app.url + path)  # opening the link again: it is spent
    assert "already been used" in chromium.find_element(By.TAG_NAME, "main").text
    with database.sessions() as session:
        actions = list(session.scalars(select(AuditRecord.action)))
    assert "twostep.enrol.confirmed" in actions and "secure_link.used" in actions
    assert token not in running_app.stderr()
