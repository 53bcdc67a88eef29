"""README.md's sandbox walkthrough, typed line by line into the console as a newcomer would, on a
fresh sandbox (no settings, a new database); each line must show what the README promises.

The lines are read from README.md's "The sandbox" section, so the README and this test cannot
drift apart: a README line this test does not know fails, naming the line to add to STEPS.
Other people reword the bot's messages, so each step checks a few stable fragments (a heading, a
button, a state), not whole paragraphs. To update: change STEPS, one row per README line.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.core.config import load_settings
from sandbox.console import run_console

pytestmark = pytest.mark.e2e

README = Path(__file__).parents[2] / "README.md"
START = "make run"  # the line starting the sandbox; not typed at the console
PROMPT = re.compile(r"^([a-z]+)> (.*?)(?:\s+# .*)?$")

# One row per `name> command` line of the walkthrough, in README order: what must show after it.
STEPS: list[tuple[str, tuple[str, ...]]] = [
    # the first code block: the checklist, recovery, posture, reminders, statistics
    ("ana> /security status", ("Your security checklist", "[ Add a recovery phone ]")),
    ("ana> /security recovery", ("Recovery email (a modal)", "1. Recovery email address")),
    ("ana> type 1 ana.private@example.com", ("✓ Recovery email address",)),
    ("ana> submit", ("📧 A mail was written to the outbox", "To: ana.private@example.com")),
    ("ana> type 1 <code>", ("✓ Code from the email",)),
    ("ana> submit", ("is your confirmed recovery email", "(done: the modal closed")),
    ("ana> press Add a recovery phone", ("Recovery phone (a modal)",)),
    ("ana> type 1 030 1234 5612", ("✓ Recovery phone number",)),
    ("ana> submit", ("+49 ••• ••• 12", "(done: the modal closed", "Your security checklist")),
    ("ana> posture Acme two_step=off", ('"member_email": "ana@example.com"', "answered 202")),
    ("ana> press I've turned it on", ("2-step verification (a modal)",)),
    ("ana> choose 1 1", ("✓ Business account: Acme Shoes Ads",)),
    ("ana> choose 2 1", ("✓ Verification method you chose",)),
    ("ana> submit", ("(the modal closed)", "only visible to you · updated", "Acme Shoes Ads:")),
    ("ana> home", ("Home tab", "Your security checklist")),
    ("ana> as dana", ("You are now @dana",)),
    ("dana> /security status @ana", ("Security checklist of Ana Example",)),
    ("dana> as ana", ("You are now @ana",)),
    ("ana> time +8d", ("The app's time:",)),
    ("ana> time mon 10:00", ("Mon 10:00 for you",)),
    ("ana> nudge dry-run", ("U0ANA (Ana Example", "dry run")),
    ("ana> nudge", ("new message in your DM", "[ Snooze 1 day ]")),
    ("ana> press Snooze 1 day", ("Snoozed until",)),
    ("ana> dms", ("  1  ", "open dm <number>")),
    ("ana> as sam", ("You are now @sam",)),
    (
        "sam> /security stats",
        ("Security statistics", "members in scope", "Per business account", "TikTok for Business"),
    ),
    ("sam> home", ("Security overview", "business accounts, 2SV confirmed on")),
    ("sam> summary", ("Weekly security summary", "📎")),
    ("sam> reset", ("wiped: starting a clean one", "You are @ana")),
    # the second code block: a compromise case from the report to its resolution
    ("ana> /security report", ("Report a compromise (a modal)",)),
    ("ana> choose 1 Acme Shoes Ads", ("✓ Business account: Acme Shoes Ads",)),
    ("ana> type 2 Our ads changed overnight", ("✓ What happened?",)),
    ("ana> choose 3 1", ("✓ Are there charges you didn't make?",)),
    ("ana> submit", ("channel C0ESCALATE", "Case #1", "in your DM")),
    ("ana> time +1h", ("⏰ Case #1", "has waited 1 h", "for someone to take it")),
    ("ana> as dana", ("You are now @dana",)),
    ("dana> card", ("Case #1", "[ Take it ]")),
    ("dana> press Take it", ("@Dana Example took the case",)),
    ("dana> press Platform ticket", ("Ticket of case #1 (a modal)", "1. Ticket or appeal")),
    ("dana> type 1 TT-4711", ("✓ Ticket or appeal reference: TT-4711",)),
    ("dana> type 2 Appeal received, answer within 48 h", ("✓ What the platform answered",)),
    ("dana> submit", ("🎫 Platform ticket `TT-4711`", "recorded the platform's ticket")),
    ("dana> press Change severity", ("Severity of case #1 (a modal)", "1. New severity")),
    ("dana> choose 1 High", ("✓ New severity: High",)),
    ("dana> type 2 The charges stopped, one campaign only", ("✓ Why does it change?",)),
    ("dana> submit", ("🟧 High · set by @Dana Example", "changed the severity from critical")),
    ("dana> press Suspend", ("updated in channel C0ESCALATE", "in Ana Example's DM")),
    ("dana> press Start investigating", ("Investigating",)),
    ("dana> reply Called Ana", ("(you wrote in the case thread: Called Ana)",)),
    ("dana> press Record a charge", ("(a modal)", "1. Amount")),
    ("dana> type 1 120.50", ("✓ Amount: 120.50",)),
    ("dana> type 2 EUR", ("✓ Currency: EUR",)),
    ("dana> type 3 Ads bought", ("✓ What was charged",)),
    ("dana> submit", ("€120.50", "[ Approve ]")),
    ("dana> as sam", ("You are now @sam",)),
    ("sam> claim", ("€120.50", "[ Approve ]")),
    ("sam> press Approve", ("one-time link", "/secure/authenticator/")),
    ("sam> link", ("web page · 200", "Key: ")),
    ("sam> code", ("Your authenticator app shows", "Authenticator linked")),
    ("sam> claim", ("[ Approve ]",)),
    ("sam> press Approve", ("Approved by @Sam Admin", "[ Mark reimbursed ]")),
    ("sam> as dana", ("You are now @dana",)),
    ("dana> claim", ("[ Mark reimbursed ]",)),
    ("dana> press Mark reimbursed", ("120.50 reimbursed",)),
    ("dana> card", ("Case #1", "[ Resolve ]")),
    ("dana> press Resolve", ("one-time link", "/secure/authenticator/")),
    ("dana> link", ("web page · 200", "Key: ")),
    ("dana> code", ("Authenticator linked",)),
    ("dana> card", ("[ Resolve ]",)),
    ("dana> press Resolve", ("Resolve case #1 (a modal)", "1. Outcome")),
    ("dana> choose 1 Control restored", ("✓ Outcome: Control restored",)),
    ("dana> type 2 New password, 2-step verification on", ("✓ What the investigation found",)),
    ("dana> submit", ("Resolved", "Control restored")),
    ("dana> as sam", ("You are now @sam",)),
    ("sam> /security settings", ("Workspace settings (a modal)", "High: time to resolve")),
    ("sam> type 14 20m", ("✓ High: time to take: 20m",)),
    ("sam> type 15 50m", ("✓ High: time to resolve: 50m",)),
    ("sam> submit", ("Saved 2 settings of this workspace: time to take a high case, time to",)),
    (
        "sam> /security case show 1",
        ("🔴 Taken after 1 h (target 20 min)", "🔴 Resolved after 1 h (target 50 min)"),
    ),
]


def readme_lines() -> list[str]:
    """The `name> command` lines of the sandbox section's code blocks, comments cut off."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## The sandbox\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)
    assert len(blocks) == 2, "the sandbox section should have its two walkthrough code blocks"
    lines = []
    for line in "\n".join(blocks).splitlines():
        if line.startswith(START) or not line.strip():
            continue
        typed = PROMPT.match(line)
        assert typed, f"README line {line!r} is neither `name> command` nor the start line"
        lines.append(f"{typed.group(1)}> {typed.group(2)}")
    return lines


