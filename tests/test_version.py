"""`python app.py --version` says the installed package's version, which is pyproject's."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_version_prints_pyprojects_version() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    shown = subprocess.run(
        [sys.executable, "app.py", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert shown.stdout.strip() == f"app.py {declared}"


def test_a_bad_log_format_is_one_clear_line() -> None:
    shown = subprocess.run(
        [sys.executable, "app.py", "db", "upgrade"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "LOG_FORMAT": "xml"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert shown.returncode == 2
    assert shown.stderr == "configuration error: LOG_FORMAT must be json or text\n"
