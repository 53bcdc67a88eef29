"""A platform alert in the sandbox: sent from another terminal, shown on `wait`, acted on with
`press`. The banner's shell snippet is run as printed, so it stays correct."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from bot.core.config import Settings
from bot.platform import signature as platform_signature
from tests.sandbox.test_console import session, shown_after

pytestmark = pytest.mark.e2e

SECRET = "alerts-secret-for-the-sandbox-test"
ALERT = {
    "id": "alert-sandbox-1",
    "kind": "compromised_password",
    "account_id": "7012345",
    "member_email": "ana@example.com",
    "detected_at": "2026-11-24T10:00:00Z",
    "detail": "Found in a credential dump",
}


def alerts_url(banner: str) -> str:
    found = re.search(r"^URL=(http://127\.0\.0\.1:\d+/api/v1/alerts)$", banner, re.MULTILINE)
    assert found is not None, banner
    return found.group(1)


def snippet(banner: str) -> str:
    """The shell lines of the banner, from SECRET= to the end of the curl command."""
    lines = banner.splitlines()
    first = next(n for n, line in enumerate(lines) if line.startswith("SECRET="))
    last = next(n for n, line in enumerate(lines) if "--data-binary" in line)
    return "\n".join(lines[first : last + 1])


def send_alert(url: str, secret: str, document: dict[str, str]) -> tuple[int, dict[str, str]]:
    """What the platform does: the document, signed, posted to the alerts API."""
    body = json.dumps(document).encode()
    headers = platform_signature.sign(secret, body, int(time.time()))
    request = urllib.request.Request(  # noqa: S310 - the sandbox's loopback address
        url, data=body, headers={"Content-Type": "application/json", **headers}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_an_alert_from_elsewhere_shows_on_wait_and_ive_changed_it_asks_for_an_authenticator(
    settings: Settings, database_url: str
) -> None:
    answers: list[tuple[int, dict[str, str]]] = []

    def the_platform_sends_an_alert(shown: str) -> None:
        answers.append(send_alert(alerts_url(shown), SECRET, ALERT))

    given = dataclasses.replace(settings, alerts_signing_secret=SECRET)
    turns = session(
        given,
        database_url,
        the_platform_sends_an_alert,
        "wait",
        "press I've changed it",
        "/security status",
        "quit",
    )

    banner = turns[0][1]
    assert 'SECRET="$ALERTS_SIGNING_SECRET"' in banner
    assert SECRET not in banner  # a secret from the environment is never printed
    assert "signed with ALERTS_SIGNING_SECRET" in " ".join(banner.split())
    assert answers == [(202, {"status": "accepted", "id": "alert-sandbox-1"})]
    dms = shown_after(turns, "wait")
    assert "Account Security · new message in your DM" in dms
    assert "[ I've changed it ]" in dms
    assert "new message in Raj Example's DM" in dms
    assert "new message in Dana Example's DM" in dms  # the account manager
    pressed = shown_after(turns, "press I've changed it")
    assert "only visible to you" in pressed
    assert "You haven't linked one yet." not in " ".join(pressed.split())  # no detour
    assert "[ Link an authenticator app ]" in pressed  # offered instead
    assert "new message in your DM" in pressed
    assert re.search(r"↗ http://127\.0\.0\.1:\d+/secure/\S+", pressed)
    assert "Acme Shoes Ads" in shown_after(turns, "/security status")
    assert all(len(line) <= 100 for _, output in turns for line in output.splitlines())


@pytest.mark.skipif(
    not (shutil.which("bash") and shutil.which("openssl") and shutil.which("curl")),
    reason="the snippet needs bash, openssl and curl",
)
def test_the_banners_snippet_sends_a_signed_alert_each_time_it_is_pasted(
    settings: Settings, database_url: str
) -> None:
    runs: list[subprocess.CompletedProcess[str]] = []

    def paste_the_snippet(shown: str) -> None:
        runs.append(
            subprocess.run(
                ["bash", "-c", snippet(shown)],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
                env={"PATH": os.environ.get("PATH", "")},  # nothing else from this process
            )
        )

    turns = session(settings, database_url, paste_the_snippet, paste_the_snippet, "wait", "quit")

    assert "signed with a secret made for this run" in " ".join(turns[0][1].split())
    assert all(len(line) <= 100 for line in turns[0][1].splitlines())
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert run.stdout.rstrip().endswith(" 202"), run.stdout
        assert '"status": "accepted"' in run.stdout
    [first, second] = (json.loads(run.stdout.rstrip()[: -len(" 202")])["id"] for run in runs)
    assert first != second  # a new id per paste, so a second paste is not a duplicate
    dms = shown_after(turns, "wait")
    assert dms.count("new message in your DM") == 2


def test_wait_says_when_nothing_came_and_what_it_takes(
    settings: Settings, database_url: str
) -> None:
    turns = session(settings, database_url, "help", "wait 0.2", "wait soon", "wait -1", "quit")

    assert "wait [seconds]" in shown_after(turns, "help")
    assert "Nothing new from the app in 0.2 seconds." in shown_after(turns, "wait 0.2")
    assert 'like "wait 30"' in shown_after(turns, "wait soon")
    assert 'like "wait 30"' in shown_after(turns, "wait -1")
