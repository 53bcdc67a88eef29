"""`python app.py alerts import FILE` as an operator runs it: a report per bad line and exit 1,
nothing applied; a good file imported in one go, its DMs sent, and a second run changing nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import app
from bot.services import Services
from sandbox.slack_standin import SlackStandIn
from tests.e2e.conftest import row_counts
from tests.handlers.import_commands import operator_environment, write_lines


def line(**changes: Any) -> str:
    document = {
        "id": "alert-1",
        "kind": "compromised_password",
        "account_id": "7012345",
        "member_email": "ana@example.com",
        "detected_at": "2026-11-24T09:00:00Z",
        "detail": "Found in a credential dump",
        **changes,
    }
    return json.dumps(document)


environment = pytest.fixture(operator_environment, name="environment")


def write(tmp_path: Path, *lines: str) -> str:
    return write_lines(tmp_path / "alerts.jsonl", *lines)


def test_a_good_file_is_imported_and_its_dms_sent_and_a_second_run_changes_nothing(
    environment: Services,
    standin: SlackStandIn,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write(tmp_path, line(), line(id="alert-2", kind="suspicious_login"))

    assert app.main(["alerts", "import", path]) == 0

    assert capsys.readouterr().out == "alerts.jsonl: 2 alerts accepted, 0 already received before\n"
    [dm] = standin.messages("U0ANA")
    assert "compromised" in dm["text"]
    before = row_counts(environment.database)

    assert app.main(["alerts", "import", path]) == 0

    assert capsys.readouterr().out == "alerts.jsonl: 0 alerts accepted, 2 already received before\n"
    assert row_counts(environment.database) == before
    assert len(standin.messages()) == 1


def test_bad_lines_are_reported_with_their_numbers_and_nothing_is_applied(
    environment: Services,
    standin: SlackStandIn,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write(tmp_path, line(), "", line(id="alert-2", account_id="404"), "nope")
    before = row_counts(environment.database)

    assert app.main(["alerts", "import", path]) == 1

    assert capsys.readouterr().out.splitlines() == [
        "line 3: unknown account_id",
        "line 4: body is not valid JSON",
        "alerts.jsonl: nothing was imported (2 bad lines)",
    ]
    after = row_counts(environment.database)
    assert after["alerts"] == before["alerts"] == 0
    assert after["check_results"] == before["check_results"]
    assert standin.messages() == []


def test_a_file_that_cannot_be_read_exits_2(
    environment: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert app.main(["alerts", "import", str(tmp_path / "missing.jsonl")]) == 2
    assert "no such file; nothing was imported" in capsys.readouterr().err

    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(b"\xe9\n")
    assert app.main(["alerts", "import", str(latin)]) == 2
    assert "not UTF-8 text" in capsys.readouterr().err


def test_without_a_bot_token_the_alerts_are_stored_and_the_operator_is_told(
    environment: Services,
    standin: SlackStandIn,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN")

    assert app.main(["alerts", "import", write(tmp_path, line())]) == 0

    assert "no DM was sent: SLACK_BOT_TOKEN is not set" in capsys.readouterr().err
    assert row_counts(environment.database)["alerts"] == 1
    assert standin.messages() == []


def test_lines_naming_another_workspace_are_refused_and_nothing_is_applied(
    environment: Services,
    standin: SlackStandIn,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write(
        tmp_path,
        line(team_id="T0STANDIN"),  # the token's workspace: what this import is for
        line(id="alert-2", team_id="T0BRAVO"),
        line(id="alert-3", enterprise_id="E0ACME"),
    )
    before = row_counts(environment.database)

    assert app.main(["alerts", "import", path]) == 1

    assert capsys.readouterr().out.splitlines() == [
        "line 2: names workspace 'T0BRAVO', but this import is for T0STANDIN",
        "line 3: names workspace 'E0ACME', but this import is for T0STANDIN",
        "nothing was imported: import each workspace's lines with --workspace",
    ]
    assert row_counts(environment.database) == before
    assert standin.messages() == []
