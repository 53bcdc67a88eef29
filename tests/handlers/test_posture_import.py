"""`python app.py posture import FILE` as an operator runs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import app
from bot.checklist.model import Check, State
from bot.services import Services
from sandbox.slack_standin import SlackStandIn
from tests.e2e.conftest import row_counts
from tests.handlers.import_commands import operator_environment, write_lines


def line(**changes: Any) -> str:
    document = {
        "id": "posture-1",
        "account_id": "7012345",
        "member_email": "ana@example.com",
        "two_step": False,
        "reported_at": "2026-11-24T09:00:00Z",
        **changes,
    }
    return json.dumps(document)


environment = pytest.fixture(operator_environment, name="environment")


def write(tmp_path: Path, *lines: str) -> str:
    return write_lines(tmp_path / "posture.jsonl", *lines)


def test_a_good_file_is_applied_and_the_home_tab_refreshed(
    environment: Services,
    standin: SlackStandIn,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write(tmp_path, line())

    assert app.main(["posture", "import", path]) == 0

    out = capsys.readouterr().out
    assert out == "posture.jsonl: 1 report accepted, 0 already received before\n"
    line_ = environment.members.status("U0ANA").checklist.line(Check.TWO_STEP)
    assert line_.state is State.NEEDS_ACTION
    home = standin.published_view("U0ANA")
    assert home is not None and "Off, as the platform reports." in json.dumps(home)

    before = row_counts(environment.database)
    assert app.main(["posture", "import", path]) == 0
    assert "0 reports accepted, 1 already received before" in capsys.readouterr().out
    assert row_counts(environment.database) == before


def test_bad_lines_exit_1_and_an_unreadable_file_exits_2(
    environment: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert app.main(["posture", "import", write(tmp_path, line(), line(id=""))]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "line 2: id is empty",
        "posture.jsonl: nothing was imported (1 bad line)",
    ]
    assert row_counts(environment.database)["posture_reports"] == 0

    assert app.main(["posture", "import", str(tmp_path / "missing.jsonl")]) == 2
    assert "no such file; nothing was imported" in capsys.readouterr().err
