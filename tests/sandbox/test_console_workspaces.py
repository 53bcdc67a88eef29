"""The sandbox's second workspace: `install` adds one, `workspace` switches to it, and what one
workspace keeps is not seen from the other."""

from __future__ import annotations

import io
import re

import pytest

from bot.core.config import Settings
from sandbox.console import run_console

pytestmark = pytest.mark.e2e

Turn = tuple[str, str]


def session(settings: Settings, database_url: str, *lines: str) -> list[Turn]:
    """Run the console on these lines; the banner is turn 0, typed as ""."""
    stdout = io.StringIO()
    stdin = io.StringIO("".join(line + "\n" for line in lines))

    assert run_console(settings, stdin=stdin, stdout=stdout, database_url=database_url) == 0
    prompt = r"^(?:(?:Sandbox|Second) · )?(?:ana|raj|dana|sam)> (.*)\n"
    parts = re.split(prompt, stdout.getvalue(), flags=re.MULTILINE)
    return [("", parts[0]), *zip(parts[1::2], parts[2::2], strict=True)]


def shown_after(turns: list[Turn], typed: str, occurrence: int = 0) -> str:
    return [output for line, output in turns if line == typed][occurrence]


def test_a_second_workspace_keeps_its_own_checklists(settings: Settings, database_url: str) -> None:
    turns = session(
        settings,
        database_url,
        "/security status",
        "press Add a recovery phone",
        "type 1 +49 30 12345612",
        "submit",
        "cancel",
        "install",
        "workspace second",
        "/security status",
        "workspace T0STANDIN",
        "/security status",
        "help",
        "quit",
    )

    assert "1 of 7 checks pass" in shown_after(turns, "submit")
    installed = " ".join(shown_after(turns, "install").split())
    assert "installed in the workspace Second (T1SECOND)" in installed
    assert "You are now in the workspace Second (T1SECOND), as @ana" in shown_after(
        turns, "workspace second"
    )
    second = shown_after(turns, "/security status", 1)
    assert "0 of 7 checks pass" in second  # the same person's phone was kept in the first only
    assert "Acme Shoes Ads" in second  # the demo directory, imported into the second too
    assert "1 of 7 checks pass" in shown_after(turns, "/security status", 2)
    shown = shown_after(turns, "help")
    assert "install [name]" in shown and "workspace <name | id>" in shown


def test_switching_to_an_unknown_workspace_names_the_ones_there(
    settings: Settings, database_url: str
) -> None:
    turns = session(settings, database_url, "workspace elsewhere", "install Bravo", "workspace")

    assert "The workspaces: Sandbox (T0STANDIN)." in " ".join(
        shown_after(turns, "workspace elsewhere").split()
    )
    listed = " ".join(shown_after(turns, "workspace").split())
    assert "You are in the workspace Sandbox (T0STANDIN)" in listed
    assert "Bravo (T1BRAVO)" in listed


def test_the_second_workspace_works_fully_with_its_own_install(
    settings: Settings, database_url: str
) -> None:
    """Everything the bot sends there goes with the token the second workspace's install issued:
    its Home tab, a modal opened from it, a reminder's DM, a case its @sam (the installer, so its
    first security admin) opens, posted in its own case channel, and the platform's posture report
    naming it; the first workspace's
    `/security case show` does not find that case."""
    turns = session(
        settings,
        database_url,
        "install",
        "workspace second",
        "home",
        "press Add a recovery phone",
        "type 1 030 1234 5612",
        "submit",
        "posture Acme two_step=off",
        "time +8d",
        "time mon 10:00",
        "nudge",
        "as sam",
        "/security case open 7012345 Our ads changed overnight",
        "/security case show 1",
        "workspace sandbox",
        "dms",
        "as sam",
        "/security case show 1",
        "quit",
    )

    everything = "".join(output for _, output in turns)
    assert "Slack refused" not in everything  # no call went with another workspace's token
    assert "installed by @sam" in " ".join(shown_after(turns, "install").split())
    home = shown_after(turns, "home")
    assert "Home tab" in home and "Your security checklist" in home
    assert "Recovery phone (a modal)" in shown_after(turns, "press Add a recovery phone")
    assert "+49 ••• ••• 12" in shown_after(turns, "submit")
    posture = " ".join(shown_after(turns, "posture Acme two_step=off").split())
    assert '"team_id": "T1SECOND"' in posture and "answered 202" in posture
    nudged = shown_after(turns, "nudge")
    assert "new message in your DM" in nudged and "Snooze 1 day" in nudged
    opened = " ".join(
        shown_after(turns, "/security case open 7012345 Our ads changed overnight").split()
    )
    assert "Case #1" in opened and "channel C0ESCALATE" in opened
    assert "Our ads changed overnight" in shown_after(turns, "/security case show 1", 0)
    elsewhere = shown_after(turns, "/security case show 1", 1)
    assert "There is no case #1." in elsewhere and "Our ads changed overnight" not in elsewhere
    # The first workspace's panes show its own DMs: none of the second's reminders and cases.
    assert "No DMs from the app yet." in shown_after(turns, "dms")
