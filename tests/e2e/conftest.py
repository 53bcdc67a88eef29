"""The real app as a subprocess (`app.py serve`), reached over HTTP exactly as Slack reaches it.

The subprocess talks to the Slack stand-in of the test and to the test's database, so tests seed
data with the `member` and `account` factories and assert on what the stand-in and the database
saw afterwards.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from sandbox.payloads import sign
from sandbox.slack_standin import SlackStandIn
from storage.database import Database
from storage.schema import Base
from tests.conftest import ADMIN

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0  # generous: CI shares two cores with the test workers
STOP_TIMEOUT = 5.0
# The bot's own settings are never inherited from the shell running the tests.
_BOT_VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "PORT",
    "PUBLIC_BASE_URL",
    "SECURITY_BOT_KEYS",
    "SECURITY_ADMINS",
    "ESCALATION_CHANNEL",
    "SUPPORT_CHANNEL",
    "ALERTS_SIGNING_SECRET",
    "PWNED_PASSWORDS_URL",
    "PASSWORD_MIN_SCORE",
    "SMTP_URL",
    "SMTP_FROM",
    "PLATFORM_WEBHOOK_URL",
)


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def bot_environment(**settings: str) -> dict[str, str]:
    """os.environ without any of the bot's own variables, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if k not in _BOT_VARIABLES}
    env["PYTHONUNBUFFERED"] = "1"
    env["WEB_CONCURRENCY"] = "1"  # one worker starts faster; test_serving covers several
    env.update(settings)
    return env


def run_app(
    *args: str, env: Mapping[str, str], timeout: float = 30.0
) -> subprocess.CompletedProcess[str]:
    """`python app.py ARGS` to completion, as an operator runs it."""
    return subprocess.run(
        [sys.executable, "app.py", *args],
        cwd=REPO_ROOT,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def request(
    url: str,
    method: str = "GET",
    path: str = "/",
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> Answer:
    """One HTTP request on a fresh connection; headers are sent exactly as given."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=dict(headers or {}))
        response = connection.getresponse()
        content = response.read()
    finally:
        connection.close()
    return Answer(response.status, content, time.perf_counter() - started)


@dataclass
class RunningApp:
    """The app serving HTTP in a subprocess, plus what the test needs to talk to it."""

    url: str
    signing_secret: str
    standin: SlackStandIn
    database: Database | None
    process: subprocess.Popen[bytes]
    stderr_path: Path
    errors_asserted: bool = False

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def get(self, path: str) -> Answer:
        return request(self.url, "GET", path)

    def send(
        self,
        slack_request: tuple[bytes, str],
        *,
        headers: Mapping[str, str] | None = None,
        timestamp: int | None = None,
    ) -> Answer:
        """POST to /slack/events, signed as Slack signs it; `headers` override or add to that."""
        body, content_type = slack_request
        signed = {"Content-Type": content_type, **sign(self.signing_secret, body, timestamp)}
        return self.send_raw(body, {**signed, **(headers or {})})

    def send_raw(self, body: bytes, headers: Mapping[str, str]) -> Answer:
        """POST exactly these bytes with exactly these headers (plus Host and Content-Length)."""
        return request(self.url, "POST", "/slack/events", body=body, headers=headers)

    def logged_errors(self) -> list[str]:
        """ERROR log lines and tracebacks; a test asking for them replaces the check at teardown."""
        self.errors_asserted = True
        lines = self.stderr().splitlines()
        return [line for line in lines if " ERROR " in line or line.startswith("Traceback")]


def _start(env: dict[str, str], stderr_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start `app.py serve` on a free port and wait for /healthz; retry if the port was taken."""
    for _attempt in range(3):
        port = free_port()
        with stderr_path.open("wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, "app.py", "serve", "--port", str(port)],
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                log = stderr_path.read_text(errors="replace")
                if "Address already in use" in log:
                    break  # another process took the port between probe and bind
                pytest.fail(f"the app exited with {process.returncode} on start:\n{log}")
            try:
                if request(url, "GET", "/healthz", timeout=1.0).status == 200:
                    return process, url
            except OSError:
                pass
            if time.monotonic() > deadline:
                _stop(process)
                log = stderr_path.read_text(errors="replace")
                pytest.fail(f"the app did not answer /healthz within {START_TIMEOUT}s:\n{log}")
            time.sleep(0.05)
    pytest.fail("could not find a free port for the app")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


AppStarter = Callable[[dict[str, str], Database | None], RunningApp]


def environment_for(standin: SlackStandIn, database_url: str) -> dict[str, str]:
    """What an operator would export to run the bot against the stand-in and this database."""
    return bot_environment(
        SLACK_BOT_TOKEN=standin.bot_token,
        SLACK_SIGNING_SECRET="e2e-" + uuid.uuid4().hex,
        SLACK_API_URL=standin.base_url,
        DATABASE_URL=database_url,
        SECURITY_BOT_KEYS=Fernet.generate_key().decode(),
        SECURITY_ADMINS=ADMIN,
    )


@pytest.fixture
def app_environment(standin: SlackStandIn, database_url: str) -> dict[str, str]:
    return environment_for(standin, database_url)


@pytest.fixture
def start_app(standin: SlackStandIn, tmp_path: Path) -> Iterator[AppStarter]:
    """start_app(env, database) starts one more app; each is stopped after the test."""
    started: list[RunningApp] = []

    def start(env: dict[str, str], database: Database | None) -> RunningApp:
        stderr_path = tmp_path / f"app-{len(started)}.stderr"
        process, url = _start(env, stderr_path)
        app = RunningApp(
            url=url,
            signing_secret=env["SLACK_SIGNING_SECRET"],
            standin=standin,
            database=database,
            process=process,
            stderr_path=stderr_path,
        )
        started.append(app)
        return app

    yield start
    for app in started:
        _stop(app.process)
    for app in started:
        # Every test also checks that the app logged no error while serving it.
        if not app.errors_asserted and app.logged_errors():
            pytest.fail("the app logged errors during the test:\n" + app.stderr())


@pytest.fixture
def running_app(
    start_app: AppStarter, app_environment: dict[str, str], database: Database
) -> RunningApp:
    return start_app(app_environment, database)


def row_counts(database: Database) -> dict[str, int]:
    """How many rows every table holds; not the jobs lease, which the app takes on its own."""
    with database.engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
            if table.name != "leases"
        }
