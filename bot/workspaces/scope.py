"""The workspace being served, for the edges that choose it (see storage/scope.py)."""

from __future__ import annotations

from storage.scope import (
    EVERY_WORKSPACE,
    NoWorkspace,
    current_workspace,
    every_workspace,
    serve,
    serving,
    unserved,
    workspace_id,
)


def workspace_key(team_id: str | None, enterprise_id: str | None, enterprise_install: bool) -> str:
    """The key a workspace's data is kept under: the organisation for an org-wide install (its
    user ids span every workspace of it), else the team."""
    if enterprise_install and enterprise_id:
        return enterprise_id
    if team_id:
        return team_id
    raise NoWorkspace("a request with neither team nor enterprise")


__all__ = [
    "EVERY_WORKSPACE",
    "NoWorkspace",
    "current_workspace",
    "every_workspace",
    "serve",
    "serving",
    "unserved",
    "workspace_id",
    "workspace_key",
]