class Newcomer(io.StringIO):
    """Types the README's lines; a placeholder is filled from what the screen showed so far."""

    def __init__(self, lines: Sequence[str], screen: io.StringIO) -> None:
        super().__init__()
        self.lines, self.screen = list(lines), screen

    def readline(self, size: int = -1, /) -> str:  # type: ignore[override]
        if not self.lines:
            return ""
        typed = self.lines.pop(0).split("> ", 1)[1]
        if "<code>" in typed:
            typed = typed.replace("<code>", latest_code(self.screen.getvalue()))
        return typed + "\n"


def latest_code(screen: str) -> str:
    """The code the member would read: in the latest mail, or from their authenticator app."""
    mail = screen.rsplit("📧 A mail was written", 1)
    app = re.findall(r"Your authenticator app shows (\d{6})", screen)
    found = re.search(r"\b(\d{6})\b", mail[1]) if len(mail) == 2 else None
    assert found or app, "the README asks for a <code> before the console showed one"
    return found.group(1) if found else app[-1]


def test_every_readme_line_has_its_expectation() -> None:
    lines = readme_lines()
    for number, line in enumerate(lines):
        expected = STEPS[number][0] if number < len(STEPS) else "(nothing)"
        assert line == expected, (
            f"README walkthrough line {number + 1} is {line!r}, but STEPS expects {expected!r} "
            "there: add or update its row in STEPS, with what it must show"
        )
    assert len(lines) == len(STEPS), f"STEPS has rows the README lacks: {STEPS[len(lines) :]}"


def test_the_readme_walkthrough_works_as_written(tmp_path: Path) -> None:
    lines = readme_lines()
    settings = load_settings(
        {"DATABASE_URL": f"sqlite:///{tmp_path}/security-bot.db"}, mode="sandbox"
    )
    screen = io.StringIO()

    code = run_console(settings, stdin=Newcomer(lines, screen), stdout=screen)

    assert code == 0
    turns = re.split(r"^([a-z]+)> (.*)\n", screen.getvalue(), flags=re.MULTILINE)[1:]
    shown = list(zip(turns[0::3], turns[1::3], turns[2::3], strict=True))
    assert [typed for _, typed, _ in shown[len(lines) :]] == [""]  # the end of input, then Bye
    missing = []  # every step's misses at once, so one run shows all that changed
    for (person, typed, output), (line, fragments) in zip(shown, STEPS, strict=False):
        readme_person = line.split("> ", 1)[0]
        assert person == readme_person, f"{line!r}: the prompt was {person}>, not {readme_person}>"
        words = " ".join(output.split())
        refused = ("I don't know \"", "There is no button here", "No modal is open")
        missing += [
            f"after README line {line!r} (typed {typed!r}) the console did not show {fragment!r};"
            f" it showed:\n{output}"
            for fragment in fragments
            if " ".join(fragment.split()) not in words
        ]
        missing += [f"{line!r} was refused:\n{output}" for word in refused if word in output]
    assert not missing, "\n\n".join(missing)
