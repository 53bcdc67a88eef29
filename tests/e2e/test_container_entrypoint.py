"""The container's start, run as a process exactly as the image would run it: the Dockerfile's
ENTRYPOINT from its WORKDIR (here, this checkout), with the variables the container gets, on a
database nobody migrated yet. The image itself cannot be built here (no image registry)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from sandbox import payloads
from sandbox.payloads import sign
from sandbox.slack_standin import SlackStandIn
from tests.conftest import BACKENDS, empty_schema_url
from tests.e2e.conftest import REPO_ROOT, START_TIMEOUT, bot_environment, free_port, request
from tests.test_deployment import dockerfile, unit_stop_seconds

pytestmark = pytest.mark.e2e
# The migrations run first, from an empty database: under a loaded CI machine (load 20 on two
# cores) the whole start took about 40 s.
MIGRATE_AND_START_TIMEOUT = START_TIMEOUT + 60.0


@pytest.fixture(params=BACKENDS)
def new_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables yet: a new SQLite file, or an empty PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'security-bot.db'}"
        return
    with empty_schema_url("c") as url:
        yield url


def in_the_image(path: str) -> str:
    """A path of the image, under its WORKDIR, as it lies in this checkout."""
    (workdir,) = dockerfile("WORKDIR")
    return str(REPO_ROOT / Path(path).relative_to(workdir)) if path.startswith("/") else path


def container_environment(standin: SlackStandIn, database_url: str, port: int) -> dict[str, str]:
    """The variables an operator gives the container (compose's .env plus its own), and the
    image's `python` first on PATH, as /usr/local/bin is in python:3.11-slim."""
    env = bot_environment(
        SLACK_BOT_TOKEN=standin.bot_token,
        SLACK_SIGNING_SECRET="container-" + uuid.uuid4().hex,
        SLACK_API_URL=standin.base_url,
        DATABASE_URL=database_url,
        SECURITY_BOT_KEYS=Fernet.generate_key().decode(),
        PORT=str(port),
    )
    del env["WEB_CONCURRENCY"]  # the image's default number of workers
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def healthy(env: dict[str, str]) -> bool:
    """The Dockerfile's HEALTHCHECK command, run as Docker runs it."""
    (healthcheck,) = dockerfile("HEALTHCHECK")
    command = json.loads(healthcheck.split(" CMD ", 1)[1])
    finished = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, timeout=30, check=False
    )
    return finished.returncode == 0


def wait_until_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + MIGRATE_AND_START_TIMEOUT
    for path in ("/healthz", "/readyz"):
        while True:
            if process.poll() is not None:
                pytest.fail(f"the container's start exited with {process.returncode}:\n"
                            + log.read_text(errors="replace"))  # fmt: skip
            try:
                if request(url, "GET", path, timeout=2.0).status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"{path} did not answer 200 within {MIGRATE_AND_START_TIMEOUT}s:\n"
                            + log.read_text(errors="replace"))  # fmt: skip
            time.sleep(0.1)


def test_the_container_start_migrates_serves_and_stops_cleanly_on_sigterm(
    standin: SlackStandIn, new_database_url: str, tmp_path: Path
) -> None:
    (entrypoint,) = dockerfile("ENTRYPOINT")
    command = [in_the_image(part) for part in json.loads(entrypoint)]
    port = free_port()
    env = container_environment(standin, new_database_url, port)
    log = tmp_path / "container.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=sink, stderr=sink
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_ready(process, url, log)
        assert healthy(env)

        body, content_type = payloads.slash_command(
            "U0ANA", "status", response_url=standin.response_url()
        )
        headers = {"Content-Type": content_type, **sign(env["SLACK_SIGNING_SECRET"], body)}
        answer = request(url, "POST", "/slack/events", body=body, headers=headers)
        assert answer.status == 200
        assert b"Your security checklist" in answer.body

        # `exec`: the process Docker signals is the server itself, not a shell in front of it.
        assert Path(f"/proc/{process.pid}/cmdline").read_bytes().split(b"\0")[1:3] == [
            b"app.py",
            b"serve",
        ]
        workers = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        assert len(workers) == 2  # the default WEB_CONCURRENCY
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=unit_stop_seconds())
        stopped_in = time.monotonic() - started
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    output = log.read_text(errors="replace")
    assert returncode == 0, output
    assert stopped_in < unit_stop_seconds()
    assert not [w for w in workers if Path(f"/proc/{w}").exists()], "workers outlived the server"
    assert "Traceback" not in output and " ERROR " not in output, output
    assert not healthy(env)
