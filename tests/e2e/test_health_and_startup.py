"""Health checks, and start-up refusing bad settings with one clear line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from sandbox import payloads
from sandbox.slack_standin import SlackStandIn
from storage.database import Database
from tests.e2e.conftest import (
    AppStarter,
    RunningApp,
    bot_environment,
    environment_for,
    free_port,
    run_app,
)

pytestmark = pytest.mark.e2e

UNREACHABLE_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2"


def test_health_and_readiness_answer_while_the_database_does(running_app: RunningApp) -> None:
    assert running_app.get("/healthz").status == 200
    assert running_app.get("/readyz").status == 200
    assert running_app.get("/nowhere").status == 404


def test_readiness_fails_but_liveness_holds_when_the_database_is_unreachable(
    start_app: AppStarter, standin: SlackStandIn
) -> None:
    unreachable = start_app(environment_for(standin, UNREACHABLE_POSTGRES), None)

    assert unreachable.get("/healthz").status == 200
    ready = unreachable.get("/readyz")
    assert ready.status == 503
    assert "127.0.0.1" not in ready.text  # no connection details leak
    assert unreachable.get("/healthz").status == 200


def valid_environment(tmp_path: Path) -> dict[str, str]:
    return bot_environment(
        SLACK_BOT_TOKEN="xoxb-standin",
        SLACK_SIGNING_SECRET="start-up-secret",
        SLACK_API_URL="http://127.0.0.1:1/api/",
        DATABASE_URL=f"sqlite:///{tmp_path / 'never-created.db'}",
        SECURITY_BOT_KEYS=Fernet.generate_key().decode(),
    )


def refuse_to_start(env: dict[str, str]) -> str:
    """Run `app.py serve` expecting a refusal; return its one line of complaint."""
    finished = run_app("serve", "--port", str(free_port()), env=env, timeout=20)
    assert finished.returncode != 0
    assert "Traceback" not in finished.stderr
    lines = finished.stderr.strip().splitlines()
    assert len(lines) == 1, finished.stderr
    return lines[0]


def test_a_missing_signing_secret_stops_start_up_with_one_line_naming_it(tmp_path: Path) -> None:
    env = valid_environment(tmp_path)
    del env["SLACK_SIGNING_SECRET"]

    line = refuse_to_start(env)

    assert "SLACK_SIGNING_SECRET" in line
    assert not (tmp_path / "never-created.db").exists()


@pytest.mark.parametrize(
    "keys",
    [
        "NOT-A-FERNET-KEY-s3cr3t-value",
        Fernet.generate_key().decode() + ",NOT-A-FERNET-KEY-s3cr3t-value",
    ],
    ids=["only-key", "second-key"],
)
def test_a_malformed_key_stops_start_up_without_echoing_it(tmp_path: Path, keys: str) -> None:
    env = {**valid_environment(tmp_path), "SECURITY_BOT_KEYS": keys}

    line = refuse_to_start(env)

    assert "SECURITY_BOT_KEYS" in line
    for key in keys.split(","):
        assert key not in line
    assert "s3cr3t" not in line


def test_several_worker_processes_serve_the_same_app(
    start_app: AppStarter, app_environment: dict[str, str], database: Database
) -> None:
    """`serve` runs several worker processes, each with its own app, engine and threads."""
    app = start_app({**app_environment, "WEB_CONCURRENCY": "3"}, database)

    command = payloads.slash_command("U0ANA", "status", response_url=app.standin.response_url())
    answers = [app.send(command) for _ in range(12)]

    assert {answer.status for answer in answers} == {200}
    assert all(b"Your security checklist" in answer.body for answer in answers)
    children = Path(f"/proc/{app.process.pid}/task/{app.process.pid}/children").read_text()
    assert len(children.split()) == 3


def test_workers_do_not_outlive_a_killed_server(
    start_app: AppStarter, app_environment: dict[str, str], database: Database
) -> None:
    """SIGKILL leaves the main process no chance to stop its workers: the kernel must."""
    app = start_app({**app_environment, "WEB_CONCURRENCY": "2"}, database)
    pid = app.process.pid
    workers = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    assert len(workers) == 2

    app.process.kill()
    app.process.wait()
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{worker}").exists() for worker in workers):
        assert time.monotonic() < deadline, f"workers {workers} outlived the server"
        time.sleep(0.05)
