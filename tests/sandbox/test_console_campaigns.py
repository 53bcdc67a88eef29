"""README.md's campaign walkthrough in the sandbox, typed line by line as a newcomer would, on a
fresh sandbox: @sam starts a campaign for Dana's accounts with the form, Ana sees its deadline and
is reminded of it, and @sam watches its progress on the Home tab and in full. The lines are read
from README.md's "Campaigns with deadlines" section, so the two cannot drift apart."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from bot.core.config import load_settings
from sandbox.console import run_console
from tests.sandbox.test_readme_walkthrough import PROMPT, README

pytestmark = pytest.mark.e2e

# One row per `name> command` line of the section's code block: what must show after it.
STEPS: list[tuple[str, tuple[str, ...]]] = [
    ("ana> as sam", ("You are now @sam",)),
    ("sam> /security campaign start", ("Start a campaign (a modal)", "5. Last day", "[ Start ]")),
    ("sam> choose 1 1", ("✓ Check: 2-step verification on each business account",)),
    ("sam> choose 2 2", ("✓ Who it is for: One account manager's business accounts",)),
    ("sam> type 3 @dana", ("✓ Account manager (for one manager's accounts): @dana",)),
    ("sam> type 6 2SV on Dana's accounts", ("✓ Title: 2SV on Dana's accounts",)),
    ("sam> submit", ("(the modal closed)", "Campaign #1 is running: 2SV on Dana's accounts.")),
    ("sam> as ana", ("You are now @ana",)),
    ("ana> /security status", ("2-step verification on each business account", "(in 30 days)")),
    ("ana> time +8d", ("The app's time:",)),
    ("ana> time mon 10:00", ("Mon 10:00 for you",)),
    ("ana> nudge", ("new message in your DM", "📅 Due by", "[ I've turned it on ]")),
    ("ana> as sam", ("You are now @sam",)),
    (
        "sam> home",
        (
            "Campaigns",
            "#1 2SV on Dana's accounts",
            "0% done or exempt (0 of 3 members' accounts",
            "Most still open: @Dana Example 0%",
        ),
    ),
    (
        "sam> /security campaign show 1",
        (
            "Campaign #1",
            "For: the business accounts of @Dana Example",
            "Per day",
            "@Dana Example: 0 of 3 (0%), 3 open",
            "Acme Shoes Ads (@Dana Example): 0 of 2",
        ),
    ),
]


def readme_lines() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Campaigns with deadlines\n", 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"^```\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)
    lines = []
    for line in block.splitlines():
        typed = PROMPT.match(line)
        assert typed, f"README line {line!r} is not `name> command`"
        lines.append(f"{typed.group(1)}> {typed.group(2)}")
    return lines


def test_every_readme_line_has_its_expectation() -> None:
    assert readme_lines() == [line for line, _ in STEPS]


def test_the_campaign_walkthrough_works_as_written(tmp_path: Path) -> None:
    lines = readme_lines()
    settings = load_settings(
        {"DATABASE_URL": f"sqlite:///{tmp_path}/security-bot.db"}, mode="sandbox"
    )
    screen = io.StringIO()
    typed = io.StringIO("".join(line.split("> ", 1)[1] + "\n" for line in lines))

    assert run_console(settings, stdin=typed, stdout=screen) == 0

    turns = re.split(r"^([a-z]+)> (.*)\n", screen.getvalue(), flags=re.MULTILINE)[1:]
    shown = list(zip(turns[0::3], turns[1::3], turns[2::3], strict=True))
    missing = []
    for (person, _typed, output), (line, fragments) in zip(shown, STEPS, strict=False):
        assert person == line.split("> ", 1)[0], f"{line!r}: the prompt was {person}>"
        words = " ".join(output.split())
        missing += [
            f"after {line!r} the console did not show {fragment!r}; it showed:\n{output}"
            for fragment in fragments
            if " ".join(fragment.split()) not in words
        ]
    assert not missing, "\n\n".join(missing)
