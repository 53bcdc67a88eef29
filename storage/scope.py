"""Which workspace the running code serves: every row read or written belongs to it.

A workspace is the key the bot's data is partitioned by: the Slack team id, or the enterprise
(organisation) id for an Enterprise Grid org-wide install, whose user ids are organisation-wide.
The edge sets it (the Bolt middleware from the request, a one-time page from its link, the APIs
from the document, each job once per workspace, the command line from `--workspace`), and
storage/ applies it to every statement (storage/scoping.py). Reading or writing a scoped table
with no workspace set fails: an unscoped query is a bug, never "all workspaces".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

EVERY_WORKSPACE = "*"  # maintenance that spans workspaces on purpose (purge, metrics, discovery)

_CURRENT: ContextVar[str | None] = ContextVar("security_bot_workspace", default=None)


class NoWorkspace(RuntimeError):
    """Scoped data was touched with no workspace chosen: a bug at the edge that called in."""


def current_workspace() -> str | None:
    return _CURRENT.get()


def workspace_id() -> str:
    """The workspace being served; raises when none is (or when every workspace is)."""
    found = _CURRENT.get()
    if not found or found == EVERY_WORKSPACE:
        raise NoWorkspace("no workspace is being served here")
    return found


@contextmanager
def serving(workspace: str) -> Iterator[str]:
    """Serve `workspace` inside the block (contexts copied into threads carry it along)."""
    if not workspace:
        raise NoWorkspace("an empty workspace id")
    token = _CURRENT.set(workspace)
    try:
        yield workspace
    finally:
        _CURRENT.reset(token)


def serve(workspace: str | None) -> None:
    """Serve `workspace` (None: none) from here on in this context: a Bolt middleware cannot wrap
    the rest of the request, so the front door's `unserved()` block around it ends this."""
    if workspace == "":
        raise NoWorkspace("an empty workspace id")
    _CURRENT.set(workspace)


@contextmanager
def unserved() -> Iterator[None]:
    """No workspace inside the block, whatever an earlier request left in this thread."""
    token = _CURRENT.set(None)
    try:
        yield
    finally:
        _CURRENT.reset(token)


@contextmanager
def every_workspace() -> Iterator[None]:
    """Maintenance that spans workspaces on purpose: no workspace filter inside the block."""
    token = _CURRENT.set(EVERY_WORKSPACE)
    try:
        yield
    finally:
        _CURRENT.reset(token)
