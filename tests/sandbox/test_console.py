"""The sandbox console, driven like a member at the keyboard: the real app answers every line."""

from __future__ import annotations

import dataclasses
import http.client
import io
import re
import secrets
import stat
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pyotp
import pytest
from cryptography.fernet import Fernet
from slack_sdk import WebClient
from sqlalchemy import select

import wiring
from bot.core.clock import SystemClock
from bot.core.config import Settings
from sandbox.console import Console, run_console
from sandbox.kept import secret_keys
from sandbox.slack_standin import SlackStandIn
from sandbox.workspace import PEOPLE
from storage.database import Database
from storage.models import AuditRecord, BusinessAccount, CheckResult

pytestmark = pytest.mark.e2e

Turn = tuple[str, str]  # what was typed, and everything shown after it
Step = str | Callable[[str], None]  # a typed line, or something done elsewhere meanwhile


class Keyboard(io.StringIO):
    """What the member types, line by line. A function among the lines is something they do
    elsewhere (in the browser) before typing the next line, given everything shown so far."""

    def __init__(self, steps: Sequence[Step], screen: io.StringIO) -> None:
        super().__init__()
        self.steps, self.screen = list(steps), screen

    # StringIO's own signature; typeshed ignores the same clash with _IOBase's bytes readline.
    def readline(self, size: int = -1, /) -> str:  # type: ignore[override]
        while self.steps:
            step = self.steps.pop(0)
            if isinstance(step, str):
                return step + "\n"
            step(self.screen.getvalue())
        return ""


def session(settings: Settings, database_url: str, *steps: Step) -> list[Turn]:
    """Run the console on these lines; the banner is turn 0, typed as ""."""
    stdout = io.StringIO()
    stdin = Keyboard(steps, stdout)

    code = run_console(settings, stdin=stdin, stdout=stdout, database_url=database_url)

    assert code == 0
    parts = re.split(r"^(?:ana|raj|dana|sam)> (.*)\n", stdout.getvalue(), flags=re.MULTILINE)
    banner, rest = parts[0], parts[1:]
    return [("", banner), *zip(rest[0::2], rest[1::2], strict=True)]


def shown_after(turns: list[Turn], typed: str, occurrence: int = 0) -> str:
    return [output for line, output in turns if line == typed][occurrence]


def test_the_banner_says_who_you_are_and_which_accounts_exist(
    settings: Settings, database_url: str
) -> None:
    turns = session(settings, database_url, "quit")

    banner = turns[0][1]
    words = " ".join(banner.split())
    assert "You are @ana (Ana Example)" in words
    assert "@dana (Dana Example, account manager)" in words
    assert "Acme Shoes Ads (managed by @dana): @ana, @raj" in banner
    assert "Ana's Pop-up Shop (not managed): @ana" in banner
    assert all(len(line) <= 100 for line in banner.splitlines())


def test_status_then_a_fix_button_then_the_home_tab(settings: Settings, database_url: str) -> None:
    turns = session(
        settings,
        database_url,
        "/security status",
        "press Add a recovery phone",
        "type 1 +49 30 12345612",
        "submit",
        "cancel",
        "home",
        "quit",
    )

    status = shown_after(turns, "/security status")
    assert "only visible to you" in status
    assert "0 of 7 checks pass" in status
    assert "[ I've turned it on ]" in status
    assert "• ⚪ Acme Shoes Ads: Not confirmed yet." in status
    assert "Recovery phone number" in shown_after(turns, "press Add a recovery phone")
    saved = shown_after(turns, "submit")
    assert "+49 ••• ••• 12 is on record as your recovery phone" in saved
    assert "only visible to you · updated" in saved
    assert "1 of 7 checks pass" in saved
    assert "Passing · self-reported" in saved
    home = shown_after(turns, "home")
    assert "Account Security · Home tab" in home
    assert "1 of 7 checks pass" in home
    assert all(len(line) <= 100 for _, output in turns for line in output.splitlines())


def test_reporting_two_step_verification_through_the_modal(
    settings: Settings, database_url: str, database: Database
) -> None:
    turns = session(
        settings,
        database_url,
        "/security status",
        "press I've turned it on",
        "choose 1 1",
        "choose verif sms",
        "submit",
        "quit",
    )

    modal = shown_after(turns, "press I've turned it on")
    assert "2-step verification (a modal)" in modal
    assert "1. Business account" in modal
    assert "1) Acme Shoes Ads" in modal
    assert "2. Verification method you chose" in modal
    assert "( ) 1) Authenticator app" in modal
    assert "✓ Business account: Acme Shoes Ads" in shown_after(turns, "choose 1 1")
    assert "✓ Verification method you chose: SMS" in shown_after(turns, "choose verif sms")
    submitted = shown_after(turns, "submit")
    assert "(the modal closed)" in submitted
    assert "Acme Shoes Ads: On, self-reported (with SMS)." in submitted
    with database.sessions() as db:
        result = db.scalars(select(CheckResult).where(CheckResult.check == "two_step")).one()
        account = db.get(BusinessAccount, result.business_account_id)
    assert account is not None and account.name == "Acme Shoes Ads"
    assert (result.source, result.state, result.detail) == ("self", "passing", {"method": "sms"})


