"""Which workspace a platform document (an alert, a posture report) is about.

The platform names the workspace of the account: `team_id`, or `enterprise_id` for an account
kept by an organisation-wide (Enterprise Grid) install. A bot serving a single workspace may be
sent documents that name none: they belong to that one workspace.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from bot.core.errors import DomainError

NAME_IT = (
    "name the workspace of the account: team_id (or enterprise_id for an organisation-wide install)"
)


class WorkspaceUnknown(DomainError):
    """The document names no workspace the bot serves, or none while it serves several."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def workspace_of(fields: object, known: Callable[[], Sequence[str]]) -> str:
    """The workspace key of a document's fields (already parsed JSON)."""
    named = _named(fields)
    served = known()
    if not named:
        if len(served) == 1:
            return served[0]
        raise WorkspaceUnknown(NAME_IT)
    for key in named:
        if key in served:
            return key
    raise WorkspaceUnknown(f"unknown workspace {named[0][:32]!r}: {NAME_IT}")


def workspace_of_body(body: bytes, known: Callable[[], Sequence[str]]) -> str:
    """As `workspace_of`, for a raw JSON body; a body that is not JSON is left to the document's
    own checks, which say what is wrong with it."""
    try:
        fields = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        served = known()
        if len(served) == 1:
            return served[0]
        raise WorkspaceUnknown("the body is not a JSON object") from None
    return workspace_of(fields, known)


def _named(fields: object) -> list[str]:
    """The keys a document names, the organisation's first (an org-wide install keeps its data
    under the organisation)."""
    if not isinstance(fields, dict):
        return []
    named = [fields.get("enterprise_id"), fields.get("team_id")]
    return [key for key in named if isinstance(key, str) and key]


def lines_elsewhere(text: str, served: str) -> list[tuple[int, str]]:
    """(line number, workspace named) of each JSON line naming a workspace other than `served`:
    an import for one workspace refuses the whole file rather than file another's data."""
    found: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            named = _named(json.loads(line)) if line.strip() else []
        except ValueError:
            continue  # the document's own checks say what is wrong with it
        if named and served not in named:
            found.append((number, named[0][:32]))
    return found
