"""Recovery readiness in the sandbox, as the issue's demo goes: confirm a recovery email with the
code from the local outbox, record a phone number, then a signed posture report about one of the
member's accounts turns its 2-step verification red, with the reason."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from bot.core.config import Settings
from sandbox.console import run_console
from tests.sandbox.test_console import Keyboard, Turn, shown_after

pytestmark = pytest.mark.e2e

Line = str | Callable[[str], str]  # typed as it is, or worked out from the screen so far


class Typist(Keyboard):
    """Types lines, some of them read off the screen first (a code from a mail)."""

    def __init__(self, lines: Sequence[Line], screen: io.StringIO) -> None:
        super().__init__([], screen)
        self.lines = list(lines)

    def readline(self, size: int = -1, /) -> str:  # type: ignore[override]
        if not self.lines:
            return ""
        line = self.lines.pop(0)
        return (line if isinstance(line, str) else line(self.screen.getvalue())) + "\n"


def session(settings: Settings, database_url: str, *lines: Line) -> list[Turn]:
    stdout = io.StringIO()
    assert (
        run_console(settings, stdin=Typist(lines, stdout), stdout=stdout, database_url=database_url)
        == 0
    )
    parts = re.split(r"^(?:ana|raj|dana|sam)> (.*)\n", stdout.getvalue(), flags=re.MULTILINE)
    return [("", parts[0]), *zip(parts[1::2], parts[2::2], strict=True)]


def code_from_the_outbox(screen: str) -> str:
    """The code as the console showed it, or from the mail file it named (the console may not
    have printed the mail's text yet on a busy machine)."""
    codes = re.findall(r"Your confirmation code is (\d{6})", screen)
    for path in re.findall(r"^(/\S+\.eml)$", screen, flags=re.MULTILINE):
        codes += re.findall(r"Your confirmation code is (\d{6})", Path(path).read_text())
    assert codes, screen
    return f"type 1 {codes[-1]}"


def test_recovery_email_phone_and_a_posture_report_in_the_sandbox(
    settings: Settings, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # with PostgreSQL, the outbox is in the working directory
    turns = session(
        settings,
        database_url,
        "/security recovery",
        "type 1 ana.private@example.com",
        "submit",
        code_from_the_outbox,
        "submit",
        "cancel",
        "/security status",
        "press Add a recovery phone",
        "type 1 +49 30 12345612",
        "submit",
        "cancel",
        "/security 2sv",
        "posture Acme two_step=off",
        "/security status",
        "quit",
    )

    banner = turns[0][1]
    outbox = Path(database_url.removeprefix("sqlite:///")).parent / "outbox"
    if database_url.startswith("sqlite"):
        assert f"written to the outbox folder {outbox.resolve()}" in " ".join(banner.split())
    sent = shown_after(turns, "submit")
    assert "📧 A mail was written to the outbox" in sent
    assert "To: ana.private@example.com" in sent
    assert "I've emailed a 6-digit code to a•••@example.com" in sent
    confirmed = shown_after(turns, "submit", 1)
    assert "a•••@example.com is your confirmed recovery email" in confirmed
    status = shown_after(turns, "/security status")
    assert "a•••@example.com, confirmed with a code." in status
    assert "ana.private" not in status
    saved = shown_after(turns, "submit", 2)
    assert "+49 ••• ••• 12 on record." in saved
    reported = shown_after(turns, "posture Acme two_step=off")
    assert "The app answered 202" in reported
    after = " ".join(shown_after(turns, "/security status", 1).split())
    assert "Needs turning on: Acme Shoes Ads." in after
    assert "Acme Shoes Ads: Off, as the platform reports." in after
