"""The account manager's desk in the sandbox, typed line by line as README.md's section "The
account manager's desk" walks through it (the lines are read from the README, so the two cannot
drift apart): Dana opens Home and sees her accounts with their gaps, reminds Ana from there (a
second press within the hour is refused), opens `/security account` and a case from it, and Ana
has the DM. And the console's way of telling apart buttons that share a label, one per row."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.config import Settings
from sandbox import render
from sandbox.screen import pick_button
from tests.sandbox.test_console import session

pytestmark = pytest.mark.e2e

README = Path(__file__).parents[2] / "README.md"
PROMPT = re.compile(r"^([a-z]+)> (.*?)(?:\s+# .*)?$")
# One row per `name> command` line of the README's desk walkthrough: what must show after it.
STEPS: list[tuple[str, tuple[str, ...]]] = [
    ("ana> as dana", ("You are now @dana",)),
    ("dana> time mon 10:00", ("Mon 10:00 for you",)),
    ("dana> home", ("Your business accounts", "All 2 accounts, riskiest first", "Acme Shoes Ads",
                    "@Raj Example: ⚪ 2-step verification", "🔴 recovery email", "[ Remind now ]",
                    "[ Open a case ]", "Your security checklist")),
    ("dana> press Remind now", ('"Remind now" matches several buttons', "beside @Raj Example")),
    ("dana> press Remind now Ana", ("new message in Ana Example's DM", "Hi Ana Example",
                                   "Reminder sent to @Ana Example about:")),
    ("dana> press Remind now Ana", ("@Ana Example was reminded", "so nothing was sent")),
    ("dana> /security account acme shoes ads", ("Business account: Acme Shoes Ads",
                                                "Account manager: @Dana Example",
                                                "History, newest first", "[ Open a case ]")),
    ("dana> press Open a case", ("Report a compromise (a modal)", "1) Acme Shoes Ads")),
    ("dana> choose 1 1", ("✓ Business account: Acme Shoes Ads",)),
    ("dana> type 2 Ads we never bought", ("✓ What happened?",)),
    ("dana> choose 3 2", ("✓ Are there charges you didn't make?",)),
    ("dana> submit", ("Case #1 · Acme Shoes Ads", "Case #1 is open in #C0ESCALATE")),
    ("dana> home", ("case #1 🟨 Medium, reported", "Your business accounts")),
    ("dana> as ana", ("You are now @ana",)),
    ("ana> dms", ("Hi Ana Example",)),
]  # fmt: skip


def readme_lines() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## The account manager's desk\n", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"^```\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)[-1]
    lines = []
    for line in block.splitlines():
        if line.startswith("make run") or not line.strip():
            continue
        typed = PROMPT.match(line)
        assert typed, f"README line {line!r} is neither `name> command` nor the start line"
        lines.append(f"{typed.group(1)}> {typed.group(2)}")
    return lines


def test_the_readme_walkthrough_of_the_desk_works_as_written(
    settings: Settings, database_url: str
) -> None:
    lines = readme_lines()
    assert lines == [line for line, _ in STEPS], "README's desk walkthrough and STEPS differ"

    turns = session(settings, database_url, *(line.split("> ", 1)[1] for line in lines))

    missing = [
        f"after {line!r} the console did not show {fragment!r}; it showed:\n{output}"
        for (line, fragments), (_, output) in zip(STEPS, turns[1 : len(STEPS) + 1], strict=True)
        for fragment in fragments
        if " ".join(fragment.split()) not in " ".join(output.split())
    ]
    assert not missing, "\n\n".join(missing)


def _remind(label: str, row: str, value: str, action_id: str) -> render.Button:
    action = {"type": "button", "action_id": action_id, "value": value}
    return render.Button(label, action, beside=row)


def test_a_label_on_every_row_is_pressed_with_a_word_of_its_row() -> None:
    shown = [
        _remind("Remind now", "@Ana Example: 🔴 recovery email", "U0ANA", "desk_remind:1-U0ANA"),
        _remind("Remind now", "@Raj Example: 🔴 recovery email", "U0RAJ", "desk_remind:1-U0RAJ"),
        _remind("Remind now", "@Ana Example: ⚪ recovery phone", "U0ANA", "desk_remind:2-U0ANA"),
    ]

    assert pick_button("Remind now raj", shown) == shown[1]
    assert pick_button("Remind now Ana", shown) == shown[0]  # the same reminder on either row
    listed = pick_button("Remind now", shown)
    assert isinstance(listed, str) and 'press 2 for "Remind now" (beside @Raj Example' in listed
    assert "No button" in str(pick_button("Remind now Eve", shown))
