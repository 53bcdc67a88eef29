"""What Slack submits for a modal's input the member left as the app preset it, and how the
console names a picked day or person."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_SUBMITTED = {  # the element's preset, and the key Slack submits it under
    "initial_value": "value",
    "initial_option": "selected_option",
    "initial_options": "selected_options",
    "initial_user": "selected_user",
    "initial_users": "selected_users",
    "initial_conversation": "selected_conversation",
    "initial_channel": "selected_channel",
    "initial_time": "selected_time",
    "initial_date": "selected_date",
}


def initial(element: Mapping[str, Any]) -> dict[str, Any] | None:
    """The state Slack submits for `element` untouched, or None when the app preset nothing."""
    for preset, submitted in _SUBMITTED.items():
        if element.get(preset):
            return {"type": element.get("type"), submitted: element[preset]}
    return None


def label_of(entry: Mapping[str, Any]) -> str | None:
    """A typed text or day as it is, a picked person as @ and their id; None for nothing."""
    people = entry.get("selected_users")
    if people:
        return ", ".join(f"@{person}" for person in people)
    found = entry.get("selected_date") or entry.get("value")
    person = entry.get("selected_user")
    return str(found) if found else f"@{person}" if person else None
