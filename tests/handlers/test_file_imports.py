"""What every `app.py ... import FILE` shares: a file that cannot be read is named with the reason
and exit 2, before the database is touched."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import NoReturn

import pytest

from bot.core.config import Settings
from cli.file_imports import CANNOT_RUN, cannot, read_text, run_lines_import


def test_the_text_of_a_utf_8_file(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    path.write_text("\ufeff{}\n", encoding="utf-8")

    assert read_text(str(path)) == "\ufeff{}\n"  # the BOM is the import's to skip


@pytest.mark.parametrize(
    ("problem", "told"),
    [
        ("missing", "{path}: no such file; nothing was imported"),
        ("latin-1", "{path}: not UTF-8 text (byte 3); nothing was imported"),
        ("a directory", "{path}: cannot be read (Is a directory); nothing was imported"),
    ],
)
def test_a_file_that_cannot_be_read_is_named_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], problem: str, told: str
) -> None:
    path = tmp_path / "alerts.jsonl"
    if problem == "latin-1":
        path.write_bytes(b"Caf\xe9\n")
    elif problem == "a directory":
        path.mkdir()

    assert read_text(str(path)) is None

    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", told.format(path=path) + "\n")


def test_the_directory_import_adds_how_to_save_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "accounts.csv"
    path.write_bytes(b"\xe9")

    assert read_text(str(path), not_utf8_hint="; save it as CSV UTF-8") is None

    assert capsys.readouterr().err == (
        f"{path}: not UTF-8 text (byte 0); save it as CSV UTF-8; nothing was imported\n"
    )


def test_cannot_tells_the_operator_and_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cannot("could not list the Slack workspace's users (ratelimited)") == CANNOT_RUN == 2
    assert capsys.readouterr().err == (
        "could not list the Slack workspace's users (ratelimited); nothing was imported\n"
    )


def test_an_unreadable_file_is_refused_before_the_database_is_touched(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nowhere = dataclasses.replace(settings, database_url="postgresql://nobody@127.0.0.1:1/none")

    def never(*_: object) -> NoReturn:
        raise AssertionError("nothing may run")

    status = run_lines_import(
        nowhere, str(tmp_path / "missing.jsonl"), never, never, actor="system", clock=None
    )

    assert status == CANNOT_RUN
    assert "missing.jsonl: no such file; nothing was imported" in capsys.readouterr().err
