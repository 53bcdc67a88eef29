"""Listener tests: the real Bolt app in-process, requests signed as Slack signs them, and the
Slack stand-in recording what the bot sent."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from slack_bolt import App, BoltRequest, BoltResponse

from bot.core.config import Settings
from bot.services import Services
from sandbox import payloads
from sandbox.slack_standin import SlackStandIn
from wiring import build_client, create_app


@dataclass
class Slack:
    """Acts as Slack towards the app: signs requests and reads what the bot answered."""

    app: App
    signing_secret: str
    standin: SlackStandIn

    def send(
        self, request: tuple[bytes, str], headers: dict[str, str] | None = None
    ) -> BoltResponse:
        body, content_type = request
        all_headers: dict[str, str | Sequence[str]] = {
            "content-type": content_type,
            **{k.lower(): v for k, v in payloads.sign(self.signing_secret, body).items()},
            **(headers or {}),
        }
        return self.app.dispatch(BoltRequest(body=body.decode(), headers=all_headers))

    def command(self, user: str, text: str) -> dict[str, Any]:
        """Run `/security {text}` and return the ephemeral answer carried by the acknowledgement."""
        response = self.send(
            payloads.slash_command(user, text, response_url=self.standin.response_url())
        )
        assert response.status == 200, response.body
        answer: dict[str, Any] = json.loads(response.body)
        return answer

    def press(
        self, user: str, action_id: str, *, value: str | None = None, from_home: bool = False
    ) -> BoltResponse:
        action: dict[str, Any] = {"type": "button", "action_id": action_id, "block_id": "b"}
        if value is not None:
            action["value"] = value
        if from_home:
            request = payloads.block_action(
                user, action, response_url=None, container={"type": "view"}
            )
        else:
            request = payloads.block_action(user, action, response_url=self.standin.response_url())
        return self.send(request)


@pytest.fixture
def slack(settings: Settings, services: Services, standin: SlackStandIn) -> Iterator[Slack]:
    executor = ThreadPoolExecutor(max_workers=4)
    app = create_app(settings, services, client=build_client(settings), executor=executor)
    yield Slack(app=app, signing_secret=settings.slack_signing_secret or "", standin=standin)
    executor.shutdown(wait=True)  # lazy listeners finish before the stand-in stops


def text_of(blocks: list[dict[str, Any]]) -> str:
    """All the visible text of some blocks, for assertions."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                parts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(parts)
