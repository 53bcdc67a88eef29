"""manifest.yml is a valid Slack app manifest and names exactly the ids the code handles."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.checklist.model import Fix
from bot.checklist.views import FIX_BUTTONS
from bot.core.ids import Action, Callback, Command, Event

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT.parent / "shared" / "slack" / "manifest.schema.1.0.0.json"
HANDLERS = ROOT / "handlers"


def _manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "manifest.yml").read_text())
    return loaded


@pytest.mark.skipif(
    not SCHEMA.is_file(),
    reason=f"Slack's manifest schema is not beside this clone ({SCHEMA}); CI has it",
)
def test_manifest_validates_against_slacks_published_schema() -> None:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(_manifest(), schema)


def test_commands_and_events_match_the_code() -> None:
    manifest = _manifest()
    commands = {item["command"] for item in manifest["features"]["slash_commands"]}
    assert commands == {command.value for command in Command}
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    # message.channels and message.groups both arrive as the `message` event.
    assert {event.split(".")[0] for event in events} == {event.value for event in Event}


def test_every_id_is_registered_by_a_listener() -> None:
    """Each action, callback, command and event id is wired in handlers/, and nothing else is:
    registered on the app, or an entry of a button table (`{Action.X: listener}`, registered by
    handlers/slack/lazy.on_buttons)."""
    pattern = re.compile(r"app\.(?:action|view|command|event)\((\w+)\.(\w+)[,)]|(Action)\.(\w+): ")
    registered = {
        f"{kind}.{name}"
        for source in HANDLERS.rglob("*.py")
        for found in pattern.findall(source.read_text())
        for kind, name in (found[:2], found[2:])
        if kind
    }
    declared = {
        f"{group.__name__}.{member.name}"
        for group in (Action, Callback, Command, Event)
        for member in group
    }
    assert registered == declared


def test_every_fix_button_has_a_listener() -> None:
    assert {action for action, _ in FIX_BUTTONS.values()} <= set(Action)
    assert set(FIX_BUTTONS) == set(Fix)


def test_scopes_are_least_privilege() -> None:
    scopes = set(_manifest()["oauth_config"]["scopes"]["bot"])
    assert scopes == {
        "commands",
        "chat:write",
        "im:write",
        "users:read",
        "users:read.email",
        "channels:history",  # notes in case threads (message.channels)
        "groups:history",  # the same in a private case channel (message.groups)
        "files:write",  # the weekly summary's chart, uploaded to security admins' DMs
        "im:history",  # its own DMs: did a reminder a dead process was sending arrive?
    }
    assert not any(scope.startswith(("admin", "mpim:history", "files:read")) for scope in scopes)
    # It reads its DMs only when it asks (conversations.history), never through events.
    assert "message.im" not in _manifest()["settings"]["event_subscriptions"]["bot_events"]