def test_slack_refuses_an_incomplete_modal_before_the_app_sees_it(
    settings: Settings, database_url: str, database: Database
) -> None:
    turns = session(
        settings,
        database_url,
        "home",
        "press I've turned it on",
        "choose 2 2",
        "submit",
        "cancel",
        "press Refresh",
        "quit",
    )

    refused = shown_after(turns, "submit")
    assert "⚠ Please complete this required field." in refused
    assert "(•) 2) SMS" in refused
    assert "(the modal closed)" in shown_after(turns, "cancel")
    assert "Account Security · Home tab" in shown_after(turns, "press Refresh")
    with database.sessions() as db:
        assert db.scalars(select(CheckResult)).all() == []


def test_the_account_manager_sees_a_members_checklist_and_a_colleague_does_not(
    settings: Settings, database_url: str, database: Database
) -> None:
    turns = session(
        settings,
        database_url,
        "as dana",
        "/security status @ana",
        "as raj",
        "/security status <@U0ANA>",
        "as sam",
        "/security status @ana",
        "quit",
    )

    assert "You are now @dana (Dana Example, account manager)." in shown_after(turns, "as dana")
    manager = shown_after(turns, "/security status @ana")
    assert "Security checklist of Ana Example" in manager
    assert "0 of 7 checks pass" in manager
    assert "[ I've turned it on ]" not in manager
    refused = shown_after(turns, "/security status <@U0ANA>")
    assert "Only security admins and the member's account manager can see" in refused
    assert "Security checklist of" not in refused
    assert "Security checklist of Ana Example" in shown_after(turns, "/security status @ana", 1)
    with database.sessions() as db:
        actions = db.scalars(select(AuditRecord.action).where(AuditRecord.target == "U0ANA"))
        assert sorted(actions) == ["checklist.view.refused", "checklist.viewed", "checklist.viewed"]


def test_press_explains_what_can_be_pressed(settings: Settings, database_url: str) -> None:
    turns = session(
        settings,
        database_url,
        "press Refresh",
        "/security status",
        "press Sign out",
        "press C",
        "PRESS refr",
        "quit",
    )

    assert "There is nothing to press yet." in shown_after(turns, "press Refresh")
    unknown = shown_after(turns, "press Sign out")
    assert 'No button "Sign out" here.' in unknown
    for label in ("I've turned it on", "Add a recovery phone", "Refresh"):
        assert f'"{label}"' in " ".join(unknown.split())
    assert all(len(line) <= 100 for line in unknown.splitlines())
    several = shown_after(turns, "press C")
    assert '"C" matches several buttons' in several
    assert "0 of 7 checks pass" in shown_after(turns, "PRESS refr")


def test_commands_the_console_does_not_know(settings: Settings, database_url: str) -> None:
    turns = session(settings, database_url, "help", "/weather", "dance", "choose 1 1", "as bob")

    assert "press <label>" in shown_after(turns, "help")
    assert "/weather is not a valid command" in shown_after(turns, "/weather")
    assert 'I don\'t know "dance"' in shown_after(turns, "dance")
    assert "No modal is open." in shown_after(turns, "choose 1 1")
    assert 'No member "bob" here.' in shown_after(turns, "as bob")
    assert "Bye." in turns[-1][1]  # the end of the input ends the session


def test_the_app_answers_a_subcommand_it_does_not_know(
    settings: Settings, database_url: str
) -> None:
    turns = session(settings, database_url, "/security frobnicate", "/security help", "quit")

    assert "I don't know `frobnicate`" in shown_after(turns, "/security frobnicate")
    assert "What I can do" in shown_after(turns, "/security help")


def test_a_second_session_on_the_same_database_keeps_what_the_first_stored(
    settings: Settings, database_url: str, database: Database
) -> None:
    session(
        settings, database_url, "home", "press Add a recovery phone", "type 1 +4930123456", "submit"
    )
    turns = session(settings, database_url, "/security status", "quit")

    assert "1 of 7 checks pass" in shown_after(turns, "/security status")
    assert "nothing was imported" not in turns[0][1]
    with database.sessions() as db:
        assert len(db.scalars(select(BusinessAccount)).all()) == 3


