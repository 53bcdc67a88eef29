"""Case listener fixtures: the case world of tests/bot/cases, plus helpers that act as Slack
(pressing card buttons, submitting modals, writing in a case thread) and read what the Slack
stand-in received."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from slack_bolt import BoltResponse

from bot.core.clock import FakeClock
from bot.services import Services
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn
from tests.bot.cases.conftest import ESCALATION, World, settings, world  # noqa: F401
from tests.handlers.conftest import Slack, text_of

__all__ = ["settings", "world"]


class Codes:
    """Authenticators linked to the bot, and fresh codes from them (each from a new time step)."""

    def __init__(self, services: Services, clock: FakeClock) -> None:
        self._services, self._clock, self._secrets = services, clock, dict[str, str]()

    def link(self, user: str) -> None:
        secret = self._services.authenticator.begin(user).secret
        self._services.authenticator.confirm(user, pyotp.TOTP(secret).at(self._clock.now()))
        self._secrets[user] = secret
        self._clock.advance(timedelta(minutes=11))  # not fresh any more: a code is asked for

    def code(self, user: str) -> str:
        self._clock.advance(timedelta(seconds=30))
        return pyotp.TOTP(self._secrets[user]).at(self._clock.now())


@pytest.fixture
def codes(services: Services, clock: FakeClock) -> Codes:
    return Codes(services, clock)


def wait_for_modal(standin: SlackStandIn, callback: str, seen: int = 0) -> dict[str, Any]:
    """The newest modal with `callback` opened after the first `seen` ones."""

    def found() -> dict[str, Any] | None:
        views = [v for v in standin.opened_views()[seen:] if v["callback_id"] == callback]
        return views[-1] if views else None

    return standin.wait_for(found)


def submit(slack: Slack, user: str, view: dict[str, Any], **fields: str) -> BoltResponse:
    """Submit a modal: each field is a block id; options are given by their value."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element, block_id = block["element"], block["block_id"]
        typed = fields.get(block_id)
        if element["type"] in ("static_select", "radio_buttons"):
            option = next((o for o in element["options"] if o["value"] == typed), None)
            entry = {"type": element["type"], "selected_option": option}
        else:
            entry = {"type": element["type"], "value": typed}
        values[block_id] = {element["action_id"]: entry}
    return slack.send(payloads.view_submission(user, view, values))


def enter_code(
    slack: Slack, standin: SlackStandIn, user: str, code: str, seen: int
) -> dict[str, Any] | None:
    """A correct code in the step-up modal; the modal it became (the next form), or None when it
    closed (the action follows)."""
    modal = wait_for_modal(standin, "step_up", seen)
    response = submit(slack, user, modal, code=code)
    answer = json.loads(response.body)
    assert response.status == 200 and answer["response_action"] in ("update", "clear"), answer
    return {**answer["view"], "id": modal["id"]} if answer["response_action"] == "update" else None


def card(standin: SlackStandIn, channel: str = ESCALATION) -> dict[str, Any]:
    """The case card: the channel's first message outside any thread."""
    return standin.wait_for(lambda: [m for m in standin.messages(channel) if not m["thread_ts"]])[0]


def thread(standin: SlackStandIn, parent: dict[str, Any]) -> list[str]:
    return [
        text_of(m["blocks"]) or m["text"]
        for m in standin.messages(parent["channel"])
        if m["thread_ts"] == parent["ts"]
    ]


def dms(standin: SlackStandIn, user: str) -> list[str]:
    return [text_of(m["blocks"]) or m["text"] for m in standin.messages(user)]


def ephemeral_answers(standin: SlackStandIn) -> list[str]:
    return [post.get("text", "") for post in standin.response_url_posts()]


def thread_event(
    user: str, parent: dict[str, Any], text: str, ts: str, **extra: Any
) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": parent["channel"],
        "user": user,
        "text": text,
        "ts": ts,
        "thread_ts": parent["ts"],
        "channel_type": "channel",
        **extra,
    }


def wait_for_dm(standin: SlackStandIn, user: str, containing: str) -> str:
    """The latest DM to `user` that contains `containing`, once there is one."""

    def found() -> str | None:
        matching = [text for text in dms(standin, user) if containing in text]
        return matching[-1] if matching else None

    return standin.wait_for(found)
