"""The console's own conveniences, as a newcomer uses them: pressing by number, earlier DMs,
finished modals, linking an authenticator in the console, a clean restart, the log file and the
whole posture report."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select

from bot.core.config import Settings, load_settings
from sandbox import render
from sandbox.screen import pick_button
from storage.database import connect
from storage.models import AuditRecord
from tests.sandbox.test_console import session, shown_after

pytestmark = pytest.mark.e2e


def fresh(tmp_path: Path) -> tuple[Settings, str]:
    """The settings a fresh clone runs the sandbox with, on a new SQLite database."""
    url = f"sqlite:///{tmp_path}/security-bot.db"
    return load_settings({"DATABASE_URL": url}, mode="sandbox"), url


def button(label: str, action_id: str, value: str = "") -> render.Button:
    return render.Button(label, {"type": "button", "action_id": action_id, "value": value})


def test_equal_labels_doing_different_things_are_pressed_by_number() -> None:
    shown = [
        button("Snooze", "snooze", "1d"),
        button("Snooze", "snooze", "3d"),
        button("Help", "h"),
    ]

    ambiguous = pick_button("Snooze", shown)

    assert (
        ambiguous == '"Snooze" matches several buttons: press 1 for "Snooze", press 2 for "Snooze".'
    )
    assert pick_button("2", shown) == shown[1]
    assert pick_button("3", shown) == shown[2]
    assert "There are 3 buttons here" in str(pick_button("4", shown))


def test_equal_labels_doing_the_same_thing_press_either() -> None:
    shown = [button("Check my passwords", "check"), button("Check my passwords", "check")]

    assert pick_button("Check my passwords", shown) == shown[0]


def test_press_by_number_then_the_dm_is_reachable_and_links_an_authenticator(
    tmp_path: Path,
) -> None:
    settings, url = fresh(tmp_path)

    turns = session(
        settings,
        url,
        "/security status",
        "buttons",
        "press 2",  # Link an authenticator app, the second button on the checklist
        "/security status",
        "dms",
        "open dm 1",
        "link",
        "code",
        "code",
        "quit",
    )

    assert "\n  2  [ Link an authenticator app ]\n" in shown_after(turns, "buttons")
    assert "/secure/authenticator/" in shown_after(turns, "press 2")
    listed = shown_after(turns, "dms")
    assert re.search(r"^\s*1  .*· 1 button$", listed, flags=re.MULTILINE), listed
    assert "[ Open your one-time link ]" in shown_after(turns, "open dm 1")
    page = shown_after(turns, "link")
    key = re.search(r"Key: ([A-Z2-7 ]+)\n", page)
    assert key, page
    linked = shown_after(turns, "code")
    assert "Authenticator linked" in linked and "updated in your DM" in linked
    later = re.search(
        r"Your authenticator app shows (\d{6})\. Type it with: type 1 \1",
        " ".join(shown_after(turns, "code", 1).split()),
    )
    assert later, shown_after(turns, "code", 1)
    assert pyotp.TOTP("".join(key.group(1).split())).verify(later.group(1), valid_window=1)
    database = connect(url)
    with database.sessions() as db:
        actions = set(db.scalars(select(AuditRecord.action)))
    database.dispose()
    assert "twostep.enrol.confirmed" in actions  # through the real page, over HTTP


def test_a_finished_modal_closes_and_a_modal_still_open_says_how_to_close_it(
    tmp_path: Path,
) -> None:
    settings, url = fresh(tmp_path)

    turns = session(
        settings,
        url,
        "/security status",
        "press Confirm a recovery email",
        "type 1 ana.private@example.com",
        "submit",
        "press Refresh",
        "cancel",
        "press Add a recovery phone",
        "type 1 +49 30 12345612",
        "submit",
        "press Refresh",
        "quit",
    )

    still_open = "The modal is still open: `cancel` closes it."
    assert still_open in " ".join(shown_after(turns, "submit").split())
    assert still_open in " ".join(shown_after(turns, "press Refresh").split())
    assert '(done: the modal closed, as its "Done" button would)' in shown_after(turns, "submit", 1)
    refreshed = shown_after(turns, "press Refresh", 1)
    assert "Your security checklist" in refreshed and "still open" not in refreshed


def test_the_clock_survives_a_restart_until_reset_wipes_the_sandbox(tmp_path: Path) -> None:
    settings, url = fresh(tmp_path)
    first = session(settings, url, "time +3d", "press Add a recovery phone", "quit")
    moved = re.search(r"The app's time: (\w+ \d\d \w+ \d{4})", shown_after(first, "time +3d"))
    assert moved

    again = session(
        settings,
        url,
        "time",
        "/security recovery phone",
        "type 1 +49 30 12345612",
        "submit",
        "reset",
        "time",
        "/security status",
        "quit",
    )

    banner = " ".join(again[0][1].split())
    assert "The app's clock is 3 days" in banner and "`reset` starts a clean sandbox" in banner
    assert moved.group(1) in shown_after(again, "time")
    after_reset = " ".join(shown_after(again, "reset").split())
    assert "wiped: starting a clean one" in after_reset
    assert "The app's clock is" not in after_reset and "You are @ana" in after_reset
    assert moved.group(1) not in shown_after(again, "time", 1)
    assert "0 of 7 checks pass" in shown_after(again, "/security status")  # the phone is gone
    assert not (tmp_path / "security-bot.db.sandbox-clock").exists()


def test_log_lines_go_to_the_file_the_banner_names(tmp_path: Path) -> None:
    settings, url = fresh(tmp_path)

    def app_logs(_: str) -> None:
        logging.getLogger("security_bot.cases").warning("a line for the log file only")

    turns = session(settings, url, "/security status", app_logs, "quit")

    log = tmp_path / "security-bot.log"
    assert f"The app's log lines go to {log}" in " ".join(turns[0][1].split())
    assert "a line for the log file only" in log.read_text(encoding="utf-8")
    assert all("a line for the log file only" not in output for _, output in turns)


def test_posture_prints_the_whole_report_it_sent(tmp_path: Path) -> None:
    settings, url = fresh(tmp_path)

    turns = session(settings, url, "posture Acme two_step=off method=sms", "quit")

    shown = shown_after(turns, "posture Acme two_step=off method=sms")
    document = json.loads(shown.split("The platform sent:\n", 1)[1].split("\nThe app answered")[0])
    assert document["member_email"] == "ana@example.com"
    assert document["account_id"] == "7012345"
    assert (document["two_step"], document["two_step_method"]) == (False, "sms")
    assert set(document) >= {"id", "reported_at"}
