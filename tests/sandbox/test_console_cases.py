"""A compromise case in the sandbox, as issue 5's "done when" describes it: Ana reports, Dana (the
account manager) takes the case, suspends, investigates, notes in the thread and records a
charge, Sam (a security admin) approves it after a code, Dana resolves; every step is audited."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Callable, Sequence

import pyotp
import pytest
from sqlalchemy import select

from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.services import build_services
from sandbox.console import run_console
from sandbox.kept import secret_keys
from storage.database import connect
from storage.models import AuditRecord

pytestmark = pytest.mark.e2e

Line = str | Callable[[str], str | None]  # typed, or read off the screen (None: nothing typed)


class Keyboard(io.StringIO):
    def __init__(self, lines: Sequence[Line], screen: io.StringIO) -> None:
        super().__init__()
        self.lines, self.screen = list(lines), screen

    def readline(self, size: int = -1, /) -> str:  # type: ignore[override]
        while self.lines:
            line = self.lines.pop(0)
            typed = line if isinstance(line, str) else line(self.screen.getvalue())
            if typed is not None:
                return typed + "\n"
        return ""


def typed_code(screen: str) -> str:
    codes = re.findall(r"Your authenticator app shows (\d{6})", screen)
    assert codes, screen[-2000:]
    return f"type 1 {codes[-1]}"


def test_a_case_from_report_to_resolution(settings: Settings, database_url: str) -> None:
    keys = secret_keys(settings, database_url).keys

    def link(user: str) -> Callable[[str], None]:
        def linked(screen: str) -> None:
            database = connect(database_url)
            configured = dataclasses.replace(settings, security_bot_keys=keys)
            authenticator = build_services(configured, SystemClock(), database).authenticator
            secret = authenticator.begin(user).secret
            authenticator.confirm(user, pyotp.TOTP(secret).now())
            database.dispose()

        return linked

    screen = io.StringIO()
    lines: list[Line] = [
        "/security report",
        "choose 1 Acme Shoes Ads",
        "type 2 Someone <!channel> changed our ads",
        "choose 3 1",
        "submit",
        "as dana",
        "card",
        "press Take it",
        "press Suspend",
        "press Start investigating",
        "reply Called Ana: she did not log in",
        "press Record a charge",
        "type 1 120.50",
        "type 2 EUR",
        "type 3 Ads bought by the intruder",
        "submit",
        link("U0SAM"),
        link("U0DANA"),
        "time +11m",  # the links above count as a step-up; a code is asked for again
        "as sam",
        "claim",
        "press Approve",
        "code",
        typed_code,
        "submit",
        "as dana",
        "claim",
        "press Mark reimbursed",
        "card",
        "press Resolve",
        "code",
        typed_code,
        "submit",  # the right code: the modal becomes the resolution form
        "choose 1 Control restored",
        "type 2 New password, 2-step verification on",
        "submit",
        "quit",
    ]
    code = run_console(
        settings, stdin=Keyboard(lines, screen), stdout=screen, database_url=database_url
    )
    shown = screen.getvalue()

    assert code == 0
    assert "Case #1 · Acme Shoes Ads" in shown
    assert "Someone &lt;!channel&gt;" not in shown  # the console shows text as Slack would
    assert "@Dana Example took the case" in shown and "@Sam Admin approved the charge" in shown
    assert "Approved by" in shown and "reimbursed" in shown
    assert "Outcome: Control restored" in shown
    database = connect(database_url)
    with database.sessions() as session:
        actions = set(session.scalars(select(AuditRecord.action)))
    database.dispose()
    assert {
        "cases.opened",
        "cases.taken",
        "cases.suspended",
        "cases.investigating",
        "cases.note.added",
        "cases.charge.recorded",
        "cases.charge.approved",
        "cases.charge.processed",
        "cases.resolved",
    } <= actions


def test_moving_the_clock_shows_the_ping_of_a_case_nobody_took(
    settings: Settings, database_url: str
) -> None:
    screen = io.StringIO()
    lines: list[Line] = [
        "/security report",
        "choose 1 Acme Shoes Ads",
        "type 2 Someone changed our ads",
        "choose 3 2",
        "submit",
        "as dana",
        "time +1h",
        "quit",
    ]

    code = run_console(
        settings, stdin=Keyboard(lines, screen), stdout=screen, database_url=database_url
    )

    shown = screen.getvalue()
    assert code == 0
    after = shown[shown.index("The app's time:") :]
    assert "Case #1 about" in after and "for someone to take it" in after, after[-2000:]
    assert "in channel C0ESCALATE" in after
