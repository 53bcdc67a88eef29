"""The bot's version, from the installed package's metadata (pyproject.toml's `version`), so the
logs, `app.py --version` and the metrics all say the same as what was installed."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version

PACKAGE = "security-bot"


@cache
def bot_version() -> str:
    """The installed version; `unknown` when run from a tree that was never installed."""
    try:
        return version(PACKAGE)
    except PackageNotFoundError:
        return "unknown"
