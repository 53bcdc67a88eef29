"""The sandbox's log lines go to a file, not into the console a member types in.

The console is the member's Slack client: a warning from Bolt or a line from the case service
printed between two rendered messages reads as something the app said. The file sits beside the
sandbox's database (the banner names it), so `tail -f` in another terminal shows the app's log.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def log_path(database_url: str) -> Path:
    """`security-bot.db` logs to `security-bot.log` beside it; other databases to ./sandbox.log."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(str(url.database)).with_suffix(".log").resolve()
    return Path("sandbox.log").resolve()


@contextmanager
def logging_to(path: Path) -> Iterator[None]:
    """Until the block ends: root log lines go to `path`, no longer to the terminal."""
    root = logging.getLogger()
    terminals = (sys.stderr, sys.stdout, sys.__stderr__, sys.__stdout__)
    to_terminal = [
        handler
        for handler in root.handlers
        if type(handler) is logging.StreamHandler and handler.stream in terminals
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setFormatter(logging.Formatter(FORMAT))
    for handler in to_terminal:
        root.removeHandler(handler)
    root.addHandler(to_file)  # with a handler on the root, logging's last resort stays silent
    try:
        yield
    finally:
        root.removeHandler(to_file)
        to_file.close()
        for handler in to_terminal:
            root.addHandler(handler)