def test_messages_the_bot_posts_are_shown_where_they_landed(standin: SlackStandIn) -> None:
    """Today's flows post no DMs, so the bot's client is played here by a WebClient."""
    for person in PEOPLE:
        standin.add_user(person.user_id, email=f"{person.short}@example.com", real_name=person.name)
    bot = WebClient(base_url=standin.base_url, token=standin.bot_token)
    stdout = io.StringIO()
    console = Console(standin, "http://127.0.0.1:9/unused", "secret", io.StringIO(), stdout)
    button = {
        "type": "button",
        "action_id": "open_case",
        "text": {"type": "plain_text", "text": "Open a case"},
    }
    section = {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "*Suspicious login*"},
        "accessory": button,
    }

    posted = bot.chat_postMessage(channel="U0ANA", text="Suspicious login", blocks=[section])
    bot.chat_postMessage(channel="U0RAJ", text="Hello <@U0RAJ>")
    bot.chat_postMessage(channel="C0ESCALATE", text="New case for &lt;Acme&gt;")
    console.settle(expect=True)
    bot.chat_update(channel=posted["channel"], ts=posted["ts"], text="Handled", blocks=[])
    console.settle(expect=True)

    shown = stdout.getvalue()
    assert "Account Security · new message in your DM" in shown
    assert "│ Suspicious login" in shown
    assert "│   [ Open a case ]" in shown
    assert "new message in Raj Example's DM" in shown
    assert "│ Hello @Raj Example" in shown and "U0RAJ" not in shown
    assert "new message in channel C0ESCALATE" in shown
    assert "│ New case for <Acme>" in shown
    assert "Account Security · updated in your DM" in shown
    assert "│ Handled" in shown
    assert console.surface is not None
    assert (console.surface.content["ts"], console.surface.content["text"]) == (
        posted["ts"],
        "Handled",
    )


def test_one_time_links_in_the_apps_messages_open_the_sandboxs_own_pages(
    settings: Settings, database_url: str
) -> None:
    turns = session(
        settings, database_url, "/security status", "press Link an authenticator", "quit"
    )

    dm = shown_after(turns, "press Link an authenticator")
    assert "new message in your DM" in dm
    [link] = re.findall(r"↗ (http://127\.0\.0\.1:\d+/secure/\S+)", dm)
    assert link.startswith("http://127.0.0.1:")


def submit_code(link: str, code: str) -> tuple[int, str]:
    """Post a code to a one-time page's form. The CSRF check is a double submit (the same token in
    a cookie and a field), so a token of our own stands in for the one the landing page would set."""
    parts = urlsplit(link)
    csrf = secrets.token_urlsafe(32)
    form = urlencode({"step": "confirm", "code": code, "csrf": csrf})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"secure-csrf={csrf}"}
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.request("POST", parts.path, body=form, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def test_without_keys_a_second_session_still_reads_what_the_first_encrypted(
    tmp_path: Path,
) -> None:
    settings = Settings(request_threads=8)  # no SECURITY_BOT_KEYS
    database_url = f"sqlite:///{tmp_path / 'sandbox.db'}"
    key_file = tmp_path / "sandbox.db.sandbox-key"

    first = session(settings, database_url, "quit")
    key = key_file.read_text(encoding="ascii").strip()
    # Ana links an authenticator under the first session's key. The code is from the previous
    # 30-second step (allowed drift), so the current code used below is never a replay.
    keyed = dataclasses.replace(settings, database_url=database_url, security_bot_keys=(key,))
    services = wiring.build(keyed, SystemClock())
    secret = services.authenticator.begin("U0ANA").secret
    services.authenticator.confirm("U0ANA", pyotp.TOTP(secret).at(time.time() - 30))
    services.database.dispose()
    pages: list[tuple[int, str]] = []

    def open_the_link(shown: str) -> None:
        link = re.findall(r"↗ (http://127\.0\.0\.1:\d+/secure/recovery_codes/\S+)", shown)[-1]
        pages.append(submit_code(link, pyotp.TOTP(secret).now()))

    second = session(
        settings,
        database_url,
        "/security 2sv",
        "press New recovery codes",
        open_the_link,
        "quit",
    )

    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text(encoding="ascii").strip() == key
    for turns in (first, second):
        assert "kept in" in " ".join(turns[0][1].split())
    [(status, page)] = pages
    assert status == 200, page
    assert "Your old recovery codes no longer work." in page
    assert page.count("<li><code>") == 10


def test_other_databases_get_a_key_for_one_run_and_set_keys_are_used_as_they_are(
    tmp_path: Path,
) -> None:
    for url in ("postgresql+psycopg://postgres@127.0.0.1/test", "sqlite://", "sqlite:///:memory:"):
        one_run = secret_keys(Settings(), url)
        assert not one_run.lasting and "for this run only" in one_run.note
        assert len(one_run.keys) == 1
    given = (Fernet.generate_key().decode(),)

    keys = secret_keys(Settings(security_bot_keys=given), f"sqlite:///{tmp_path / 'x.db'}")

    assert keys.keys == given and keys.lasting
    assert list(tmp_path.iterdir()) == []
