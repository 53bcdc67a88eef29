"""What does not come from Slack, or is larger than anything Slack sends, changes nothing."""

from __future__ import annotations

import contextlib
import http.client
import socket
import time

import pytest

from sandbox import payloads
from tests.conftest import MemberFactory
from tests.e2e.conftest import RunningApp, row_counts
from tests.e2e.test_home_and_buttons import RECOVERY_PHONE_BUTTON

pytestmark = pytest.mark.e2e

FIVE_MINUTES = 5 * 60
LIMIT = 256 * 1024


def state_changing_requests(app: RunningApp) -> list[tuple[bytes, str]]:
    """Requests that, if accepted, call Slack (a button press opens a modal) or write rows and
    call Slack (an event, a command)."""
    return [
        payloads.block_action(
            "U0ANA", RECOVERY_PHONE_BUTTON, response_url=app.standin.response_url()
        ),
        payloads.app_home_opened("U0ANA"),
        payloads.slash_command("U0NEW", "status", response_url=app.standin.response_url()),
    ]


def forgeries(app: RunningApp, body: bytes, content_type: str) -> dict[str, dict[str, str]]:
    """Header sets that must each be refused, by what is wrong with them."""
    now = int(time.time())
    signed = payloads.sign(app.signing_secret, body, now)
    return {
        "forged signature": {
            **payloads.sign("not-the-signing-secret", body, now),
        },
        "signature over another body": {
            **payloads.sign(app.signing_secret, body + b"&extra=1", now),
        },
        "missing signature": {"X-Slack-Request-Timestamp": str(now)},
        "missing timestamp": {"X-Slack-Signature": signed["X-Slack-Signature"]},
        "non-numeric timestamp": {
            "X-Slack-Request-Timestamp": "yesterday",
            "X-Slack-Signature": signed["X-Slack-Signature"],
        },
        "empty timestamp": {
            "X-Slack-Request-Timestamp": "",
            "X-Slack-Signature": signed["X-Slack-Signature"],
        },
        "more than five minutes old": payloads.sign(
            app.signing_secret, body, now - FIVE_MINUTES - 10
        ),
        "more than five minutes ahead": payloads.sign(
            app.signing_secret, body, now + FIVE_MINUTES + 10
        ),
    }


def test_requests_not_signed_by_slack_are_refused_and_change_nothing(
    running_app: RunningApp, member: MemberFactory
) -> None:
    member("U0ANA")
    standin = running_app.standin
    standin.add_user("U0ANA", email="u0ana@example.com", real_name="Ana")
    standin.add_user("U0NEW", email="u0new@example.com", real_name="New")
    assert running_app.database is not None
    before = row_counts(running_app.database)

    refused = []
    for body, content_type in state_changing_requests(running_app):
        for problem, headers in forgeries(running_app, body, content_type).items():
            answer = running_app.send_raw(body, {"Content-Type": content_type, **headers})
            refused.append((problem, answer.status))
    time.sleep(0.3)  # had anything been accepted, its work after the acknowledgement runs now

    assert {problem: status for problem, status in refused if status != 401} == {}
    assert row_counts(running_app.database) == before
    # each worker process checks the bot token once at start-up; nothing else reached Slack
    assert {call.method for call in standin.calls()} == {"auth.test"}
    assert standin.response_url_posts() == []

    # The same requests signed properly do change things, so the refusals above are what kept
    # the database and Slack untouched.
    press, event, _command = state_changing_requests(running_app)
    assert running_app.send(press).status == 200
    standin.wait_for(lambda: standin.calls("views.open"))  # the recovery phone modal
    assert running_app.send(event).status == 200
    standin.wait_for(lambda: standin.calls("views.publish"))
    assert row_counts(running_app.database) != before


def test_a_body_larger_than_slack_ever_sends_is_refused_unread(
    running_app: RunningApp, member: MemberFactory
) -> None:
    member("U0ANA")
    filler = "x" * (300 * 1024)
    command = payloads.slash_command(
        "U0ANA", "status " + filler, response_url=running_app.standin.response_url()
    )
    assert len(command[0]) > LIMIT

    answer = send_tolerating_early_close(running_app, command[0], command[1])

    assert answer == 413


def padded_command(app: RunningApp, size: int) -> tuple[bytes, str]:
    """An unknown `/security` subcommand whose body is exactly `size` bytes."""
    base, content_type = payloads.slash_command(
        "U0ANA", "frobnicate", response_url=app.standin.response_url()
    )
    body = base + b"&padding=" + b"x" * (size - len(base) - len(b"&padding="))
    assert len(body) == size
    return body, content_type


@pytest.mark.parametrize("size", [LIMIT - 1, LIMIT], ids=["one-byte-under", "exactly-256KiB"])
def test_a_body_up_to_the_limit_is_served(
    running_app: RunningApp, member: MemberFactory, size: int
) -> None:
    member("U0ANA")

    answer = running_app.send(padded_command(running_app, size))

    assert answer.status == 200, answer.text
    assert "I don't know" in answer.json()["text"]


def test_a_content_length_above_the_limit_is_refused_without_waiting_for_the_body(
    running_app: RunningApp,
) -> None:
    body = b"token=x&user_id=U0ANA&command=%2Fsecurity&text=status"
    headers = {
        **payloads.sign(running_app.signing_secret, body),
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": str(10 * 1024 * 1024),
    }
    host, port = running_app.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        # The body sent is far shorter than announced: the answer must not wait for the rest.
        connection.request("POST", "/slack/events", body=body, headers=headers)
        status = connection.getresponse().status
    finally:
        connection.close()

    assert status == 413


def test_a_chunked_body_over_the_limit_is_refused(running_app: RunningApp) -> None:
    chunk = b"x" * (64 * 1024)
    headers = {
        **payloads.sign(running_app.signing_secret, b""),
        "Content-Type": "application/x-www-form-urlencoded",
        "Transfer-Encoding": "chunked",
    }
    host, port = running_app.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        connection.sendall(f"POST /slack/events HTTP/1.1\r\nHost: {host}\r\n{head}\r\n".encode())
        with contextlib.suppress(OSError):  # the server may close once it has seen too much
            for _ in range(6):  # 384 KiB in 64 KiB chunks
                connection.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            connection.sendall(b"0\r\n\r\n")
        status_line = connection.makefile("rb").readline()

    assert status_line.split()[1:2] == [b"413"], status_line


def send_tolerating_early_close(app: RunningApp, body: bytes, content_type: str) -> int:
    """POST a signed body; a server may answer and close before it has read all of it."""
    headers = {"Content-Type": content_type, **payloads.sign(app.signing_secret, body)}
    host, port = app.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        connection.sendall(
            f"POST /slack/events HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n"
            f"{head}\r\n".encode()
        )
        with contextlib.suppress(OSError):  # the server may answer and close before the end
            connection.sendall(body)
        status_line = connection.makefile("rb").readline()
    return int(status_line.split()[1])
